import { z } from 'zod';
import { DEFAULT_SETTINGS, parseSetting, SettingsSchema, type SettingKey, type Settings } from '../../common/bridge.js';
import { TypedEmitter } from '../../common/TypedEmitter.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { SETTINGS_LAYOUT_VERSION, SETTINGS_MIGRATIONS, type MigratableStore } from './settingsMigrations.js';

/**
 * The user's settings in the main process: an electron-store file (`settings.json` in userData)
 * whose JSON schema and defaults come from the shared zod `SettingsSchema`, with migrations from
 * older layouts. Reads and writes are validated again with zod, so nothing the schema does not
 * allow is ever returned or stored.
 */

/** The options handed to electron-store (conf); built here so tests open the same store. */
export interface SettingsStoreOptions {
  name: string;
  schema: Record<string, unknown>;
  projectVersion: string;
  migrations: Record<string, (store: MigratableStore) => void>;
  /** A file the schema rejects (hand-edited, corrupted) is reset instead of crashing the app. */
  clearInvalidConfig: boolean;
}

/** JSON schema properties for electron-store, generated from the zod schema (defaults included). */
export function settingsJsonSchema(): Record<string, unknown> {
  const json = z.toJSONSchema(SettingsSchema, { io: 'input' }) as { properties?: Record<string, unknown> };
  return json.properties ?? {};
}

export function settingsStoreOptions(): SettingsStoreOptions {
  return {
    name: 'settings',
    schema: settingsJsonSchema(),
    projectVersion: SETTINGS_LAYOUT_VERSION,
    migrations: SETTINGS_MIGRATIONS,
    clearInvalidConfig: true,
  };
}

/** The slice of electron-store (conf) this class uses. */
export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

export type SettingsEvents = {
  /** A setting changed through `set` (not emitted when the new value equals the old one). */
  change: [key: SettingKey, value: Settings[SettingKey], previous: Settings[SettingKey]];
};

export class SettingsStore {
  readonly events = new TypedEmitter<SettingsEvents>();

  constructor(
    private readonly kv: KeyValueStore,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** Open the store through `open` (electron-store in the app, conf on a temp folder in tests). */
  static create(options: { open: (options: SettingsStoreOptions) => KeyValueStore; logger?: Logger }): SettingsStore {
    return new SettingsStore(options.open(settingsStoreOptions()), options.logger);
  }

  /** A setting's value; a stored value that no longer fits the schema reads as the default. */
  get<K extends SettingKey>(key: K): Settings[K] {
    const stored = this.kv.get(key);
    if (stored === undefined) return DEFAULT_SETTINGS[key];
    try {
      return parseSetting(key, stored);
    } catch {
      this.logger.warn('stored setting does not fit the schema; using the default', { key });
      return DEFAULT_SETTINGS[key];
    }
  }

  all(): Settings {
    const out = {} as Record<SettingKey, unknown>;
    for (const key of Object.keys(SettingsSchema.shape) as SettingKey[]) out[key] = this.get(key);
    return out as Settings;
  }

  /** Validate and store; throws the ZodError (and stores nothing) when the value does not fit. */
  set<K extends SettingKey>(key: K, value: unknown): Settings[K] {
    const parsed = parseSetting(key, value);
    const previous = this.get(key);
    this.kv.set(key, parsed);
    if (JSON.stringify(previous) !== JSON.stringify(parsed)) this.events.emit('change', key, parsed, previous);
    return parsed;
  }
}
