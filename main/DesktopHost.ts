import type { BridgeNotification, DeviceReport, HostCommand, HostingInfo, HostState, SettingKey, Settings } from '../common/bridge.js';
import { EarshotError } from '../common/errors.js';
import { describeDeviceChange, diffDevices, offeredChoices } from './devices/deviceChanges.js';
import { deviceMenus, type SavedDevices } from './devices/deviceMenuModel.js';
import type { IpcHandlers } from './ipc/registerIpc.js';
import type { Logger } from './log.js';
import { silentLogger } from './log.js';
import { appMenuModel } from './menu/appMenuModel.js';
import type { MenuAction, MenuItemModel } from './menu/menuModel.js';
import type { PowerSaveGuard } from './powerSave.js';
import type { RingController } from './ring/RingController.js';
import type { SettingsStore } from './settings/SettingsStore.js';
import type { SessionTokenStore } from './settings/SessionTokenStore.js';
import type { MuteShortcut } from './shortcuts.js';
import { trayModel, type TrayModel } from './tray/trayMenuModel.js';

/**
 * The desktop host: the state the renderer reports (signed in, presence, call, devices), the
 * models built from it (tray, Devices menu), and the implementation of every IPC channel. It
 * owns no Electron object; each effect is an injected function, so all of it is unit-tested.
 */
export interface DesktopHostOptions {
  settings: SettingsStore;
  session: SessionTokenStore;
  ring: RingController;
  powerSave: PowerSaveGuard;
  shortcut: MuteShortcut;
  /** Apply "start at login". */
  applyLoginItem: (enabled: boolean) => Promise<void>;
  /** Start or stop the in-app server ("host on this computer"). */
  applyHosting: (enabled: boolean) => Promise<void>;
  /** The in-app server while it runs, as others reach it. */
  hosting: () => HostingInfo | null;
  /** Show a native notification; resolves to whether it was shown. `onClick` is optional. */
  notify: (notification: BridgeNotification, onClick?: () => void) => boolean;
  /** Send a command to the main window's renderer (queued until it listens). */
  sendToMain: (command: HostCommand) => void;
  showMain: () => void;
  quit: () => void;
  /** The dock/taskbar badge. */
  setBadgeCount: (count: number) => void;
  /** Apply the tray and application menu models to the native objects. */
  renderTray: (model: TrayModel) => void;
  renderAppMenu: (model: MenuItemModel[]) => void;
  /** Whether the user is looking at the main window (device notices go native only when not). */
  isMainWindowFocused: () => boolean;
  /** The server URL the renderer should use (see serverUrl.ts). */
  serverUrl: () => string;
  /** The main window's renderer has subscribed to commands. */
  onRendererReady: () => void;
  platform: NodeJS.Platform;
  devTools: boolean;
  logger?: Logger;
}

const SIGNED_OUT: HostState = { signedIn: false, presence: 'online', inCall: false, muted: false };

export class DesktopHost {
  #state: HostState = SIGNED_OUT;
  #devices: DeviceReport | null = null;
  #unread = 0;
  private readonly logger: Logger;

