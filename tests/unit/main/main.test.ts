import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * main.ts, the wiring, run against a fake `electron` module (the real binary cannot run here):
 * what it registers at start, and that IPC, the ring window, menus, deep links and closing are
 * connected the way the modules' own tests assume. Every module's logic is tested on its own.
 */
const fake = await vi.hoisted(async () => {
  // vi.hoisted runs before the imports above are bound: load what the fake needs itself.
  const { EventEmitter: Emitter } = await import('node:events');
  let nextId = 1;
  class WebContents extends Emitter {
    readonly id = nextId++;
    readonly sent: unknown[][] = [];
    openHandler: ((d: { url: string }) => unknown) | undefined;
    send(channel: string, ...args: unknown[]) {
      this.sent.push([channel, ...args]);
    }
    setWindowOpenHandler(handler: (d: { url: string }) => unknown) {
      this.openHandler = handler;
    }
    reload() {}
  }
  class BrowserWindow extends Emitter {
    static all: BrowserWindow[] = [];
    readonly webContents = new WebContents();
    url = '';
    visible = false;
    destroyed = false;
    constructor(readonly options: Record<string, unknown>) {
      super();
      BrowserWindow.all.push(this);
      app.emit('web-contents-created', {}, this.webContents);
    }
    async loadURL(url: string) {
      this.url = url;
      this.emit('ready-to-show');
    }
    show() {
      this.visible = true;
    }
    showInactive() {
      this.visible = true;
    }
    hide() {
      this.visible = false;
    }
    focus() {}
    restore() {}
    isVisible() {
      return this.visible;
    }
    isFocused() {
      return false;
    }
    isMinimized() {
      return false;
    }
    isDestroyed() {
      return this.destroyed;
    }
    setVisibleOnAllWorkspaces() {}
    close() {
      let prevented = false;
      this.emit('close', { preventDefault: () => (prevented = true) });
      if (prevented) return;
      this.destroyed = true;
      this.emit('closed');
    }
  }
  const emitter = new Emitter();
  const app = Object.assign(emitter, {
    setName: () => undefined,
    setPath: () => undefined,
    getPath: () => '/tmp/earshot-fake-userdata',
    requestSingleInstanceLock: () => true,
    whenReady: () => Promise.resolve(),
    quit: () => void emitter.emit('before-quit'),
    exit: vi.fn(),
    setAsDefaultProtocolClient: vi.fn(),
    setBadgeCount: vi.fn(),
    setLoginItemSettings: vi.fn(),
    isPackaged: false,
  });
  const ipcHandlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const trays: Array<{ image: string; tooltip: string; menu: Array<Record<string, unknown>> }> = [];
  const shortcuts = new Map<string, () => void>();
  const electron = {
    app,
    BrowserWindow,
    ipcMain: { handle: (c: string, h: (e: unknown, ...a: unknown[]) => unknown) => void ipcHandlers.set(c, h), removeHandler: (c: string) => void ipcHandlers.delete(c) },
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    session: { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn(), setCertificateVerifyProc: vi.fn() } },
    powerMonitor: new Emitter(),
    dialog: { showMessageBox: vi.fn(async (_window: unknown, _options: { buttons: string[] }) => ({ response: 1 })) },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: vi.fn() },
    Tray: class {
      readonly state = { image: '', tooltip: '', menu: [] as Array<Record<string, unknown>> };
      constructor(image: string) {
        this.state.image = image;
        trays.push(this.state);
      }
      setImage(i: string) {
        this.state.image = i;
      }
      setToolTip(t: string) {
        this.state.tooltip = t;
      }
      setContextMenu(m: Array<Record<string, unknown>>) {
        this.state.menu = m;
      }
      on() {}
      destroy() {}
    },
    nativeImage: { createFromPath: (p: string) => p },
    Notification: Object.assign(
      class {
        static shown: Array<{ title: string; body: string }> = [];
        static closed: Array<{ title: string; body: string }> = [];
        constructor(readonly n: { title: string; body: string }) {}
        on() {}
        close() {
          (this.constructor as unknown as { closed: unknown[] }).closed.push(this.n);
        }
        show() {
          (this.constructor as unknown as { shown: unknown[] }).shown.push(this.n);
        }
      },
      { isSupported: () => true },
    ),
    powerSaveBlocker: { start: vi.fn(() => 1), stop: vi.fn(), isStarted: () => false },
    globalShortcut: { register: (a: string, cb: () => void) => (shortcuts.set(a, cb), true), unregister: (a: string) => void shortcuts.delete(a), unregisterAll: vi.fn() },
    safeStorage: { isEncryptionAvailable: () => false, encryptString: () => Buffer.from(''), decryptString: () => '' },
    screen: { getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1280, height: 800 } }) },
    shell: { openExternal: vi.fn(async () => undefined) },
  };
  return { electron, ipcHandlers, trays, shortcuts, BrowserWindow };
});

