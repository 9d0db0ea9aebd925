import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { remotePeak } from '../helpers/audioProbe.js';
import { createDirect, finishCallTest, openConversation, openParticipant, type Participant } from '../helpers/callPages.js';
import { reportFaultFigures } from '../helpers/faultReport.js';
import { startTestServerProcess, type TestServerProcess } from '../helpers/testServerProcess.js';
import { TestClient } from '../helpers/wsClient.js';

// User flow: the signaling server dies (kill -9) while two people chat and talk, and comes
// back on the same data and port. Their pages, never reloaded, say they are reconnecting,
// reconnect by themselves, send what was typed meanwhile, catch up on what was said while
// one of them was still away, and the two can call each other again. The server runs in a
// child process so it can be killed; the pages run the real web client in Chromium.

let srv: TestServerProcess | undefined;
const people: Participant[] = [];

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test.afterEach(async ({}, testInfo) => {
  await finishCallTest(testInfo, srv, people);
  srv = undefined;
});

const settings = { noiseSuppression: false, autoGainControl: false };
const ALICE_HZ = 440;
const BOB_HZ = 1000;
const BEFORE = 'Before the crash';
const TYPED_WHILE_DOWN = 'Typed while the server was down';
const WHILE_BOB_AWAY = 'Sent while Bob was still away';

const messages = (p: Participant) => p.page.getByRole('log', { name: 'Messages' });
const banner = (p: Participant) => p.page.getByRole('status').filter({ hasText: /^(Reconnecting|Connecting)…$/ });

async function send(p: Participant, text: string): Promise<void> {
  await p.page.getByRole('textbox', { name: 'Message' }).fill(text);
  await p.page.getByRole('button', { name: 'Send' }).click();
}

/** Hz of the loudest remote tone within 15 Hz of `hz`, polled until it is there. */
async function expectHearsTone(p: Participant, hz: number): Promise<void> {
  await expect.poll(async () => Math.abs((await remotePeak(p.page)).hz - hz), { message: `${p.name} hears ${hz} Hz`, timeout: 20_000 }).toBeLessThan(15);
}

/**
 * Record in the page when the connection banner comes and goes (ms since epoch), and mark
 * the document, so a reload would show (the mark would be gone).
 */
