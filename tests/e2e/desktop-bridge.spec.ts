import { expect, test, type Page } from '@playwright/test';
import { remotePeak } from '../helpers/audioProbe.js';
import { createDirect, finishCallTest, openConversation, openParticipant, type Participant } from '../helpers/callPages.js';
import { audioSenderFacts, hostLog, installDesktopBridge, markAudioSender, reportedDeviceId, sendHostCommand } from '../helpers/desktopBridge.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

/**
 * The renderer's desktop features in Chromium against the real server, through a stand-in
 * desktop bridge (tests/helpers/desktopBridge.ts) that records what the renderer tells its host
 * and plays the host's commands: device reports and choices, mute from the tray, ringing through
 * the host and the ring window, do not disturb, and hot-plug.
 */

const TOLERANCE_HZ = 15;
const ALICE_HZ = 440;
const BOB_HZ = 1000;
// Steady test tones are exactly what noise suppression removes: switch it off, as a user can.
const settings = { noiseSuppression: false, autoGainControl: false };

let srv: TestServer | undefined;
const people: Participant[] = [];

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test.afterEach(async ({}, testInfo) => {
  await finishCallTest(testInfo, srv, people);
  srv = undefined;
});

/** Alice in the "desktop app" (stand-in bridge) and Bob in a plain browser tab, or the other way round. */
async function pair(desktop: 'alice' | 'bob') {
  srv = await startTestServer();
  const prepare = installDesktopBridge;
  const alice = await openParticipant(srv, 'alice', 'Alice', ALICE_HZ, { settings, ...(desktop === 'alice' ? { prepare } : {}) });
  const bob = await openParticipant(srv, 'bob', 'Bob', BOB_HZ, { settings, ...(desktop === 'bob' ? { prepare } : {}) });
  people.push(alice, bob);
  await createDirect(srv, alice, bob);
  return { alice, bob };
}

/** Place a call from `caller` to `callee` and answer it in the callee's page. */
async function connectCall(caller: Participant, callee: Participant) {
  await openConversation(caller.page, callee.name);
  await caller.page.getByRole('button', { name: 'Call', exact: true }).click();
  await callee.page.getByRole('alertdialog', { name: `Incoming call from ${caller.name}` }).getByRole('button', { name: 'Accept' }).click();
  const panel = caller.page.getByRole('region', { name: `Call with ${callee.name}` });
  await expect(panel.getByRole('status')).toHaveText('Connected');
  await expect(callee.page.getByRole('region', { name: `Call with ${caller.name}` }).getByRole('status')).toHaveText('Connected');
  return panel;
}

async function hears(page: Page, hz: number) {
  await expect.poll(async () => Math.abs((await remotePeak(page)).hz - hz), { timeout: 15_000 }).toBeLessThan(TOLERANCE_HZ);
}

const savedSetting = (page: Page, key: string) => page.evaluate((k) => JSON.parse(localStorage.getItem(`earshot:setting:${k}`) ?? 'null') as unknown, key);

