import { parseSetting, type SettingKey } from '../../common/bridge.js';

/**
 * Version of the settings file layout (not the app version): electron-store runs each migration
 * whose version is above the one recorded in the file, then records this one.
 */
export const SETTINGS_LAYOUT_VERSION = '1.0.0';

/** What a migration step may do to the stored object (electron-store / conf pass themselves). */
export interface MigratableStore {
  has(key: string): boolean;
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

/**
 * The 0.x layout (the desktop prototype before settings were shared with the browser build):
 * flat device ids and labels, a percentage ring volume, and different names.
 *
 * | 0.x key                          | 1.0.0 key                   |
 * | -------------------------------- | --------------------------- |
 * | `server`                         | `serverUrl`                 |
 * | `micDeviceId` + `micLabel`       | `microphone: {id, label}`   |
 * | `speakerDeviceId` + `speakerLabel` | `speaker: {id, label}`    |
 * | `ringDeviceId` + `ringLabel`     | `ringDevice: {id, label}`   |
 * | `ringVolumePercent` (0–100)      | `ringVolume` (0–1)          |
 * | `minimizeToTray`                 | `closeToTray`               |
 * | `launchAtLogin`                  | `startAtLogin`              |
 * | `muteHotkey`                     | `muteShortcut`              |
 *
 * A value that does not fit the 1.0.0 schema is dropped (the default applies); the 0.x keys are
 * removed either way. A store without 0.x keys (a new install) is left as it is.
 */
export function migrateTo1_0_0(store: MigratableStore): void {
  const take = (key: string): unknown => {
    if (!store.has(key)) return undefined;
    const value = store.get(key);
    store.delete(key);
    return value;
  };
  const put = (key: SettingKey, value: unknown) => {
    if (value === undefined) return;
    try {
      store.set(key, parseSetting(key, value));
    } catch {
      // Not representable in the new layout: keep the default.
    }
  };
  const device = (idKey: string, labelKey: string): unknown => {
    const id = take(idKey);
    const label = take(labelKey);
    if (typeof id !== 'string' || id === '' || id === 'default') return id === undefined && label === undefined ? undefined : null;
    return { id, label: typeof label === 'string' ? label : '' };
  };

  put('serverUrl', take('server'));
  put('microphone', device('micDeviceId', 'micLabel'));
  put('speaker', device('speakerDeviceId', 'speakerLabel'));
  put('ringDevice', device('ringDeviceId', 'ringLabel'));
  const percent = take('ringVolumePercent');
  put('ringVolume', typeof percent === 'number' ? Math.min(100, Math.max(0, percent)) / 100 : percent);
  put('closeToTray', take('minimizeToTray'));
  put('startAtLogin', take('launchAtLogin'));
  put('muteShortcut', take('muteHotkey'));
}

/** electron-store's `migrations` option. */
export const SETTINGS_MIGRATIONS: Record<string, (store: MigratableStore) => void> = {
  '1.0.0': migrateTo1_0_0,
};