  constructor(private readonly options: DesktopHostOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  get state(): HostState {
    return this.#state;
  }

  get devices(): DeviceReport | null {
    return this.#devices;
  }

  /** Apply the settings that have effects outside the page; call once at start. */
  async start(): Promise<void> {
    const { settings } = this.options;
    const shortcut = this.options.shortcut.apply(settings.get('muteShortcut'));
    if (!shortcut.ok) this.logger.warn('mute shortcut not registered', { accelerator: settings.get('muteShortcut'), reason: shortcut.reason });
    settings.events.on('change', (key, value) => void this.onSettingChanged(key, value));
    await this.options.applyLoginItem(settings.get('startAtLogin')).catch((e: unknown) => this.logger.warn('login item failed', { error: String(e) }));
    if (settings.get('hostOnThisComputer')) {
      await this.options.applyHosting(true).catch((e: unknown) => this.logger.error('hosting failed to start', { error: String(e) }));
    }
    this.render();
  }

  savedDevices(): SavedDevices {
    const { settings } = this.options;
    return { microphone: settings.get('microphone'), speaker: settings.get('speaker'), ringDevice: settings.get('ringDevice') };
  }

  trayModel(): TrayModel {
    return trayModel({ state: this.#state, missedCalls: this.options.ring.missedCalls, devices: deviceMenus(this.#devices, this.savedDevices()) });
  }

  appMenuModel(): MenuItemModel[] {
    return appMenuModel(deviceMenus(this.#devices, this.savedDevices()), { platform: this.options.platform, devTools: this.options.devTools });
  }

  /** Re-render the tray, the menu and the badge. */
  render(): void {
    this.options.renderTray(this.trayModel());
    this.options.renderAppMenu(this.appMenuModel());
    this.options.setBadgeCount(this.#unread + this.options.ring.missedCalls);
  }

  /** A click in the tray or the application menu. */
  dispatch(action: MenuAction): void {
    switch (action.type) {
      case 'open':
        this.options.showMain();
        return;
      case 'quit':
        this.options.quit();
        return;
      case 'clearMissed':
        this.options.ring.clearMissed();
        this.options.showMain();
        return;
      case 'command':
        this.command(action.command);
        return;
    }
  }

  /** A command from the tray, a menu, the shortcut or a deep link. */
  command(command: HostCommand): void {
    if (command.type === 'chooseDevice') {
      // Persist at once so the choice survives even if the renderer is reloading; the renderer applies it.
      this.options.settings.set(command.role, command.device);
    }
    this.options.sendToMain(command);
  }

  /** The global shortcut fired. */
  toggleMute(): void {
    this.options.sendToMain({ type: 'toggleMute' });
  }

  missedCallsChanged(): void {
    this.render();
  }

  private async onSettingChanged(key: SettingKey, value: Settings[SettingKey]): Promise<void> {
    try {
      if (key === 'startAtLogin') await this.options.applyLoginItem(value as boolean);
      if (key === 'hostOnThisComputer') await this.options.applyHosting(value as boolean);
      if (key === 'microphone' || key === 'speaker' || key === 'ringDevice') this.render();
    } catch (error) {
      this.logger.error('applying a setting failed', { key, error: String(error) });
    }
  }

  /** The implementation of every IPC channel (arguments are already validated). */
  handlers(): IpcHandlers {
    const o = this.options;
    return {
      'notify:show': (n) => o.notify(n, () => o.showMain()),
      'settings:get': (key) => (key === 'serverUrl' ? o.serverUrl() : o.settings.get(key)),
      'settings:set': (key, value) => {
        if (key === 'muteShortcut') {
          const previous = o.shortcut.current;
          const result = o.shortcut.apply(value as string);
          if (!result.ok) {
            throw new EarshotError(
              'BAD_REQUEST',
              `muteShortcut "${String(value)}" is ${result.reason === 'invalid' ? 'not a valid shortcut' : 'taken by another application'}; keeping "${previous}"`,
            );
          }
        }
        o.settings.set(key, value);
      },
      'session:get': () => o.session.get(),
      'session:set': (token) => o.session.set(token),
      'badge:set': (count) => {
        this.#unread = count;
        o.setBadgeCount(this.#unread + o.ring.missedCalls);
      },
      'devices:report': (report) => {
        const changes = diffDevices(this.#devices, report, this.savedDevices());
        this.#devices = report;
        if (!o.isMainWindowFocused()) {
          for (const change of changes) {
            const onClick =
              change.kind === 'offered'
                ? () => offeredChoices(change).forEach(({ role, device }) => this.command({ type: 'chooseDevice', role, device }))
                : () => o.showMain();
            o.notify(describeDeviceChange(change), onClick);
          }
        }
        this.render();
      },
      'state:report': (state) => {
        this.#state = state;
        o.powerSave.update(state.inCall);
        o.onRendererReady();
        this.render();
      },
      'ring:started': (ring) => o.ring.started(ring),
      'ring:ended': (callId, missed) => o.ring.ended(callId, missed),
      'ring:current': () => o.ring.current,
      'ring:answer': (callId, response) => {
        o.ring.answer(callId, response);
      },
      'hosting:info': () => o.hosting(),
    };
  }
}
