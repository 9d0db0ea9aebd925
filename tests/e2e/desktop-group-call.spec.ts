import { expect, test, type Locator, type Page } from '@playwright/test';
import { createGroup, finishCallTest, openConversation, openParticipant, type Participant } from '../helpers/callPages.js';
import { audioSenderFacts, hostLog, installDesktopBridge, markAudioSender, reportedDeviceId, sendHostCommand } from '../helpers/desktopBridge.js';
import { tonesHeard } from '../helpers/groupAudioProbe.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

/**
 * The desktop host's device menu and mute in a group call (through the SFU), with the stand-in
 * desktop bridge of tests/helpers/desktopBridge.ts: the producer's track is replaced in place —
 * no rejoin, no renegotiation — and the others keep hearing.
 */

const ALICE_HZ = 440;
const BOB_HZ = 660;
const ALL_HZ = [ALICE_HZ, BOB_HZ];
const settings = { noiseSuppression: false, autoGainControl: false };

let srv: TestServer | undefined;
const people: Participant[] = [];

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test.afterEach(async ({}, testInfo) => {
  await finishCallTest(testInfo, srv, people);
  srv = undefined;
});

const panelOf = (page: Page): Locator => page.getByRole('region', { name: 'Voice call' });

async function expectHears(p: Participant, expected: number[]): Promise<void> {
  await expect.poll(() => tonesHeard(p.page, ALL_HZ), { message: `${p.name} hears ${expected.join(' + ') || 'nothing'}`, timeout: 20_000 }).toEqual(expected);
}

const participantsText = (page: Page) =>
  page.evaluate(() => (document.querySelector('[aria-label="Participants"]')?.textContent ?? '').replace(/\s+/g, ' '));

test('in a group call, the native Devices menu swaps the microphone in place, the in-call picker saves the choice, and the tray mutes', async () => {
  test.setTimeout(120_000);
  srv = await startTestServer({ sfu: true });
  const alice = await openParticipant(srv, 'alice', 'Alice', ALICE_HZ, { settings, prepare: installDesktopBridge });
  const bob = await openParticipant(srv, 'bob', 'Bob', BOB_HZ, { settings });
  people.push(alice, bob);
  await createGroup(srv, alice, [bob], 'Team');
  for (const p of people) await openConversation(p.page, 'Team');

  await alice.page.getByRole('button', { name: 'Start voice call' }).click();
  await expect(panelOf(alice.page).getByRole('status')).toHaveText('Connected');
  await bob.page.getByRole('main').getByRole('button', { name: 'Join call' }).click();
  await expect(panelOf(bob.page).getByRole('status')).toHaveText('Connected');
  await expectHears(bob, [ALICE_HZ]);
  await expect.poll(async () => (await hostLog(alice.page)).hostStates.at(-1)).toEqual({ signedIn: true, presence: 'online', inCall: true, muted: false });

  // Devices menu → "Fake Audio Input 2": same sender, new track, no offer/answer, still in the call.
  const input2 = await reportedDeviceId(alice.page, 'audioinput', 'Fake Audio Input 2');
  await markAudioSender(alice.page);
  const participantsBefore = await participantsText(alice.page);
  await sendHostCommand(alice.page, { type: 'chooseDevice', role: 'microphone', device: { id: input2, label: 'Fake Audio Input 2' } });
  await expect.poll(async () => (await audioSenderFacts(alice.page)).deviceId).toBe(input2);
  expect(await audioSenderFacts(alice.page)).toMatchObject({ sameSender: true, trackLive: true, signalingChanges: 0 });
  await expect(panelOf(alice.page).getByRole('status')).toHaveText('Connected');
  expect(await participantsText(alice.page)).toBe(participantsBefore);
  await expectHears(bob, [ALICE_HZ]);
  await expect(panelOf(alice.page).getByRole('combobox', { name: 'Microphone' })).toHaveValue(input2);

  // The in-call picker: the call moves, and the choice is saved for the next call.
  const input1 = await reportedDeviceId(alice.page, 'audioinput', 'Fake Audio Input 1');
  await panelOf(alice.page).getByRole('combobox', { name: 'Microphone' }).selectOption(input1);
  await expect.poll(async () => (await audioSenderFacts(alice.page)).deviceId).toBe(input1);
  await expect.poll(() => alice.page.evaluate(() => localStorage.getItem('earshot:setting:microphone'))).toBe(JSON.stringify({ id: input1, label: 'Fake Audio Input 1' }));
  expect(await audioSenderFacts(alice.page)).toMatchObject({ sameSender: true, signalingChanges: 0 });
  await expectHears(bob, [ALICE_HZ]);

  // Tray / global shortcut mute.
  await sendHostCommand(alice.page, { type: 'toggleMute' });
  await expect(panelOf(alice.page).getByRole('button', { name: 'Unmute', exact: true })).toBeVisible();
  await expectHears(bob, []);
  await expect.poll(async () => (await hostLog(alice.page)).hostStates.at(-1)?.muted).toBe(true);
  await sendHostCommand(alice.page, { type: 'toggleMute' });
  await expect(panelOf(alice.page).getByRole('button', { name: 'Mute', exact: true })).toBeVisible();
  await expectHears(bob, [ALICE_HZ]);
  // Alice keeps hearing Bob throughout.
  await expectHears(alice, [BOB_HZ]);
});

test('joinGroupCall from a deep link or the tray joins the conversation\'s ongoing call', async () => {
  srv = await startTestServer({ sfu: true });
  const alice = await openParticipant(srv, 'alice', 'Alice', ALICE_HZ, { settings, prepare: installDesktopBridge });
  const bob = await openParticipant(srv, 'bob', 'Bob', BOB_HZ, { settings });
  people.push(alice, bob);
  const conversationId = await createGroup(srv, bob, [alice], 'Team');
  await openConversation(bob.page, 'Team');
  await bob.page.getByRole('button', { name: 'Start voice call' }).click();
  await expect(panelOf(bob.page).getByRole('status')).toHaveText('Connected');

  await sendHostCommand(alice.page, { type: 'joinGroupCall', conversationId });
  await expect(panelOf(alice.page).getByRole('status')).toHaveText('Connected');
  await expect(alice.page.getByRole('main')).toContainText('Team');
  await expectHears(bob, [ALICE_HZ]);
});
