import { existsSync } from 'node:fs';
import { readFile, mkdir, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  globalShortcut,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  powerMonitor,
  powerSaveBlocker,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
  type MenuItemConstructorOptions,
} from 'electron';
import Store from 'electron-store';
import type { BridgeNotification, HostCommand } from '../common/bridge.js';
import { HOST_COMMAND_CHANNEL } from '../common/ipc.js';
import { APP_ID, APP_NAME } from './appIdentity.js';
import { appPaths } from './appPaths.js';
import { DEEP_LINK_SCHEME, deepLinkFromArgv, parseDeepLink } from './deepLinks.js';
import { DesktopHost } from './DesktopHost.js';
import { packagedWorkerBin, startHostServer, type HostedServer } from './hostServer.js';
import { registerIpc, type IpcMainLike } from './ipc/registerIpc.js';
import { createLogger } from './log.js';
import { LoginItem, startsHidden } from './loginItem.js';
import { toMenuTemplate } from './menu/menuModel.js';
import { PowerSaveGuard } from './powerSave.js';
import { APP_SCHEME, MAIN_PAGE_URL } from './protocol/appOrigin.js';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './protocol/appProtocol.js';
import { RingController } from './ring/RingController.js';
import { RingPolicy } from './ring/RingPolicy.js';
import { RingWindow, ringWindowOptions } from './ring/RingWindow.js';
import { CertificateTrust, trustQuestionText, VERIFY_REJECT } from './security/certificateTrust.js';
import { contentSecurityPolicy } from './security/csp.js';
import { guardNavigation } from './security/navigation.js';
import { openExternalIfAllowed } from './security/openExternal.js';
import { installPermissionHandlers, type PermissionSession } from './security/permissions.js';
import { effectiveServerUrl, serverUrlOverride } from './serverUrl.js';
import { SessionTokenStore } from './settings/SessionTokenStore.js';
import { SettingsStore } from './settings/SettingsStore.js';
import { MuteShortcut } from './shortcuts.js';
import { AppTray } from './tray/AppTray.js';
import type { TrayIconName } from './tray/trayMenuModel.js';
import { installTestHooks } from './testHooks.js';
import { CLOSED_TO_TRAY_NOTICE, shouldExplainHide, shouldHideOnClose } from './windows/closeBehavior.js';
import { CommandQueue } from './windows/CommandQueue.js';
import { secureWebPreferences } from './windows/webPreferences.js';

/**
 * Entry point of the Electron main process: wiring only. Every decision lives in a module that
 * takes its Electron surface as an argument (see main/README.md).
 *
 * Layout at run time, under the app root (the repository in development, app.asar when packaged):
 *   dist/main/main.mjs  this file, bundled     dist/preload/preload.cjs  the preload
 *   dist/renderer/      the web client          build/icons/tray/         tray icons
 */
const log = createLogger('app');
const PATHS = appPaths(path.dirname(fileURLToPath(import.meta.url)), existsSync);
const RENDERER_ROOT = PATHS.renderer;
const PRELOAD = PATHS.preload;
const TRAY_ICONS = PATHS.trayIcons;

// Before `ready`: the app scheme must be privileged (a secure, standard origin).
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.setName(APP_NAME);
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
// Tests and side-by-side profiles: a separate userData folder (settings, session, hosted server data).
if (process.env.EARSHOT_USER_DATA_DIR) app.setPath('userData', path.resolve(process.env.EARSHOT_USER_DATA_DIR));

let pendingLinks: HostCommand[] = [];
let onDeepLink = (command: HostCommand) => void pendingLinks.push(command);
const handleLink = (link: string | null) => {
  const command = link ? parseDeepLink(link) : null;
  if (command) onDeepLink(command);
  else if (link) log.warn('ignored deep link', { link: link.slice(0, 200) });
};

