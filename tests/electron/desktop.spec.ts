import { expect, test } from '@playwright/test';
import type { DeviceReport, HostState } from '../../common/bridge.js';
import { EXPOSED_BRIDGE_KEYS } from '../helpers/bridgeKeys.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { register, TestClient } from '../helpers/wsClient.js';
import { electronSkipReason, launchDesktopApp, type LaunchedApp } from './electronApp.js';

/**
 * The desktop app, end to end, in the real Electron binary: launch and isolation, tray and
 * Devices menu, the ring window for an incoming call, and accepting from it. Where the binary
 * is not installed, every test here is reported as skipped with the reason — never run against
 * a stand-in.
 */
const skipReason = electronSkipReason();
test.skip(skipReason !== null, skipReason ?? '');

let srv: TestServer;
let desktop: LaunchedApp | undefined;

test.beforeEach(async () => {
  srv = await startTestServer();
});

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test.afterEach(async ({}, testInfo) => {
  if (desktop && testInfo.status !== testInfo.expectedStatus) {
    await testInfo.attach('main-window', { body: await desktop.main.screenshot().catch(() => Buffer.alloc(0)), contentType: 'image/png' });
  }
  await desktop?.app.close().catch(() => undefined);
  desktop = undefined;
  await srv.stop();
});

const state = (s: Partial<HostState>): HostState => ({ signedIn: true, presence: 'online', inCall: false, muted: false, ...s });

