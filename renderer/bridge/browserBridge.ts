import {
  DEFAULT_SETTINGS,
  parseSetting,
  type BridgeNotification,
  type DesktopBridge,
  type HostCommand,
  type IncomingRing,
  type SettingKey,
  type Settings,
} from '../../common/bridge.js';
import { createLogger } from '../lib/createLogger.js';

const log = createLogger('browserBridge');

/** localStorage keys, namespaced so other apps on the same origin do not collide. */
export const STORAGE_KEYS = {
  token: 'earshot:sessionToken',
  setting: (key: SettingKey) => `earshot:setting:${key}`,
} as const;

/** The web APIs the browser bridge uses; injected so it can be tested outside a browser. */
export interface BrowserBridgeEnvironment {
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  /** The Notification constructor, or null where the API is missing. */
  Notification: typeof Notification | null;
  /** Where the badge goes: the title gets a "(3) " prefix. */
  document: { title: string } | null;
  /**
   * Whether the person is looking at the page (visible and focused): a ring then needs no
   * Notification, the in-page ring shows. Default: always.
   */
  isPageActive?: () => boolean;
  /** Bring the tab to the front (a click on the ring notification). Default: nothing. */
  focusPage?: () => void;
}

const BADGE_PREFIX = /^\(\d+\) /;

/** DesktopBridge for a plain browser tab: Notification API, localStorage and the page title. */
export function createBrowserBridge(env: BrowserBridgeEnvironment = defaultEnvironment()): DesktopBridge {
  const read = (key: string): string | null => {
    try {
      return env.storage?.getItem(key) ?? null;
    } catch {
      return null; // Storage can throw (privacy mode, quota): treat as empty.
    }
  };
  const write = (key: string, value: string | null): void => {
    try {
      if (value === null) env.storage?.removeItem(key);
      else env.storage?.setItem(key, value);
    } catch (error) {
      log.warn(`[key:${key}] cannot write to storage`, error);
    }
  };

  const isPageActive = env.isPageActive ?? (() => true);
  /** The ring notifications on screen, by call id (closed by ringEnded). */
  const rings = new Map<string, Notification>();
  const commandListeners = new Set<(command: HostCommand) => void>();

  return {
    platform: 'browser',

    async notify(notification: BridgeNotification): Promise<boolean> {
      const Api = env.Notification;
      if (!Api) return false;
      let permission = Api.permission;
      if (permission === 'default') {
        try {
          permission = await Api.requestPermission();
        } catch {
          return false;
        }
      }
      if (permission !== 'granted') return false;
      try {
        const options: NotificationOptions = { body: notification.body };
        if (notification.tag !== undefined) options.tag = notification.tag;
        new Api(notification.title, options);
        return true;
      } catch (error) {
        // Some platforms (Android Chrome) only allow notifications from a service worker.
        log.warn('notification failed', error);
        return false;
      }
    },

    async getSetting<K extends SettingKey>(key: K): Promise<Settings[K]> {
      const raw = read(STORAGE_KEYS.setting(key));
      if (raw === null) return DEFAULT_SETTINGS[key];
      try {
        return parseSetting(key, JSON.parse(raw));
      } catch {
        return DEFAULT_SETTINGS[key]; // Malformed JSON or a value the schema refuses (older version, hand edit).
      }
    },

    async setSetting<K extends SettingKey>(key: K, value: Settings[K]): Promise<void> {
      // Throws (ZodError) on a value outside the schema: nothing invalid is stored.
      write(STORAGE_KEYS.setting(key), JSON.stringify(parseSetting(key, value)));
    },

    async getSessionToken() {
      return read(STORAGE_KEYS.token);
    },

    async setSessionToken(token) {
      write(STORAGE_KEYS.token, token);
    },

    async setBadgeCount(count) {
      if (!env.document) return;
      const title = env.document.title.replace(BADGE_PREFIX, '');
      env.document.title = count > 0 ? `(${count}) ${title}` : title;
    },

    // No native menus or tray in a browser: nothing to report to.
    async reportDevices() {},
    async reportState() {},

    async ringStarted(ring: IncomingRing) {
      // The in-page ring shows anyway; a Notification only helps when the tab is out of sight.
      const Api = env.Notification;
      if (!Api || Api.permission !== 'granted' || isPageActive()) return;
      try {
        const notification = new Api(`Incoming call from ${ring.callerName}`, {
          body: 'Open Earshot to answer',
          tag: `ring:${ring.callId}`,
          requireInteraction: true,
        });
        notification.onclick = () => {
          env.focusPage?.();
          notification.close();
        };
        rings.get(ring.callId)?.close();
        rings.set(ring.callId, notification);
      } catch (error) {
        log.warn(`[call:${ring.callId}] ring notification failed`, error);
      }
    },

    async ringEnded(callId: string) {
      rings.get(callId)?.close();
      rings.delete(callId);
    },

    // A browser tab never hosts a server.
    async hostingInfo() {
      return null;
    },

    // A browser tab is never the ring window.
    async currentRing() {
      return null;
    },

    async answerRing(callId, response) {
      // No host to relay through: the answer goes straight to this page's listeners.
      const command: HostCommand = { type: 'answerRing', callId, response };
      for (const listener of [...commandListeners]) {
        try {
          listener(command);
        } catch (error) {
          log.warn('command listener failed', error);
        }
      }
    },

    onCommand(listener) {
      commandListeners.add(listener);
      return () => {
        commandListeners.delete(listener);
      };
    },
  };
}

function defaultEnvironment(): BrowserBridgeEnvironment {
  let storage: Storage | null;
  try {
    storage = globalThis.localStorage ?? null;
  } catch {
    storage = null; // Accessing localStorage throws when storage is blocked.
  }
  return {
    storage,
    Notification: typeof Notification === 'undefined' ? null : Notification,
    document: typeof document === 'undefined' ? null : document,
    isPageActive: () => typeof document === 'undefined' || (document.visibilityState === 'visible' && document.hasFocus()),
    focusPage: () => {
      if (typeof window !== 'undefined') window.focus();
    },
  };
}
