import { expect, test, type Page } from '@playwright/test';
import { installAudioProbe, opusStats, remotePeak } from '../helpers/audioProbe.js';
import { createDirect, finishCallTest, openConversation, openParticipant, type Participant } from '../helpers/callPages.js';
import { startCoturn, type Coturn } from '../helpers/coturn.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { register, TestClient } from '../helpers/wsClient.js';

let srv: TestServer | undefined;
let coturn: Coturn | undefined;
const people: Participant[] = [];

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test.afterEach(async ({}, testInfo) => {
  await finishCallTest(testInfo, srv, people);
  await coturn?.stop();
  srv = undefined;
  coturn = undefined;
});

const notice = (page: Page) => page.getByRole('alert');
const ring = (page: Page, from: string) => page.getByRole('alertdialog', { name: `Incoming call from ${from}` });

async function pair(config: Parameters<typeof startTestServer>[0] = {}, settings: Record<string, unknown> = {}) {
  srv = await startTestServer(config);
  const alice = await openParticipant(srv, 'alice', 'Alice', 440, { settings });
  const bob = await openParticipant(srv, 'bob', 'Bob', 1000, { settings });
  people.push(alice, bob);
  await createDirect(srv, alice, bob);
  await openConversation(alice.page, 'Bob');
  return { alice, bob };
}

test('an offline callee gives the caller a clear notice and is never rung later', async () => {
  srv = await startTestServer();
  const alice = await openParticipant(srv, 'alice', 'Alice', 440);
  people.push(alice);
  const bobSession = await register(srv.url, 'bob', 'Bob');
  const client = await TestClient.connect(srv.wsUrl, alice.session.token);
  await client.request('conversations.createDirect', { userId: bobSession.user.id });
  await openConversation(alice.page, 'Bob');
  await alice.page.getByRole('button', { name: 'Call', exact: true }).click();
  await expect(notice(alice.page)).toHaveText('Bob is offline. Try again when they are online.');
  await expect(alice.page.getByRole('region', { name: /Call with/ })).toBeHidden();
  expect((await client.request('call.history', {})).calls[0]?.outcome).toBe('offline');
  client.close();
  // Bob comes online afterwards: nothing was queued, nothing rings.
  const bob = await openParticipant(srv, 'bob', 'Bob', 1000, { session: bobSession });
  people.push(bob);
  await bob.page.waitForTimeout(1500);
  await expect(ring(bob.page, 'Alice')).toBeHidden();
});

test('declined, and "busy — call back later", each tell the caller', async () => {
  const { alice, bob } = await pair();
  await alice.page.getByRole('button', { name: 'Call', exact: true }).click();
  await ring(bob.page, 'Alice').getByRole('button', { name: 'Decline' }).click();
  await expect(notice(alice.page)).toHaveText(/Bob declined the call/);

  await alice.page.getByRole('button', { name: 'Call', exact: true }).click();
  await ring(bob.page, 'Alice').getByRole('button', { name: 'Busy — call back later' }).click();
  await expect(notice(alice.page)).toHaveText(/Bob is busy — call back later/);
  await expect(alice.page.getByRole('log', { name: 'Messages' })).toContainText('Voice call from Alice declined');
});

test('no answer ends the ringing on both sides after the ring timeout', async () => {
  const { alice, bob } = await pair({ config: { ringTimeoutMs: 2000 } });
  await alice.page.getByRole('button', { name: 'Call', exact: true }).click();
  await expect(ring(bob.page, 'Alice')).toBeVisible();
  await expect(notice(alice.page)).toHaveText(/No answer from Bob/, { timeout: 8000 });
  await expect(ring(bob.page, 'Alice')).toBeHidden();
  await expect(notice(bob.page)).toHaveText(/Missed call from Alice/);
});

test('the caller cancels while it rings', async () => {
  const { alice, bob } = await pair();
  await alice.page.getByRole('button', { name: 'Call', exact: true }).click();
  await expect(ring(bob.page, 'Alice')).toBeVisible();
  await alice.page.getByRole('region', { name: 'Call with Bob' }).getByRole('button', { name: 'Hang up' }).click();
  await expect(notice(alice.page)).toHaveText('Call cancelled');
  await expect(ring(bob.page, 'Alice')).toBeHidden();
  await expect(notice(bob.page)).toHaveText(/Missed call from Alice/);
});

test('a callee who is already in a call is reported busy', async () => {
  const { alice, bob } = await pair();
  const carol = await openParticipant(srv!, 'carol', 'Carol', 700);
  people.push(carol);
  await createDirect(srv!, carol, bob);
  await openConversation(carol.page, 'Bob');
  await carol.page.getByRole('button', { name: 'Call', exact: true }).click();
  await ring(bob.page, 'Carol').getByRole('button', { name: 'Accept' }).click();
  await alice.page.getByRole('button', { name: 'Call', exact: true }).click();
  await expect(notice(alice.page)).toHaveText(/Bob is busy in another call/);
});

test('all of the callee\'s devices ring; the first to accept wins and the other says so', async () => {
  const { alice, bob } = await pair();
  // Bob's second device: another window with the same session.
  const second = await bob.browser.newPage();
  await installAudioProbe(second);
  await second.addInitScript((token) => localStorage.setItem('earshot:sessionToken', token), bob.session.token);
  await second.goto(srv!.url);
  await expect(second.getByRole('button', { name: 'New direct message' })).toBeVisible();

  await alice.page.getByRole('button', { name: 'Call', exact: true }).click();
  await expect(ring(second, 'Alice')).toBeVisible();
  await ring(bob.page, 'Alice').getByRole('button', { name: 'Accept' }).click();
  await expect(notice(second)).toHaveText('Answered on another device');
  await expect(ring(second, 'Alice')).toBeHidden();
  await expect(alice.page.getByRole('region', { name: 'Call with Bob' }).getByRole('status')).toHaveText('Connected');
});

test('with TURN only, the call goes through coturn (selected pair is relay) and audio flows', async () => {
  coturn = await startCoturn();
  const { alice, bob } = await pair(
    { config: { turnUrls: coturn.urls, turnSecret: coturn.secret } },
    { turnOnly: true, noiseSuppression: false, autoGainControl: false },
  );
  await alice.page.getByRole('button', { name: 'Call', exact: true }).click();
  await ring(bob.page, 'Alice').getByRole('button', { name: 'Accept' }).click();
  const panel = alice.page.getByRole('region', { name: 'Call with Bob' });
  await expect(panel.getByRole('status')).toHaveText('Connected');
  await expect(panel).toContainText('Relayed (TURN)');
  for (const p of [alice, bob]) {
    const stats = await opusStats(p.page);
    expect(stats.path).toBe('relay');
    expect(stats.codec).toBe('audio/opus');
  }
  await expect.poll(async () => Math.abs((await remotePeak(alice.page)).hz - 1000)).toBeLessThan(15);
  await expect.poll(async () => Math.abs((await remotePeak(bob.page)).hz - 440)).toBeLessThan(15);
});