test('launches the renderer from app://earshot, sandboxed, with exactly window.earshot', async () => {
  desktop = await launchDesktopApp({ serverUrl: srv.url });
  const { main } = desktop;
  expect(main.url()).toMatch(/^app:\/\/earshot\/index\.html/);
  const page = await main.evaluate(() => ({
    bridgeKeys: Object.keys((window as unknown as { earshot: object }).earshot).sort(),
    platform: (window as unknown as { earshot: { platform: string } }).earshot.platform,
    require: typeof (window as unknown as { require?: unknown }).require,
    process: typeof (window as unknown as { process?: unknown }).process,
    electron: Object.keys(window).filter((k) => /electron|ipc/i.test(k)),
  }));
  expect(page).toEqual({
    bridgeKeys: [...EXPOSED_BRIDGE_KEYS],
    platform: 'electron',
    require: 'undefined',
    process: 'undefined',
    electron: [],
  });
  // The server URL the launcher gave is what the page gets.
  expect(await main.evaluate(() => (window as unknown as { earshot: { getSetting(k: string): Promise<unknown> } }).earshot.getSetting('serverUrl'))).toBe(srv.url);
  // A bad argument is refused with a typed error and changes nothing.
  const refused = await main.evaluate(() =>
    (window as unknown as { earshot: { setSetting(k: string, v: unknown): Promise<void> } }).earshot.setSetting('ringVolume', 7).then(() => 'ok', (e: Error) => e.message),
  );
  expect(refused).toMatch(/^BAD_REQUEST: /);
  expect(await desktop.hooks((h) => h.setting('ringVolume'))).toBe(0.8);
  // Navigation away from the app is blocked.
  await main.evaluate(() => void (window.location.href = 'https://example.com/'));
  await main.waitForTimeout(500);
  expect(main.url()).toMatch(/^app:\/\/earshot\//);
});

test('tray and Devices menu follow the reported state and devices; picking a device applies it', async () => {
  desktop = await launchDesktopApp({ serverUrl: srv.url });
  const { main } = desktop;
  const report: DeviceReport = {
    devices: [
      { kind: 'audioinput', deviceId: 'mic-usb', label: 'USB Headset' },
      { kind: 'audioinput', deviceId: 'mic-int', label: 'Built-in Microphone' },
      { kind: 'audiooutput', deviceId: 'out-usb', label: 'USB Headset' },
    ],
    activeMicrophoneId: 'mic-usb',
    activeSpeakerId: '',
    activeRingDeviceId: '',
  };
  await main.evaluate(
    async ([r, s]) => {
      const bridge = (window as unknown as { earshot: { reportDevices(r: unknown): Promise<void>; reportState(s: unknown): Promise<void>; onCommand(l: (c: unknown) => void): void } }).earshot;
      (window as unknown as { commands: unknown[] }).commands = [];
      bridge.onCommand((c) => (window as unknown as { commands: unknown[] }).commands.push(c));
      await bridge.reportDevices(r);
      await bridge.reportState(s);
    },
    [report, state({ inCall: true, muted: true })] as const,
  );
  const tray = await desktop.hooks((h) => h.trayModel());
  expect(tray.icon).toBe('muted');
  expect(tray.tooltip).toBe('Earshot — In a call (muted)');
  const menu = await desktop.hooks((h) => h.appMenuModel());
  expect(JSON.stringify(menu)).toContain('"id":"microphone:mic-usb","label":"USB Headset","checked":true');
  // Pick the built-in microphone from the Devices menu, as a click would.
  await desktop.hooks((h) =>
    h.dispatch({ type: 'command', command: { type: 'chooseDevice', role: 'microphone', device: { id: 'mic-int', label: 'Built-in Microphone' } } }),
  );
  expect(await desktop.hooks((h) => h.setting('microphone'))).toEqual({ id: 'mic-int', label: 'Built-in Microphone' });
  await expect
    .poll(() => main.evaluate(() => (window as unknown as { commands: unknown[] }).commands))
    .toContainEqual({ type: 'chooseDevice', role: 'microphone', device: { id: 'mic-int', label: 'Built-in Microphone' } });
});

test('do-not-disturb: a call the server refuses opens no ring window and counts a missed call', async () => {
  const callee = await register(srv.url, 'dana', 'Dana Desk');
  const caller = await register(srv.url, 'cody', 'Cody Caller');
  const cody = await TestClient.connect(srv.wsUrl, caller.token);
  const { conversation } = await cody.request('conversations.createDirect', { userId: callee.user.id });
  desktop = await launchDesktopApp({ serverUrl: srv.url, sessionToken: callee.token });
  const { main } = desktop;
  await expect(main.getByRole('button', { name: 'New direct message' })).toBeVisible();
  await main.getByRole('combobox', { name: /status/i }).selectOption('dnd');
  await expect.poll(async () => (await desktop!.hooks((h) => h.trayModel())).tooltip).toContain('Do not disturb');

  await expect(cody.request('call.place', { conversationId: conversation.id })).rejects.toMatchObject({ code: 'DO_NOT_DISTURB' });
  await expect.poll(() => desktop!.hooks((h) => h.missedCalls())).toBe(1);
  expect(await desktop.hooks((h) => h.ringWindowOpen())).toBe(false);
  expect((await desktop.hooks((h) => h.trayModel())).tooltip).toContain('1 missed call');
  cody.close();
});

test('an incoming call shows the ring window with the caller; Accept joins the call', async () => {
  const callee = await register(srv.url, 'dora', 'Dora Desk');
  const caller = await register(srv.url, 'carl', 'Carl Caller');
  const carl = await TestClient.connect(srv.wsUrl, caller.token);
  const { conversation } = await carl.request('conversations.createDirect', { userId: callee.user.id });
  desktop = await launchDesktopApp({ serverUrl: srv.url, sessionToken: callee.token });
  const { app, main } = desktop;
  await expect(main.getByRole('button', { name: 'New direct message' })).toBeVisible();
  // Minimise: the ring must work without the main window in front.
  await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.minimize());

  const ringWindow = app.waitForEvent('window', { predicate: (w) => w.url().includes('#/ring'), timeout: 20_000 });
  const { call } = await carl.request('call.place', { conversationId: conversation.id });
  const ring = await ringWindow;
  await expect(ring.getByText('Carl Caller')).toBeVisible();
  await expect(ring.getByRole('button', { name: 'Decline' })).toBeVisible();
  await ring.getByRole('button', { name: 'Accept' }).click();

  const accepted = await carl.waitFor('call.accepted', (d) => d.call.callId === call.callId, 20_000);
  expect(accepted.call.callId).toBe(call.callId);
  await expect.poll(() => desktop!.hooks((h) => h.ringWindowOpen())).toBe(false);
  await expect.poll(() => desktop!.hooks((h) => h.mainWindowVisible())).toBe(true);
  await carl.request('call.hangup', { callId: call.callId }).catch(() => undefined);
  carl.close();
});