test('the host hears of the devices; a device chosen in the native menu applies mid-call without renegotiation; the tray mutes', async () => {
  const { alice, bob } = await pair('alice');

  // Chromium's fake devices reach the host (without the "default" pseudo-devices: that is the menu's "System default").
  await expect
    .poll(async () => (await hostLog(alice.page)).deviceReports.at(-1)?.devices.map((d) => `${d.kind}:${d.label}`).sort())
    .toEqual(['audioinput:Fake Audio Input 1', 'audioinput:Fake Audio Input 2', 'audiooutput:Fake Audio Output 1', 'audiooutput:Fake Audio Output 2']);
  expect((await hostLog(alice.page)).deviceReports.at(-1)).toMatchObject({ activeMicrophoneId: '', activeSpeakerId: '', activeRingDeviceId: '' });
  await expect.poll(async () => (await hostLog(alice.page)).hostStates.at(-1)).toEqual({ signedIn: true, presence: 'online', inCall: false, muted: false });

  const panel = await connectCall(alice, bob);
  await hears(bob.page, ALICE_HZ);
  expect((await hostLog(alice.page)).hostStates.at(-1)).toEqual({ signedIn: true, presence: 'online', inCall: true, muted: false });

  // Devices menu → "Fake Audio Input 2": the sender keeps going with a new track from that device; no offer/answer.
  const input2 = await reportedDeviceId(alice.page, 'audioinput', 'Fake Audio Input 2');
  await markAudioSender(alice.page);
  await sendHostCommand(alice.page, { type: 'chooseDevice', role: 'microphone', device: { id: input2, label: 'Fake Audio Input 2' } });
  await expect.poll(async () => (await audioSenderFacts(alice.page)).deviceId).toBe(input2);
  expect(await audioSenderFacts(alice.page)).toEqual({ sameSender: true, senders: 1, deviceId: input2, trackLive: true, signalingChanges: 0 });
  await hears(bob.page, ALICE_HZ);
  expect(await savedSetting(alice.page, 'microphone')).toEqual({ id: input2, label: 'Fake Audio Input 2' });
  expect((await hostLog(alice.page)).deviceReports.at(-1)?.activeMicrophoneId).toBe(input2);

  // Devices menu → speaker: the call audio moves to it at once.
  const output1 = await reportedDeviceId(alice.page, 'audiooutput', 'Fake Audio Output 1');
  await sendHostCommand(alice.page, { type: 'chooseDevice', role: 'speaker', device: { id: output1, label: 'Fake Audio Output 1' } });
  await expect.poll(() => alice.page.evaluate(() => [...document.querySelectorAll('audio')].map((a) => a.sinkId))).toEqual([output1]);
  expect((await hostLog(alice.page)).deviceReports.at(-1)).toMatchObject({ activeSpeakerId: output1, activeRingDeviceId: output1 });

  // Tray / global shortcut: toggleMute silences Alice for Bob, and again brings her back.
  await sendHostCommand(alice.page, { type: 'toggleMute' });
  await expect(panel.getByRole('button', { name: 'Unmute' })).toBeVisible();
  await expect.poll(async () => (await remotePeak(bob.page)).hz).toBe(0);
  await expect.poll(async () => (await hostLog(alice.page)).hostStates.at(-1)).toEqual({ signedIn: true, presence: 'online', inCall: true, muted: true });
  await sendHostCommand(alice.page, { type: 'toggleMute' });
  await expect(panel.getByRole('button', { name: 'Mute' })).toBeVisible();
  await hears(bob.page, ALICE_HZ);

  // A new call opens the chosen microphone from the start.
  await panel.getByRole('button', { name: 'Hang up' }).click();
  await expect(panel).toBeHidden();
  await expect.poll(async () => (await hostLog(alice.page)).hostStates.at(-1)?.inCall).toBe(false);
  await connectCall(alice, bob);
  await markAudioSender(alice.page);
  expect((await audioSenderFacts(alice.page)).deviceId).toBe(input2);
  await hears(bob.page, ALICE_HZ);
});

