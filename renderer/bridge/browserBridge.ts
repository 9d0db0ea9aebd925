import {
  DEFAULT_SETTINGS,
  type BridgeNotification,
  type DesktopBridge,
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
        const value: unknown = JSON.parse(raw);
        return typeof value === typeof DEFAULT_SETTINGS[key] ? (value as Settings[K]) : DEFAULT_SETTINGS[key];
      } catch {
        return DEFAULT_SETTINGS[key];
      }
    },

    async setSetting<K extends SettingKey>(key: K, value: Settings[K]): Promise<void> {
      write(STORAGE_KEYS.setting(key), JSON.stringify(value));
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
  };
}
