import type { DesktopHost } from './DesktopHost.js';
import type { MenuAction } from './menu/menuModel.js';
import type { RingController } from './ring/RingController.js';
import type { RingWindow } from './ring/RingWindow.js';
import type { SettingsStore } from './settings/SettingsStore.js';

/**
 * Read-only views and menu clicks for the Electron end-to-end suite (tests/electron), reached
 * with Playwright's `electronApp.evaluate(() => globalThis.__earshotTest…)`. Installed only when
 * the app is started with EARSHOT_TEST_HOOKS=1; a packaged app started normally has none.
 */
export interface EarshotTestHooks {
  trayModel(): ReturnType<DesktopHost['trayModel']>;
  appMenuModel(): ReturnType<DesktopHost['appMenuModel']>;
  /** Click a tray or menu item as the user would. */
  dispatch(action: MenuAction): void;
  hostState(): DesktopHost['state'];
  ringWindowOpen(): boolean;
  missedCalls(): number;
  mainWindowVisible(): boolean;
  serverUrl(): string;
  setting(key: Parameters<SettingsStore['get']>[0]): unknown;
}

export function installTestHooks(parts: {
  host: DesktopHost;
  ring: RingController;
  ringWindow: RingWindow;
  mainWindow: { isVisible(): boolean; isDestroyed(): boolean };
  settings: SettingsStore;
  serverUrl: () => string;
}): void {
  const hooks: EarshotTestHooks = {
    trayModel: () => parts.host.trayModel(),
    appMenuModel: () => parts.host.appMenuModel(),
    dispatch: (action) => parts.host.dispatch(action),
    hostState: () => parts.host.state,
    ringWindowOpen: () => parts.ringWindow.isOpen,
    missedCalls: () => parts.ring.missedCalls,
    mainWindowVisible: () => !parts.mainWindow.isDestroyed() && parts.mainWindow.isVisible(),
    serverUrl: () => parts.serverUrl(),
    setting: (key) => parts.settings.get(key),
  };
  (globalThis as { __earshotTest?: EarshotTestHooks }).__earshotTest = hooks;
}
