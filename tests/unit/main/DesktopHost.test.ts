import { describe, expect, it, vi } from 'vitest';
import type { BridgeNotification, DeviceReport, HostCommand, HostingInfo } from '../../../common/bridge.js';
import { EarshotError } from '../../../common/errors.js';
import { DesktopHost } from '../../../main/DesktopHost.js';
import { findMenuItem, type MenuItemModel } from '../../../main/menu/menuModel.js';
import { PowerSaveGuard } from '../../../main/powerSave.js';
import { RingController } from '../../../main/ring/RingController.js';
import { RingPolicy } from '../../../main/ring/RingPolicy.js';
import { SessionTokenStore } from '../../../main/settings/SessionTokenStore.js';
import { SettingsStore } from '../../../main/settings/SettingsStore.js';
import { MuteShortcut } from '../../../main/shortcuts.js';
import type { TrayModel } from '../../../main/tray/trayMenuModel.js';

function setup(opts: { focused?: boolean; takenShortcuts?: string[] } = {}) {
  const values = new Map<string, unknown>();
  const settings = new SettingsStore({ get: (k) => values.get(k), set: (k, v) => void values.set(k, v) });
  const tokens = new Map<string, unknown>();
  const session = new SessionTokenStore(
    { get: (k) => tokens.get(k), set: (k, v) => void tokens.set(k, v), delete: (k) => void tokens.delete(k) },
    { isEncryptionAvailable: () => false, encryptString: () => Buffer.from(''), decryptString: () => '' },
  );
  const sent: HostCommand[] = [];
  const notices: BridgeNotification[] = [];
  const clicks: Array<() => void> = [];
  const log: string[] = [];
  const trays: TrayModel[] = [];
  const menus: MenuItemModel[][] = [];
  const badges: number[] = [];
  const registered = new Map<string, () => void>();
  let blockerOn = false;
  // eslint-disable-next-line prefer-const -- the ring controller reads the host through a callback
  let host: DesktopHost;
  const ring = new RingController({
    policy: new RingPolicy(),
    window: { open: () => log.push('ring:open'), close: () => log.push('ring:close'), focus: () => undefined },
    notify: (n) => notices.push(n),
    sendToMain: (c) => sent.push(c),
    showMain: () => log.push('showMain'),
    isDnd: () => host.state.presence === 'dnd',
    onMissedCallsChange: () => host.missedCallsChanged(),
  });
  const applyLoginItem = vi.fn(async (_enabled: boolean) => undefined);
  const applyHosting = vi.fn(async (_enabled: boolean) => undefined);
  let hosting: HostingInfo | null = null;
  host = new DesktopHost({
    hosting: () => hosting,
    settings,
    session,
    ring,
    powerSave: new PowerSaveGuard({ start: () => ((blockerOn = true), 1), stop: () => void (blockerOn = false), isStarted: () => blockerOn }),
    shortcut: new MuteShortcut(
      {
        register: (a, cb) => (opts.takenShortcuts?.includes(a) ? false : (registered.set(a, cb), true)),
        unregister: (a) => void registered.delete(a),
      },
      () => host.toggleMute(),
    ),
    applyLoginItem,
    applyHosting,
    notify: (n, onClick) => {
      notices.push(n);
      if (onClick) clicks.push(onClick);
      return true;
    },
    sendToMain: (c) => sent.push(c),
    showMain: () => log.push('showMain'),
    quit: () => log.push('quit'),
    setBadgeCount: (n) => badges.push(n),
    renderTray: (m) => trays.push(m),
    renderAppMenu: (m) => menus.push(m),
    isMainWindowFocused: () => opts.focused ?? false,
    serverUrl: () => 'http://127.0.0.1:8080',
    onRendererReady: () => log.push('ready'),
    platform: 'linux',
    devTools: false,
  });
  const h = host.handlers();
  return { host, h, settings, sent, notices, clicks, log, trays, menus, badges, registered, applyLoginItem, applyHosting, setHosting: (info: HostingInfo | null) => (hosting = info), blocker: () => blockerOn, values };
}

const report = (devices: DeviceReport['devices'], activeMicrophoneId = ''): DeviceReport => ({ devices, activeMicrophoneId, activeSpeakerId: '', activeRingDeviceId: '' });