test('an incoming call rings through the host on the ring device; Accept in the ring window answers it', async () => {
  const { alice, bob } = await pair('bob');
  const output2 = await expect
    .poll(async () => (await hostLog(bob.page)).deviceReports.length)
    .toBeGreaterThan(0)
    .then(() => reportedDeviceId(bob.page, 'audiooutput', 'Fake Audio Output 2'));
  await sendHostCommand(bob.page, { type: 'chooseDevice', role: 'ringDevice', device: { id: output2, label: 'Fake Audio Output 2' } });

  await openConversation(alice.page, 'Bob');
  await alice.page.getByRole('button', { name: 'Call', exact: true }).click();
  await expect(bob.page.getByRole('alertdialog', { name: 'Incoming call from Alice' })).toBeVisible();
  await expect.poll(async () => (await hostLog(bob.page)).ringsStarted.map((r) => r.callerName)).toEqual(['Alice']);
  // The ringtone plays on the chosen ring device.
  await expect.poll(async () => (await hostLog(bob.page)).contextSinks).toContain(output2);

  // The ring window (same app, `#/ring`) shows the caller from the host, and never talks to the server.
  const ringPage = await bob.page.context().newPage();
  const sockets: string[] = [];
  ringPage.on('websocket', (ws) => sockets.push(ws.url()));
  await installDesktopBridge(ringPage);
  await ringPage.goto(`${srv!.url}/#/ring`);
  const ring = ringPage.getByRole('main', { name: 'Incoming call from Alice' });
  await expect(ring).toContainText('Alice is calling…');
  await expect(ring.getByRole('button', { name: 'Decline' })).toBeEnabled();
  await expect(ring.getByRole('button', { name: 'Busy — call back later' })).toBeEnabled();
  await ring.getByRole('button', { name: 'Accept' }).click();
  await expect(ring.getByRole('status')).toHaveText('Answering…');
  const callId = (await hostLog(bob.page)).ringsStarted[0]!.callId;
  expect((await hostLog(ringPage)).answers).toEqual([{ callId, response: 'accept' }]);
  expect(sockets).toEqual([]);

  // The main window got the answer as a host command: the call connects and audio flows both ways.
  await expect(bob.page.getByRole('region', { name: 'Call with Alice' }).getByRole('status')).toHaveText('Connected');
  await expect(alice.page.getByRole('region', { name: 'Call with Bob' }).getByRole('status')).toHaveText('Connected');
  await hears(alice.page, BOB_HZ);
  await hears(bob.page, ALICE_HZ);
  expect((await hostLog(bob.page)).ringsEnded).toEqual([{ callId, missed: false }]);
  await ringPage.close();
});

test('"Busy — call back later" from the ring window; in do not disturb nothing rings and the missed call is recorded', async () => {
  const { alice, bob } = await pair('bob');
  await openConversation(alice.page, 'Bob');
  const callButton = alice.page.getByRole('button', { name: 'Call', exact: true });
  await callButton.click();
  await expect.poll(async () => (await hostLog(bob.page)).ringsStarted.length).toBe(1);
  const ringPage = await bob.page.context().newPage();
  await installDesktopBridge(ringPage);
  await ringPage.goto(`${srv!.url}/#/ring`);
  await ringPage.getByRole('button', { name: 'Busy — call back later' }).click();
  await expect(alice.page.getByRole('alert')).toHaveText('Bob is busy — call back later');
  const callId = (await hostLog(bob.page)).ringsStarted[0]!.callId;
  expect((await hostLog(ringPage)).answers).toEqual([{ callId, response: 'busy' }]);
  await expect.poll(async () => (await hostLog(bob.page)).ringsEnded).toEqual([{ callId, missed: false }]);
  await expect(bob.page.getByRole('alertdialog')).toBeHidden();
  await ringPage.close();

  // Do not disturb from the tray: the server refuses to ring Bob and records the missed call.
  await sendHostCommand(bob.page, { type: 'setPresence', presence: 'dnd' });
  await expect.poll(async () => (await hostLog(bob.page)).hostStates.at(-1)?.presence).toBe('dnd');
  const notificationsBefore = (await hostLog(bob.page)).notifications.length;
  await expect(bob.page.getByRole('combobox', { name: /status/i })).toHaveValue('dnd');
  await callButton.click();
  await expect(alice.page.getByRole('alert')).toHaveText('Bob has do not disturb on.');
  await openConversation(bob.page, 'Alice');
  await expect(bob.page.getByRole('log', { name: 'Messages' })).toContainText('Missed voice call from Alice (do not disturb)');
  expect((await hostLog(bob.page)).ringsStarted).toHaveLength(1);
  // The server tells Bob's device of the call it refused; the host counts it as missed (tray,
  // badge) without ringing or a notification.
  await expect.poll(async () => (await hostLog(bob.page)).ringsEnded).toEqual([
    { callId, missed: false },
    { callId: expect.not.stringMatching(`^${callId}$`) as unknown as string, missed: true },
  ]);
  expect((await hostLog(bob.page)).notifications.slice(notificationsBefore)).toEqual([]);
  await expect(bob.page.getByRole('alertdialog')).toBeHidden();
  expect((await hostLog(bob.page)).contextSinks).toEqual([]); // no ringtone either (the first ring used the default output)
  await bob.page.getByRole('button', { name: 'Call history' }).click();
  await expect(bob.page.getByRole('dialog', { name: 'Call history' }).getByRole('listitem').first()).toContainText(/From Alice\s*Do not disturb/);
});