vi.mock('electron', () => fake.electron);
vi.mock('electron-store', () => ({
  default: class {
    readonly values = new Map<string, unknown>();
    get(k: string) {
      return this.values.get(k);
    }
    set(k: string, v: unknown) {
      this.values.set(k, v);
    }
    delete(k: string) {
      this.values.delete(k);
    }
  },
}));

const mainWindow = () => fake.BrowserWindow.all[0]!;
const invoke = (channel: string, sender: { webContents: { id: number } }, url: string, ...args: unknown[]) =>
  fake.ipcHandlers.get(channel)!({ sender: { id: sender.webContents.id }, senderFrame: { url, parent: null } }, ...args);

describe('main.ts (wiring, fake Electron)', () => {
  const saved = { env: { ...process.env }, argv: [...process.argv] };
  afterAll(() => {
    process.env = saved.env;
    process.argv = saved.argv;
  });

  beforeAll(async () => {
    process.env.XDG_CONFIG_HOME = mkdtempSync(path.join(os.tmpdir(), 'earshot-xdg-'));
    process.env.EARSHOT_SERVER_URL = 'http://127.0.0.1:9999';
    process.argv.push('earshot://conversation/12');
    await import('../../../main/main.js');
    await vi.waitFor(() => expect(mainWindow()?.url).toBe('app://earshot/index.html'));
  });

  it('registers the privileged app scheme, its handler and the permission handlers', () => {
    expect(fake.electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }),
    ]);
    expect(fake.electron.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    expect(fake.electron.session.defaultSession.setPermissionRequestHandler).toHaveBeenCalled();
    expect(fake.electron.session.defaultSession.setPermissionCheckHandler).toHaveBeenCalled();
  });

  it('installs the certificate verify proc: Chromium decides, except a server certificate the person trusts in a dialog', async () => {
    const { generate } = await import('selfsigned');
    const { cert } = await generate([{ name: 'commonName', value: 'lan host' }], { keyType: 'ec', algorithm: 'sha256' });
    const proc = fake.electron.session.defaultSession.setCertificateVerifyProc.mock.calls[0]![0] as (
      request: { hostname: string; certificate: { data: string }; verificationResult: string },
      callback: (result: number) => void,
    ) => void;
    const verify = (hostname: string, verificationResult: string) => new Promise<number>((resolve) => proc({ hostname, certificate: { data: cert }, verificationResult }, resolve));
    expect(await verify('127.0.0.1', 'OK')).toBe(-3);
    expect(await verify('evil.example', 'net::ERR_CERT_AUTHORITY_INVALID')).toBe(-3);
    expect(fake.electron.dialog.showMessageBox).not.toHaveBeenCalled();
    // The launcher's server (EARSHOT_SERVER_URL, 127.0.0.1:9999) with a self-signed certificate: asked, on the main window.
    expect(await verify('127.0.0.1', 'net::ERR_CERT_AUTHORITY_INVALID')).toBe(0);
    const [parent, options] = fake.electron.dialog.showMessageBox.mock.calls[0]!;
    expect(parent).toBe(mainWindow());
    expect(options.buttons).toEqual(['Cancel', 'Trust this server']);
    expect(await verify('127.0.0.1', 'net::ERR_CERT_AUTHORITY_INVALID')).toBe(0);
    expect(fake.electron.dialog.showMessageBox).toHaveBeenCalledTimes(1);
  });

  it('opens the main window sandboxed with the bundled preload, and guards its navigation', () => {
    const prefs = mainWindow().options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(String(prefs.preload)).toMatch(/dist[/\\]preload[/\\]preload\.cjs$/);
    expect(mainWindow().webContents.listenerCount('will-navigate')).toBe(1);
    expect(mainWindow().webContents.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('registers every IPC channel, the tray with an existing icon, the menu and the mute shortcut', async () => {
    const { IPC_CHANNELS } = await import('../../../common/ipc.js');
    expect([...fake.ipcHandlers.keys()].sort()).toEqual([...IPC_CHANNELS].sort());
    expect(fake.trays).toHaveLength(1);
    expect(existsSync(fake.trays[0]!.image)).toBe(true);
    expect(fake.electron.Menu.setApplicationMenu).toHaveBeenCalled();
    expect([...fake.shortcuts.keys()]).toEqual(['CommandOrControl+Shift+M']);
  });

  it('serves the launcher server URL to the page and refuses other origins', async () => {
    expect(await invoke('settings:get', mainWindow(), 'app://earshot/index.html', 'serverUrl')).toEqual({ ok: true, value: 'http://127.0.0.1:9999' });
    expect(await invoke('settings:get', mainWindow(), 'https://evil.example/', 'serverUrl')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('holds the launch deep link until the page reports its state, then delivers it', async () => {
    expect(mainWindow().webContents.sent).toEqual([]);
    await invoke('state:report', mainWindow(), 'app://earshot/index.html', { signedIn: true, presence: 'online', inCall: false, muted: false });
    expect(mainWindow().webContents.sent).toEqual([['host:command', { type: 'openConversation', conversationId: 12 }]]);
    expect(fake.trays[0]!.tooltip).toBe('Earshot — Available');
  });

  it('rings: the ring window opens at #/ring and its Accept reaches the main window', async () => {
    await invoke('ring:started', mainWindow(), 'app://earshot/index.html', { callId: 'c9', callerName: 'Ada', conversationId: 3 });
    const ring = fake.BrowserWindow.all[1]!;
    expect(ring.url).toBe('app://earshot/index.html#/ring');
    expect(ring.options).toMatchObject({ alwaysOnTop: true, frame: false, skipTaskbar: true });
    expect(ring.visible).toBe(true);
    // Only the ring window may answer.
    expect(await invoke('ring:answer', mainWindow(), 'app://earshot/index.html', 'c9', 'accept')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await invoke('ring:current', ring, 'app://earshot/index.html#/ring')).toEqual({ ok: true, value: { callId: 'c9', callerName: 'Ada', conversationId: 3 } });
    expect(await invoke('ring:answer', ring, 'app://earshot/index.html#/ring', 'c9', 'accept')).toEqual({ ok: true, value: null });
    expect(mainWindow().webContents.sent.at(-1)).toEqual(['host:command', { type: 'answerRing', callId: 'c9', response: 'accept' }]);
    expect(ring.destroyed).toBe(true);
  });

  it('shows notifications; a newer one with the same tag replaces the older', async () => {
    const N = fake.electron.Notification as unknown as { shown: unknown[]; closed: unknown[] };
    expect(await invoke('notify:show', mainWindow(), 'app://earshot/index.html', { title: 'Ada', body: 'hi', tag: 'conv-1' })).toEqual({ ok: true, value: true });
    await invoke('notify:show', mainWindow(), 'app://earshot/index.html', { title: 'Ada', body: 'there', tag: 'conv-1' });
    expect(N.shown.slice(-2)).toEqual([{ title: 'Ada', body: 'hi' }, { title: 'Ada', body: 'there' }]);
    expect(N.closed).toEqual([{ title: 'Ada', body: 'hi' }]);
  });

  it('a second launch with a link focuses the app and forwards the link', () => {
    fake.electron.app.emit('second-instance', {}, ['/usr/bin/earshot', 'earshot://call/5']);
    expect(mainWindow().webContents.sent.at(-1)).toEqual(['host:command', { type: 'joinGroupCall', conversationId: 5 }]);
  });

  it('the global shortcut toggles mute in the page', () => {
    fake.shortcuts.get('CommandOrControl+Shift+M')?.();
    expect(mainWindow().webContents.sent.at(-1)).toEqual(['host:command', { type: 'toggleMute' }]);
  });

  it('closing the window hides it to the tray, explaining so the first time only; quitting closes it', () => {
    const N = fake.electron.Notification as unknown as { shown: Array<{ title: string }> };
    const explained = () => N.shown.filter((n) => n.title === 'Earshot is still running').length;
    mainWindow().close();
    expect(mainWindow().destroyed).toBe(false);
    expect(mainWindow().visible).toBe(false);
    expect(explained()).toBe(1);
    fake.electron.app.emit('activate');
    expect(mainWindow().visible).toBe(true);
    mainWindow().close();
    expect(mainWindow().visible).toBe(false);
    expect(explained()).toBe(1);
    fake.electron.app.quit();
    mainWindow().close();
    expect(mainWindow().destroyed).toBe(true);
  });
});