if (!app.requestSingleInstanceLock()) {
  // Another Earshot runs: it gets our argv (and deep link) through `second-instance`.
  app.quit();
} else {
  // macOS delivers links as events, possibly before `ready`.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    handleLink(url);
  });
  handleLink(deepLinkFromArgv(process.argv));
  void app.whenReady().then(start).catch((error: unknown) => {
    log.error('failed to start', { error: String(error) });
    app.exit(1);
  });
}

async function start(): Promise<void> {
  const testMode = process.env.EARSHOT_TEST_HOOKS === '1';
  if (!testMode) {
    // In development Electron runs as `electron dist/main/main.mjs`: pass the script along.
    // Reviewed: links arrive as untrusted strings and only parseDeepLink's two id-only forms act.
    if (process.defaultApp) app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME, process.execPath, [path.resolve(process.argv[1] ?? '')]); // eng-disable PROTOCOL_HANDLER_JS_CHECK
    else app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME); // eng-disable PROTOCOL_HANDLER_JS_CHECK
  }

  const settings = SettingsStore.create({
    open: (options) => new Store(options as never) as unknown as { get(k: string): unknown; set(k: string, v: unknown): void },
    logger: createLogger('settings'),
  });
  const tokenFile = new Store({ name: 'session' }) as unknown as { get(k: string): unknown; set(k: string, v: unknown): void; delete(k: string): void };
  const sessionTokens = new SessionTokenStore(tokenFile, safeStorage, createLogger('session'));

  const override = serverUrlOverride(process.argv, process.env);
  let hosted: HostedServer | null = null;
  const serverUrl = () => effectiveServerUrl({ hosted: hosted?.url ?? null, override, stored: settings.get('serverUrl') });

  // Security: permissions, the app protocol (with CSP), and a navigation guard on every webContents.
  installPermissionHandlers(session.defaultSession as unknown as PermissionSession);
  protocol.handle(
    APP_SCHEME,
    createAppProtocolHandler({ root: RENDERER_ROOT, readFile: (file) => readFile(file), contentSecurityPolicy: () => contentSecurityPolicy(serverUrl()) }),
  );
  app.on('web-contents-created', (_event, contents) =>
    guardNavigation(contents, {
      serverUrl,
      openExternal: (url) => void openExternalIfAllowed(shell, url, serverUrl()),
      onBlocked: (kind, url) => log.warn('blocked', { kind, url: url.slice(0, 200) }),
    }),
  );

  let quitting = false;
  app.on('before-quit', () => {
    quitting = true;
  });
  // Shutdown and log-off close the window for real (Windows asks the window; Linux and macOS tell powerMonitor).
  powerMonitor.on('shutdown', () => {
    quitting = true;
  });

  // The main window. Its webPreferences come from secureWebPreferences() (contextIsolation,
  // sandbox, no Node, Auxclick off; asserted in tests/unit/main/windows), which a static scan
  // cannot follow into, hence the accepted findings on the next line.
  const mainWindow = new BrowserWindow({ // eng-disable CONTEXT_ISOLATION_JS_CHECK SANDBOX_JS_CHECK AUXCLICK_JS_CHECK
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    show: false,
    title: 'Earshot',
    backgroundColor: '#ffffff',
    webPreferences: secureWebPreferences(PRELOAD),
  });
  const commands = new CommandQueue((command) => {
    if (!mainWindow.isDestroyed()) mainWindow.webContents.send(HOST_COMMAND_CHANNEL, command);
  });
  mainWindow.webContents.on('did-start-loading', () => commands.markNotReady());
  const startHidden = startsHidden({ argv: process.argv, platform: process.platform, wasOpenedAtLogin: () => app.getLoginItemSettings().wasOpenedAtLogin });
  mainWindow.once('ready-to-show', () => {
    if (!startHidden) mainWindow.show();
  });
  const showMain = () => {
    if (mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  };

  // TLS: Chromium's verdict, except the in-app server's own certificate and a LAN host's
  // self-signed one the person compared and trusted (security/certificateTrust.ts).
  const certificateTrust = new CertificateTrust({
    store: new Store({ name: 'trusted-certificates' }) as unknown as { get(k: string): unknown; set(k: string, v: unknown): void },
    serverUrl,
    hostedFingerprint: () => hosted?.fingerprint ?? null,
    ask: async (question) => {
      const text = trustQuestionText(question);
      // A question modal to a window in the tray would go unseen (e.g. started at login, hidden).
      showMain();
      const { response } = await dialog.showMessageBox(mainWindow, {
        type: 'warning',
        title: text.title,
        message: text.message,
        detail: text.detail,
        buttons: ['Cancel', text.trustLabel],
        defaultId: 0,
        cancelId: 0,
        noLink: true,
      });
      return response === 1;
    },
    logger: createLogger('tls'),
  });
  // Reviewed: accepts only the certificates described above; everything else keeps Chromium's verdict.
  session.defaultSession.setCertificateVerifyProc((request, callback) => { // eng-disable CERTIFICATE_VERIFY_PROC_JS_CHECK
    certificateTrust
      .verify({ hostname: request.hostname, certificatePem: request.certificate.data, verificationResult: request.verificationResult })
      .then(callback, () => callback(VERIFY_REJECT));
  });

  // The ring window (same webPreferences as the main window; see above).
  const ringWindow = new RingWindow(
    () =>
      new BrowserWindow( // eng-disable CONTEXT_ISOLATION_JS_CHECK SANDBOX_JS_CHECK AUXCLICK_JS_CHECK
        ringWindowOptions(secureWebPreferences(PRELOAD), screen.getPrimaryDisplay().workArea),
      ),
  );

  // A notification with a tag replaces the previous one with that tag (e.g. one per conversation).
  const byTag = new Map<string, Notification>();
  const notify = (n: BridgeNotification, onClick?: () => void): boolean => {
    if (!Notification.isSupported()) return false;
    const notification = new Notification({ title: n.title, body: n.body });
    if (onClick) notification.on('click', onClick);
    if (n.tag) {
      byTag.get(n.tag)?.close();
      byTag.set(n.tag, notification);
      notification.on('close', () => {
        if (byTag.get(n.tag!) === notification) byTag.delete(n.tag!);
      });
    }
    notification.show();
    return true;
  };

  // eslint-disable-next-line prefer-const -- host and ring controller refer to each other through callbacks
  let host: DesktopHost;
  const ring = new RingController({
    policy: new RingPolicy(),
    window: ringWindow,
    notify: (n, onClick) => void notify(n, onClick),
    sendToMain: (command) => commands.send(command),
    showMain,
    isDnd: () => host.state.presence === 'dnd',
    onMissedCallsChange: () => host.missedCallsChanged(),
    logger: createLogger('ring'),
  });

  const loginItem = new LoginItem({
    app,
    platform: process.platform,
    fs: { mkdir, writeFile: (f, d) => writeFile(f, d), rm },
    configHome: process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'),
    executable: process.env.APPIMAGE || process.execPath,
    // In development the executable is Electron itself, which needs the main script (as for the link handler above).
    ...(process.defaultApp ? { args: [path.resolve(process.argv[1] ?? '')] } : {}),
  });

  const trayIcon = (name: TrayIconName) => nativeImage.createFromPath(path.join(TRAY_ICONS, `${name}.png`));
  const tray = new AppTray({
    createTray: (image) => new Tray(image),
    image: trayIcon,
    buildMenu: (template) => Menu.buildFromTemplate(template as MenuItemConstructorOptions[]),
    dispatch: (action) => host.dispatch(action),
    onUnavailable: (error) => log.warn('no tray on this desktop; closing the window will quit', { error: String(error) }),
  });

  host = new DesktopHost({
    settings,
    session: sessionTokens,
    ring,
    powerSave: new PowerSaveGuard(powerSaveBlocker),
    shortcut: new MuteShortcut(globalShortcut, () => host.toggleMute()),
    applyLoginItem: (enabled) => loginItem.apply(enabled),
    applyHosting: async (enabled) => {
      if (enabled && !hosted) {
        if (app.isPackaged) process.env.MEDIASOUP_WORKER_BIN ??= packagedWorkerBin(app.getAppPath());
        hosted = await startHostServer({ userDataDir: app.getPath('userData'), webRoot: RENDERER_ROOT, interfaces: () => os.networkInterfaces() });
        notify({ title: 'Hosting Earshot on this computer', body: `Others on your network can connect to ${hosted.lanUrls[0] ?? hosted.url}` });
      } else if (!enabled && hosted) {
        const stopping = hosted;
        hosted = null;
        await stopping.stop();
      }
      // The page reads the server URL at start: reload it onto the new server.
      if (!mainWindow.isDestroyed()) mainWindow.webContents.reload();
    },
    hosting: () => (hosted ? { lanUrls: hosted.lanUrls, fingerprint: hosted.fingerprint } : null),
    notify,
    sendToMain: (command) => commands.send(command),
    showMain,
    quit: () => app.quit(),
    setBadgeCount: (count) => void app.setBadgeCount(count),
    renderTray: (model) => tray.update(model),
    renderAppMenu: (model) => Menu.setApplicationMenu(Menu.buildFromTemplate(toMenuTemplate(model, (a) => host.dispatch(a)) as MenuItemConstructorOptions[])),
    isMainWindowFocused: () => !mainWindow.isDestroyed() && mainWindow.isVisible() && mainWindow.isFocused(),
    serverUrl,
    onRendererReady: () => commands.markReady(),
    platform: process.platform,
    devTools: !app.isPackaged,
    logger: createLogger('host'),
  });

  registerIpc(
    ipcMain as unknown as IpcMainLike,
    host.handlers(),
    {
      mainContentsId: () => (mainWindow.isDestroyed() ? null : mainWindow.webContents.id),
      ringContentsId: () => ringWindow.contentsId,
    },
    createLogger('ipc'),
  );

  mainWindow.on('session-end', () => {
    quitting = true;
  });
  const appState = new Store({ name: 'app-state' }) as unknown as { get(k: string): unknown; set(k: string, v: unknown): void };
  mainWindow.on('close', (event) => {
    const hide = shouldHideOnClose({ closeToTray: settings.get('closeToTray'), quitting, hasTray: tray.exists });
    if (!hide) return;
    event.preventDefault();
    mainWindow.hide();
    if (shouldExplainHide({ hid: hide, explainedBefore: appState.get('closedToTrayExplained') === true })) {
      appState.set('closedToTrayExplained', true);
      notify(CLOSED_TO_TRAY_NOTICE, showMain);
    }
  });
  // macOS: clicking the Dock icon brings back a window closed to the tray.
  app.on('activate', () => showMain());
  mainWindow.on('closed', () => {
    ringWindow.close();
    app.quit();
  });

  // Deep links: those that arrived before now, then live ones; a second launch focuses this one.
  onDeepLink = (command) => {
    showMain();
    commands.send(command);
  };
  for (const command of pendingLinks) onDeepLink(command);
  pendingLinks = [];
  app.on('second-instance', (_event, argv) => {
    showMain();
    handleLink(deepLinkFromArgv(argv));
  });

  app.on('will-quit', (event) => {
    globalShortcut.unregisterAll();
    if (!hosted) return;
    // Let the in-app server close its database and SFU workers first (at most 5 s), then quit again.
    event.preventDefault();
    const stopping = hosted;
    hosted = null;
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
    void Promise.race([stopping.stop(), timeout])
      .catch((error: unknown) => log.warn('the in-app server did not stop cleanly', { error: String(error) }))
      .finally(() => app.quit());
  });

  await host.start();
  await mainWindow.loadURL(MAIN_PAGE_URL);
  if (testMode) installTestHooks({ host, ring, ringWindow, mainWindow, settings, serverUrl });
  log.info('started', { serverUrl: serverUrl(), hidden: startHidden });
}
