/**
 * The one contract between the renderer and its host. In Electron the preload exposes an
 * object implementing it as `window.earshot`; in a browser `renderer/bridge/browserBridge.ts`
 * implements it with web APIs. The renderer only ever talks to this interface.
 */
export interface DesktopBridge {
  /** `electron` inside the desktop app, `browser` in a web browser. */
  readonly platform: 'electron' | 'browser';

  /** Show a system notification; resolves to whether it was shown (permission may be denied). */
  notify(notification: BridgeNotification): Promise<boolean>;

  /** Persistent settings (electron-store in the app, localStorage in a browser). */
  getSetting<K extends SettingKey>(key: K): Promise<Settings[K]>;
  setSetting<K extends SettingKey>(key: K, value: Settings[K]): Promise<void>;

  /** The session token is kept by the host (not by the page) where the host can. */
  getSessionToken(): Promise<string | null>;
  setSessionToken(token: string | null): Promise<void>;

  /** Unread count shown on the dock/taskbar badge or the page title. */
  setBadgeCount(count: number): Promise<void>;
}

export interface BridgeNotification {
  /** Notification title, e.g. the sender's name. */
  title: string;
  body: string;
  /** Replaces an earlier notification with the same tag (e.g. per conversation). */
  tag?: string;
}

/** User settings with their defaults. */
export interface Settings {
  /** Base URL of the Earshot server (http(s)://host:port); empty = the page's own origin. */
  serverUrl: string;
  /** Show notifications for new messages. */
  messageNotifications: boolean;
  /** Microphone processing (getUserMedia constraints). All on by default. */
  echoCancellation: boolean;
  noiseSuppression: boolean;
  autoGainControl: boolean;
  /** Opus discontinuous transmission: send almost nothing while silent. Default off. */
  opusDtx: boolean;
  /** Relay every call through TURN (hostile networks; hides the IP address from the peer). */
  turnOnly: boolean;
}

export type SettingKey = keyof Settings;

export const DEFAULT_SETTINGS: Settings = {
  serverUrl: '',
  messageNotifications: true,
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
  opusDtx: false,
  turnOnly: false,
};