async function watchConnection(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __banner: Array<{ t: number; text: string }>; __sameDocument: boolean };
    w.__sameDocument = true;
    w.__banner = [];
    const read = () => [...document.querySelectorAll('[role="status"]')].map((e) => e.textContent ?? '').find((t) => /^(Reconnecting|Connecting)…$/.test(t)) ?? '';
    let last = read();
    new MutationObserver(() => {
      const now = read();
      if (now !== last) w.__banner.push({ t: Date.now(), text: (last = now) });
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

/** When the banner last went away (the page reconnected), after `since`. */
async function reconnectedAt(page: Page, since: number): Promise<number> {
  const log = await page.evaluate(() => (window as unknown as { __banner: Array<{ t: number; text: string }> }).__banner);
  const gone = log.filter((e) => e.t >= since && e.text === '').at(-1);
  expect(gone, 'the connection banner went away').toBeDefined();
  return gone!.t;
}

test('after a kill -9 and a restart of the server, pages reconnect without a reload, send what was typed meanwhile, catch up, and can call again', async () => {
  test.setTimeout(180_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'earshot-restart-e2e-'));
  srv = await startTestServerProcess({ dataDir });
  const port = Number(new URL(srv.url).port);
  const alice = await openParticipant(srv, 'alice', 'Alice', ALICE_HZ, { settings });
  const bob = await openParticipant(srv, 'bob', 'Bob', BOB_HZ, { settings });
  people.push(alice, bob);
  const conversationId = await createDirect(srv, alice, bob);
  await openConversation(alice.page, 'Bob');
  await openConversation(bob.page, 'Alice');
  await send(alice, BEFORE);
  await expect(messages(bob)).toContainText(BEFORE);

  // A call in progress when the server dies.
  await alice.page.getByRole('button', { name: 'Call', exact: true }).click();
  await bob.page.getByRole('alertdialog', { name: 'Incoming call from Alice' }).getByRole('button', { name: 'Accept' }).click();
  await expect(alice.page.getByRole('region', { name: 'Call with Bob' }).getByRole('status')).toHaveText('Connected');
  await expectHearsTone(alice, BOB_HZ);
  await expectHearsTone(bob, ALICE_HZ);
  for (const p of people) await watchConnection(p.page);

  const killedAt = Date.now();
  process.kill(srv.pid, 'SIGKILL');
  await srv.exit;
  for (const p of people) await expect(banner(p)).toHaveText('Reconnecting…');
  // Call media is peer to peer: it keeps flowing while the server is down.
  expect(Math.abs((await remotePeak(alice.page)).hz - BOB_HZ)).toBeLessThan(15);
  expect(Math.abs((await remotePeak(bob.page)).hz - ALICE_HZ)).toBeLessThan(15);

  // Alice writes while the server is down: the message waits as "Sending…", it is not lost.
  await send(alice, TYPED_WHILE_DOWN);
  const waiting = messages(alice).getByRole('listitem').filter({ hasText: TYPED_WHILE_DOWN });
  await expect(waiting).toContainText('Sending…');
  // Bob's network goes too, so he is still away when the server is back.
  await bob.page.context().setOffline(true);

  const restartAt = Date.now();
  srv = await startTestServerProcess({ dataDir, config: { port } });
  const readyAt = Date.now();

  // Alice's page reconnects by itself and sends what she typed, once.
  await expect(banner(alice)).toBeHidden({ timeout: 30_000 });
  const aliceBackAt = await reconnectedAt(alice.page, readyAt);
  await expect(waiting).not.toContainText('Sending…');
  await expect(messages(alice).getByText(TYPED_WHILE_DOWN, { exact: true })).toHaveCount(1);
  // The server lost the call with its memory: the page says so and ends it.
  await expect(alice.page.getByRole('alert')).toHaveText('The call ended while you were disconnected');
  await expect(alice.page.getByRole('region', { name: 'Call with Bob' })).toBeHidden();
  await send(alice, WHILE_BOB_AWAY);
  await expect(messages(alice).getByRole('listitem').filter({ hasText: WHILE_BOB_AWAY })).not.toContainText('Sending…');

  // Bob comes back: his page reconnects and catches up on both messages, each once.
  const bobOnlineAt = Date.now();
  await bob.page.context().setOffline(false);
  await expect(banner(bob)).toBeHidden({ timeout: 30_000 });
  const bobBackAt = await reconnectedAt(bob.page, bobOnlineAt);
  for (const text of [BEFORE, TYPED_WHILE_DOWN, WHILE_BOB_AWAY]) await expect(messages(bob).getByText(text, { exact: true })).toHaveCount(1);
  await expect(bob.page.getByRole('alert')).toHaveText('The call ended while you were disconnected');
  for (const p of people) expect(await p.page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument), `${p.name}'s page was not reloaded`).toBe(true);

  // They can call each other again, and hear each other.
  await bob.page.getByRole('button', { name: 'Call', exact: true }).click();
  await alice.page.getByRole('alertdialog', { name: 'Incoming call from Bob' }).getByRole('button', { name: 'Accept' }).click();
  const bobPanel = bob.page.getByRole('region', { name: 'Call with Alice' });
  await expect(bobPanel.getByRole('status')).toHaveText('Connected');
  await expectHearsTone(alice, BOB_HZ);
  await expectHearsTone(bob, ALICE_HZ);
  await bobPanel.getByRole('button', { name: 'Hang up' }).click();
  await expect(alice.page.getByRole('region', { name: 'Call with Bob' })).toBeHidden();

  // The server's record: each message once; the call the crash cut closed as interrupted.
  const client = await TestClient.connect(srv.wsUrl, alice.session.token);
  try {
    const { messages: stored } = await client.request('messages.history', { conversationId, limit: 100 });
    for (const text of [BEFORE, TYPED_WHILE_DOWN, WHILE_BOB_AWAY]) expect(stored.filter((m) => m.body === text)).toHaveLength(1);
    const { calls } = await client.request('call.history', {});
    expect(calls.map((c) => c.outcome)).toEqual(['hangup', 'interrupted']);
  } finally {
    client.close();
  }

  const figures = {
    processStartToReadyMs: readyAt - restartAt,
    readyToAliceReconnectedMs: aliceBackAt - readyAt,
    killToAliceReconnectedMs: aliceBackAt - killedAt,
    bobOnlineToReconnectedMs: bobBackAt - bobOnlineAt,
  };
  test.info().annotations.push({ type: 'server-restart-ms', description: JSON.stringify(figures) });
  reportFaultFigures('signalingServerKillBrowser', figures);
});
