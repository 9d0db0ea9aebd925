import { expect, test } from '@playwright/test';
import { opusStats, remotePeak } from '../helpers/audioProbe.js';
import { createDirect, finishCallTest, openConversation, openParticipant, type Participant } from '../helpers/callPages.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

/** FFT bin width at 48 kHz with fftSize 8192 is ~5.9 Hz; allow a couple of bins. */
const TOLERANCE_HZ = 15;
const ALICE_HZ = 440;
const BOB_HZ = 1000;

let srv: TestServer | undefined;
const people: Participant[] = [];

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test.afterEach(async ({}, testInfo) => {
  await finishCallTest(testInfo, srv, people);
  srv = undefined;
});

test('a 1-on-1 call carries each side\'s tone, in Opus at HD bitrate; mute silences one direction; hang-up ends both', async () => {
  srv = await startTestServer();
  // Steady test tones are exactly what noise suppression removes: switch it off, as a user can.
  const settings = { noiseSuppression: false, autoGainControl: false };
  const alice = await openParticipant(srv, 'alice', 'Alice', ALICE_HZ, { settings });
  const bob = await openParticipant(srv, 'bob', 'Bob', BOB_HZ, { settings });
  people.push(alice, bob);
  await createDirect(srv, alice, bob);
  await openConversation(alice.page, 'Bob');

  await alice.page.getByRole('button', { name: 'Call', exact: true }).click();
  const callPanel = alice.page.getByRole('region', { name: 'Call with Bob' });
  await expect(callPanel.getByRole('status')).toHaveText('Ringing…');
  const ring = bob.page.getByRole('alertdialog', { name: 'Incoming call from Alice' });
  await expect(ring).toBeVisible();
  await ring.getByRole('button', { name: 'Accept' }).click();

  await expect(callPanel.getByRole('status')).toHaveText('Connected');
  await expect(bob.page.getByRole('region', { name: 'Call with Alice' }).getByRole('status')).toHaveText('Connected');
  await expect(callPanel.getByLabel('Call duration')).toHaveText(/^00:0[1-9]$/, { timeout: 5000 });

  // Each side hears the other's tone.
  await expect.poll(async () => Math.abs((await remotePeak(alice.page)).hz - BOB_HZ)).toBeLessThan(TOLERANCE_HZ);
  await expect.poll(async () => Math.abs((await remotePeak(bob.page)).hz - ALICE_HZ)).toBeLessThan(TOLERANCE_HZ);

  // Opus flows at about 32 kbps each way (16–48 accepted).
  for (const p of [alice, bob]) {
    const stats = await opusStats(p.page);
    expect(stats.codec).toBe('audio/opus');
    expect(stats.sendKbps).toBeGreaterThan(16);
    expect(stats.sendKbps).toBeLessThan(48);
    expect(stats.path).toBe('direct');
  }

  // Bob mutes: Alice stops hearing his tone; unmute brings it back.
  const bobPanel = bob.page.getByRole('region', { name: 'Call with Alice' });
  await bobPanel.getByRole('button', { name: 'Mute' }).click();
  await expect(bobPanel.getByRole('button', { name: 'Unmute' })).toBeVisible();
  await expect.poll(async () => (await remotePeak(alice.page)).hz).toBe(0);
  // Alice still reaches Bob.
  expect(Math.abs((await remotePeak(bob.page)).hz - ALICE_HZ)).toBeLessThan(TOLERANCE_HZ);
  await bobPanel.getByRole('button', { name: 'Unmute' }).click();
  await expect.poll(async () => Math.abs((await remotePeak(alice.page)).hz - BOB_HZ)).toBeLessThan(TOLERANCE_HZ);

  // Alice hangs up: both return to the conversation, which shows the end message with its duration.
  await callPanel.getByRole('button', { name: 'Hang up' }).click();
  await expect(callPanel).toBeHidden();
  await expect(bobPanel).toBeHidden();
  await expect(bob.page.getByRole('alert')).toHaveText(/Call ended · \d:\d\d/);
  for (const p of [alice, bob]) {
    if (p === bob) await openConversation(bob.page, 'Alice');
    await expect(p.page.getByRole('log', { name: 'Messages' })).toContainText(/Voice call ended · \d:\d\d/);
  }

  // The call is in both people's call history, with its outcome and duration.
  await alice.page.getByRole('button', { name: 'Call history' }).click();
  const history = alice.page.getByRole('dialog', { name: 'Call history' }).getByRole('list', { name: 'Calls' });
  await expect(history.getByRole('listitem').first()).toContainText(/To Bob\s*Completed\s*\d:\d\d/);
  await bob.page.getByRole('button', { name: 'Call history' }).click();
  await expect(bob.page.getByRole('dialog', { name: 'Call history' }).getByRole('listitem').first()).toContainText(/From Alice\s*Completed/);
});