describe('DesktopHost', () => {
  it('start registers the mute shortcut and applies login item and hosting settings', async () => {
    const t = setup();
    t.settings.set('hostOnThisComputer', true);
    await t.host.start();
    expect([...t.registered.keys()]).toEqual(['CommandOrControl+Shift+M']);
    t.registered.get('CommandOrControl+Shift+M')?.();
    expect(t.sent).toEqual([{ type: 'toggleMute' }]);
    expect(t.applyLoginItem).toHaveBeenCalledWith(false);
    expect(t.applyHosting).toHaveBeenCalledWith(true);
    expect(t.trays.at(-1)?.icon).toBe('signed-out');
  });

  it('state reports drive the tray icon, the power-save blocker and renderer readiness', async () => {
    const t = setup();
    await t.host.start();
    await t.h['state:report']({ signedIn: true, presence: 'online', inCall: true, muted: true });
    expect(t.trays.at(-1)?.icon).toBe('muted');
    expect(t.blocker()).toBe(true);
    expect(t.log).toContain('ready');
    await t.h['state:report']({ signedIn: true, presence: 'online', inCall: false, muted: false });
    expect(t.blocker()).toBe(false);
  });

  it('returns the effective server URL for serverUrl, stored values otherwise', async () => {
    const t = setup();
    expect(await t.h['settings:get']('serverUrl')).toBe('http://127.0.0.1:8080');
    t.settings.set('ringVolume', 0.25);
    expect(await t.h['settings:get']('ringVolume')).toBe(0.25);
  });

  it('refuses a taken mute shortcut with BAD_REQUEST, keeping the old one stored and registered', async () => {
    const t = setup({ takenShortcuts: ['Alt+M'] });
    await t.host.start();
    await expect(Promise.resolve().then(() => t.h['settings:set']('muteShortcut', 'Alt+M'))).rejects.toThrow(EarshotError);
    expect(t.settings.get('muteShortcut')).toBe('CommandOrControl+Shift+M');
    expect([...t.registered.keys()]).toEqual(['CommandOrControl+Shift+M']);
    await t.h['settings:set']('muteShortcut', 'Ctrl+Alt+K');
    expect(t.settings.get('muteShortcut')).toBe('Ctrl+Alt+K');
    expect([...t.registered.keys()]).toEqual(['Ctrl+Alt+K']);
  });

  it('tells the main window where the in-app server is reached while it runs', async () => {
    const t = setup();
    expect(await t.h['hosting:info']()).toBeNull();
    t.setHosting({ lanUrls: ['https://192.168.1.20:8443'], fingerprint: 'AB:CD' });
    expect(await t.h['hosting:info']()).toEqual({ lanUrls: ['https://192.168.1.20:8443'], fingerprint: 'AB:CD' });
  });

  it('applies startAtLogin and hostOnThisComputer when they change', async () => {
    const t = setup();
    await t.host.start();
    await t.h['settings:set']('startAtLogin', true);
    await t.h['settings:set']('hostOnThisComputer', true);
    await vi.waitFor(() => expect(t.applyHosting).toHaveBeenCalledWith(true));
    expect(t.applyLoginItem).toHaveBeenLastCalledWith(true);
  });

  it('a device picked in a menu is saved and sent to the renderer; the radio follows the report', async () => {
    const t = setup();
    await t.host.start();
    await t.h['devices:report'](report([{ kind: 'audioinput', deviceId: 'm1', label: 'Headset' }, { kind: 'audioinput', deviceId: 'm2', label: 'Built-in' }], 'm1'));
    const item = findMenuItem(t.trays.at(-1)?.menu ?? [], 'microphone:m2');
    expect(item).toMatchObject({ checked: false });
    if (item?.kind !== 'radio' || !item.action) throw new Error('no action');
    t.host.dispatch(item.action);
    expect(t.settings.get('microphone')).toEqual({ id: 'm2', label: 'Built-in' });
    expect(t.sent.at(-1)).toEqual({ type: 'chooseDevice', role: 'microphone', device: { id: 'm2', label: 'Built-in' } });
    await t.h['devices:report'](report([{ kind: 'audioinput', deviceId: 'm1', label: 'Headset' }, { kind: 'audioinput', deviceId: 'm2', label: 'Built-in' }], 'm2'));
    expect(findMenuItem(t.menus.at(-1) ?? [], 'microphone:m2')).toMatchObject({ checked: true });
  });

  it('unplugging the chosen device shows a native notice while the window is not focused', async () => {
    const t = setup({ focused: false });
    t.settings.set('microphone', { id: 'm1', label: 'Headset' });
    const builtIn = { kind: 'audioinput', deviceId: 'b', label: 'Built-in' } as const;
    await t.h['devices:report'](report([builtIn, { kind: 'audioinput', deviceId: 'm1', label: 'Headset' }], 'm1'));
    await t.h['devices:report'](report([builtIn]));
    expect(t.notices).toHaveLength(1);
    expect(t.notices.at(-1)).toEqual({ title: 'Headset disconnected', body: 'Using the system default microphone until it is back.' });
    expect(findMenuItem(t.trays.at(-1)?.menu ?? [], 'microphone:missing')).toBeDefined();
  });

  it('a newly plugged headset is offered; clicking the notice selects it', async () => {
    const t = setup({ focused: false });
    await t.h['devices:report'](report([{ kind: 'audioinput', deviceId: 'b', label: 'Built-in' }]));
    await t.h['devices:report'](report([{ kind: 'audioinput', deviceId: 'b', label: 'Built-in' }, { kind: 'audioinput', deviceId: 'j', label: 'Jabra' }]));
    expect(t.notices.at(-1)?.title).toBe('New microphone');
    t.clicks.at(-1)?.();
    expect(t.settings.get('microphone')).toEqual({ id: 'j', label: 'Jabra' });
  });

  it('a headset (microphone and earpiece of one device group) is offered for both; one click selects both', async () => {
    const t = setup({ focused: false });
    const builtIn = [{ kind: 'audioinput' as const, deviceId: 'b', label: 'Built-in' }];
    await t.h['devices:report'](report(builtIn));
    await t.h['devices:report'](
      report([...builtIn, { kind: 'audioinput', deviceId: 'h', label: 'Headset Mic', groupId: 'g1' }, { kind: 'audiooutput', deviceId: 'ho', label: 'Headset Earpiece', groupId: 'g1' }]),
    );
    expect(t.notices.at(-1)?.title).toBe('New headset');
    t.clicks.at(-1)?.();
    expect(t.settings.get('microphone')).toEqual({ id: 'h', label: 'Headset Mic' });
    expect(t.settings.get('speaker')).toEqual({ id: 'ho', label: 'Headset Earpiece' });
    expect(t.sent.slice(-2)).toEqual([
      { type: 'chooseDevice', role: 'microphone', device: { id: 'h', label: 'Headset Mic' } },
      { type: 'chooseDevice', role: 'speaker', device: { id: 'ho', label: 'Headset Earpiece' } },
    ]);
  });

  it('does not raise native device notices while the user looks at the window (the page shows them)', async () => {
    const t = setup({ focused: true });
    t.settings.set('microphone', { id: 'm1', label: 'Headset' });
    await t.h['devices:report'](report([{ kind: 'audioinput', deviceId: 'm1', label: 'Headset' }]));
    await t.h['devices:report'](report([]));
    expect(t.notices).toEqual([]);
  });

  it('DND suppresses ringing and counts a missed call in tray tooltip and badge', async () => {
    const t = setup();
    await t.host.start();
    await t.h['state:report']({ signedIn: true, presence: 'dnd', inCall: false, muted: false });
    await t.h['badge:set'](2);
    await t.h['ring:started']({ callId: 'c1', callerName: 'Ada', conversationId: 1 });
    expect(t.log).not.toContain('ring:open');
    expect(t.trays.at(-1)?.tooltip).toBe('Earshot — Do not disturb · 1 missed call');
    expect(t.badges.at(-1)).toBe(3);
    t.host.dispatch({ type: 'clearMissed' });
    expect(t.badges.at(-1)).toBe(2);
    expect(t.log.at(-1)).toBe('showMain');
  });

  it('counts a call the server refused without ringing (ended as missed, never started) once, in tray and badge', async () => {
    const t = setup();
    await t.host.start();
    await t.h['state:report']({ signedIn: true, presence: 'dnd', inCall: false, muted: false });
    await t.h['ring:ended']('refused-dnd', true);
    await t.h['ring:ended']('refused-dnd', true); // a second device's report of the same call
    await t.h['ring:ended']('refused-busy', true);
    expect(t.log).not.toContain('ring:open');
    expect(t.trays.at(-1)?.tooltip).toBe('Earshot — Do not disturb · 2 missed calls');
    expect(t.trays.at(-1)?.menu.find((item) => item.kind === 'normal' && item.id === 'missed')).toMatchObject({ label: '2 missed calls — show' });
    expect(t.badges.at(-1)).toBe(2);
  });

  it('rings when available, and the ring window answer reaches the main window', async () => {
    const t = setup();
    await t.host.start();
    await t.h['state:report']({ signedIn: true, presence: 'online', inCall: false, muted: false });
    await t.h['ring:started']({ callId: 'c1', callerName: 'Ada', conversationId: 1 });
    expect(t.log).toContain('ring:open');
    expect(await t.h['ring:current']()).toEqual({ callId: 'c1', callerName: 'Ada', conversationId: 1 });
    await t.h['ring:answer']('c1', 'accept');
    expect(t.sent.at(-1)).toEqual({ type: 'answerRing', callId: 'c1', response: 'accept' });
    expect(await t.h['ring:current']()).toBeNull();
  });

  it('tray clicks: open, quit, presence', () => {
    const t = setup();
    t.host.dispatch({ type: 'open' });
    t.host.dispatch({ type: 'quit' });
    t.host.dispatch({ type: 'command', command: { type: 'setPresence', presence: 'dnd' } });
    expect(t.log).toEqual(['showMain', 'quit']);
    expect(t.sent).toEqual([{ type: 'setPresence', presence: 'dnd' }]);
  });

  it('keeps the session token', async () => {
    const t = setup();
    await t.h['session:set']('tok');
    expect(await t.h['session:get']()).toBe('tok');
  });
});