test('hot-plug: unplugging the chosen microphone mid-call falls back to the default, re-plugging restores it, a new headset is offered', async () => {
  const { alice, bob } = await pair('alice');
  await expect.poll(async () => (await hostLog(alice.page)).deviceReports.length).toBeGreaterThan(0);
  const input2 = await reportedDeviceId(alice.page, 'audioinput', 'Fake Audio Input 2');
  await sendHostCommand(alice.page, { type: 'chooseDevice', role: 'microphone', device: { id: input2, label: 'Fake Audio Input 2' } });
  const panel = await connectCall(alice, bob);
  await markAudioSender(alice.page);
  expect((await audioSenderFacts(alice.page)).deviceId).toBe(input2);
  const notices = alice.page.getByRole('region', { name: 'Device notices' });

  await alice.page.evaluate(() => window.__devices!.unplug('Fake Audio Input 2'));
  await expect(notices.getByRole('status')).toHaveText(['Fake Audio Input 2 was disconnected — using the system default microphone']);
  await expect.poll(async () => (await audioSenderFacts(alice.page)).deviceId).not.toBe(input2);
  expect(await audioSenderFacts(alice.page)).toMatchObject({ sameSender: true, trackLive: true, signalingChanges: 0 });
  expect((await hostLog(alice.page)).deviceReports.at(-1)?.activeMicrophoneId).toBe('');
  expect((await hostLog(alice.page)).deviceReports.at(-1)?.devices.map((d) => d.label)).not.toContain('Fake Audio Input 2');
  await hears(bob.page, ALICE_HZ);
  // The choice is kept for when it comes back.
  expect(await savedSetting(alice.page, 'microphone')).toEqual({ id: input2, label: 'Fake Audio Input 2' });

  await alice.page.evaluate(() => window.__devices!.replug('Fake Audio Input 2'));
  await expect(notices.getByRole('status').last()).toHaveText('Fake Audio Input 2 was reconnected — using it again as the microphone');
  await expect.poll(async () => (await audioSenderFacts(alice.page)).deviceId).toBe(input2);
  expect(await audioSenderFacts(alice.page)).toMatchObject({ sameSender: true, trackLive: true, signalingChanges: 0 });
  expect((await hostLog(alice.page)).deviceReports.at(-1)?.activeMicrophoneId).toBe(input2);
  await hears(bob.page, ALICE_HZ);
  await panel.getByRole('button', { name: 'Hang up' }).click();
  await expect(panel).toBeHidden();

  // A headset never seen before is offered; "Use" chooses and saves it.
  await alice.page.evaluate(() => window.__devices!.plug({ kind: 'audioinput', deviceId: 'usb-headset-1', label: 'USB Headset' }));
  await expect(notices.getByRole('status').last()).toHaveText('New microphone connected: USB Headset');
  // The host hears of it with its device group (how main pairs a headset's microphone and earpiece).
  expect((await hostLog(alice.page)).deviceReports.at(-1)?.devices).toContainEqual({ kind: 'audioinput', deviceId: 'usb-headset-1', label: 'USB Headset', groupId: 'group-usb-headset-1' });
  await notices.getByRole('button', { name: 'Use USB Headset' }).click();
  await expect(notices.getByRole('button', { name: 'Use USB Headset' })).toBeHidden();
  expect(await savedSetting(alice.page, 'microphone')).toEqual({ id: 'usb-headset-1', label: 'USB Headset' });
  await expect.poll(async () => (await hostLog(alice.page)).deviceReports.at(-1)?.activeMicrophoneId).toBe('usb-headset-1');
});

