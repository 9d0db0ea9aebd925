import { expect, test } from '@playwright/test';
import { remotePeak } from '../helpers/audioProbe.js';
import { createDirect, finishCallTest, openConversation, openParticipant, type Participant } from '../helpers/callPages.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

let srv: TestServer | undefined;
const people: Participant[] = [];

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test.afterEach(async ({}, testInfo) => {
  await finishCallTest(testInfo, srv, people);
  srv = undefined;
});

const settings = { noiseSuppression: false, autoGainControl: false };

async function connectedCall(graceMs: number) {
  srv = await startTestServer({ config: { reconnectGraceMs: graceMs } });
  const alice = await openParticipant(srv, 'alice', 'Alice', 440, { settings });
  const bob = await openParticipant(srv, 'bob', 'Bob', 1000, { settings });
  people.push(alice, bob);
  await createDirect(srv, alice, bob);
  await openConversation(alice.page, 'Bob');
  await alice.page.getByRole('button', { name: 'Call', exact: true }).click();
  await bob.page.getByRole('alertdialog', { name: 'Incoming call from Alice' }).getByRole('button', { name: 'Accept' }).click();
  const alicePanel = alice.page.getByRole('region', { name: 'Call with Bob' });
  await expect(alicePanel.getByRole('status')).toHaveText('Connected');
  await expect.poll(async () => Math.abs((await remotePeak(alice.page)).hz - 1000)).toBeLessThan(15);
  return { alice, bob, alicePanel };
}

/** Cut Bob's signaling: the browser goes offline (no reconnect possible) and the server drops his socket. */
async function cutSignaling(bob: Participant) {
  await bob.page.context().setOffline(true);
  for (const connection of srv!.server.hub.connectionsOf(bob.session.user.id)) connection.socket.terminate();
}

test('a signaling drop does not end the call: audio keeps flowing peer to peer and the client re-attaches', async () => {
  const { alice, bob, alicePanel } = await connectedCall(15_000);
  await cutSignaling(bob);
  await expect(alicePanel.getByRole('status')).toHaveText(/Reconnecting… \(Bob lost the connection\)/);
  // Media is peer to peer: both directions still carry their tones while signaling is down.
  expect(Math.abs((await remotePeak(alice.page)).hz - 1000)).toBeLessThan(15);
  expect(Math.abs((await remotePeak(bob.page)).hz - 440)).toBeLessThan(15);
  await bob.page.context().setOffline(false);
  // Bob's client reconnects by itself and re-attaches to the call.
  await expect(alicePanel.getByRole('status')).toHaveText('Connected', { timeout: 15_000 });
  await expect(bob.page.getByRole('region', { name: 'Call with Alice' })).toBeVisible();
  await expect.poll(async () => Math.abs((await remotePeak(alice.page)).hz - 1000)).toBeLessThan(15);
  // The call still works end to end through signaling: hang-up reaches Bob.
  await alicePanel.getByRole('button', { name: 'Hang up' }).click();
  await expect(bob.page.getByRole('region', { name: 'Call with Alice' })).toBeHidden();
});

test('a participant who does not come back within the grace period ends the call for the other side, with the reason', async () => {
  const { alice, bob, alicePanel } = await connectedCall(2000);
  await cutSignaling(bob);
  await expect(alice.page.getByRole('alert')).toHaveText(/Call ended: lost the connection to Bob/, { timeout: 10_000 });
  await expect(alicePanel).toBeHidden();
  await expect(alice.page.getByRole('log', { name: 'Messages' })).toContainText(/Voice call ended · \d:\d\d/);
  // When Bob comes back his client learns the call is over.
  await bob.page.context().setOffline(false);
  await expect(bob.page.getByRole('alert')).toHaveText('The call ended while you were disconnected', { timeout: 15_000 });
});