test('the settings page: device choices, microphone test with a live level, test sound, and the desktop switches', async () => {
  const { alice, bob } = await pair('alice');
  await alice.page.getByRole('button', { name: 'Settings' }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'Settings' });
  const microphone = dialog.getByRole('combobox', { name: 'Microphone' });
  await expect(microphone.getByRole('option')).toHaveText(['System default', 'Fake Audio Input 1', 'Fake Audio Input 2']);
  await expect(dialog.getByRole('combobox', { name: 'Speaker' }).getByRole('option')).toHaveText(['System default', 'Fake Audio Output 1', 'Fake Audio Output 2']);
  await expect(dialog.getByRole('combobox', { name: 'Ring device' }).getByRole('option')).toHaveText(['Same as speaker', 'Fake Audio Output 1', 'Fake Audio Output 2']);

  await microphone.selectOption({ label: 'Fake Audio Input 1' });
  const input1 = await reportedDeviceId(alice.page, 'audioinput', 'Fake Audio Input 1');
  await expect.poll(() => savedSetting(alice.page, 'microphone')).toEqual({ id: input1, label: 'Fake Audio Input 1' });
  await expect.poll(async () => (await hostLog(alice.page)).deviceReports.at(-1)?.activeMicrophoneId).toBe(input1);

  // Microphone test: the meter moves with the (tone) input; stopping it drops to zero.
  await dialog.getByRole('button', { name: 'Test microphone' }).click();
  const meter = dialog.getByRole('meter', { name: 'Microphone test level' });
  await expect.poll(async () => Number(await meter.getAttribute('value'))).toBeGreaterThan(0.05);
  await dialog.getByRole('button', { name: 'Stop microphone test' }).click();
  await expect(meter).toHaveAttribute('value', '0');

  // Test sound on the chosen speaker.
  await dialog.getByRole('combobox', { name: 'Speaker' }).selectOption({ label: 'Fake Audio Output 2' });
  const output2 = await reportedDeviceId(alice.page, 'audiooutput', 'Fake Audio Output 2');
  await dialog.getByRole('button', { name: 'Play test sound' }).click();
  await expect(dialog.getByRole('button', { name: 'Play test sound' })).toBeEnabled();
  expect((await hostLog(alice.page)).contextSinks).toContain(output2);

  // Ring volume persists.
  await dialog.getByRole('slider', { name: 'Ring volume' }).fill('40');
  await expect.poll(() => savedSetting(alice.page, 'ringVolume')).toBe(0.4);

  // Desktop-only switches (platform 'electron'), saved through the bridge.
  await dialog.getByRole('checkbox', { name: /Start at login/ }).check();
  await expect.poll(() => savedSetting(alice.page, 'startAtLogin')).toBe(true);
  await expect(dialog.getByRole('checkbox', { name: /Close to tray/ })).toBeChecked();
  await expect(dialog.getByRole('checkbox', { name: /Host on this computer/ })).not.toBeChecked();
  const shortcut = dialog.getByRole('textbox', { name: 'Mute shortcut' });
  await expect(shortcut).toHaveValue('CommandOrControl+Shift+M');
  await shortcut.fill('Alt+M');
  await shortcut.press('Enter');
  await expect.poll(() => savedSetting(alice.page, 'muteShortcut')).toBe('Alt+M');

  // A plain browser tab has no desktop switches.
  await bob.page.getByRole('button', { name: 'Settings' }).click();
  const bobDialog = bob.page.getByRole('dialog', { name: 'Settings' });
  await expect(bobDialog.getByRole('combobox', { name: 'Microphone' })).toBeVisible();
  await expect(bobDialog.getByRole('checkbox', { name: /Close to tray/ })).toHaveCount(0);
});
