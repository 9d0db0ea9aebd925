import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// electron-store is conf with Electron's paths filled in; it cannot load outside Electron, so the
// tests open the very same options with conf on a temporary folder.
import Conf from 'conf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../../common/bridge.js';
import { settingsJsonSchema, SettingsStore, settingsStoreOptions, type SettingsStoreOptions } from '../../../../main/settings/SettingsStore.js';
import { SETTINGS_LAYOUT_VERSION } from '../../../../main/settings/settingsMigrations.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = (options: SettingsStoreOptions) =>
  new Conf<Record<string, unknown>>({ ...options, configName: options.name, cwd: dir, projectName: 'earshot-test' } as never);
const file = () => path.join(dir, 'settings.json');

describe('SettingsStore', () => {
  it('gives electron-store a JSON schema with every setting and its default', () => {
    const schema = settingsJsonSchema() as Record<string, { default?: unknown }>;
    expect(Object.keys(schema).sort()).toEqual(Object.keys(DEFAULT_SETTINGS).sort());
    expect(schema.ringVolume?.default).toBe(0.8);
    expect(schema.muteShortcut?.default).toBe('CommandOrControl+Shift+M');
    expect(settingsStoreOptions().projectVersion).toBe(SETTINGS_LAYOUT_VERSION);
  });

  it('reads defaults from a new store and records the layout version', () => {
    const store = SettingsStore.create({ open });
    expect(store.all()).toEqual(DEFAULT_SETTINGS);
    store.set('ringVolume', 0.3);
    const saved = JSON.parse(readFileSync(file(), 'utf8'));
    expect(saved.ringVolume).toBe(0.3);
    expect(saved.__internal__.migrations.version).toBe(SETTINGS_LAYOUT_VERSION);
  });

  it('persists across reopen', () => {
    SettingsStore.create({ open }).set('microphone', { id: 'mic-1', label: 'USB Headset' });
    expect(SettingsStore.create({ open }).get('microphone')).toEqual({ id: 'mic-1', label: 'USB Headset' });
  });

  it('refuses a value that does not fit the schema and stores nothing', () => {
    const store = SettingsStore.create({ open });
    expect(() => store.set('ringVolume', 3)).toThrow();
    expect(() => store.set('closeToTray', 'yes')).toThrow();
    expect(() => store.set('microphone', { id: 1 })).toThrow();
    expect(store.get('ringVolume')).toBe(0.8);
    expect(store.get('closeToTray')).toBe(true);
  });

  it('emits change only when the value changes', () => {
    const store = SettingsStore.create({ open });
    const changes: unknown[] = [];
    store.events.on('change', (key, value, previous) => changes.push([key, value, previous]));
    store.set('startAtLogin', true);
    store.set('startAtLogin', true);
    expect(changes).toEqual([['startAtLogin', true, false]]);
  });

  it('reads a stored value the schema no longer accepts as the default', () => {
    const values = new Map<string, unknown>([['ringVolume', 'loud']]);
    const store = new SettingsStore({ get: (k) => values.get(k), set: (k, v) => values.set(k, v) });
    expect(store.get('ringVolume')).toBe(0.8);
  });

  it('reads low-bandwidth mode as "auto" from a 1.0.0 file written before the setting existed (no migration needed)', () => {
    writeFileSync(file(), JSON.stringify({ ringVolume: 0.5, __internal__: { migrations: { version: '1.0.0' } } }));
    const store = SettingsStore.create({ open });
    expect(store.get('lowBandwidth')).toBe('auto');
    expect(store.get('ringVolume')).toBe(0.5);
    expect(() => store.set('lowBandwidth', 'sometimes')).toThrow();
    store.set('lowBandwidth', 'on');
    expect(SettingsStore.create({ open }).get('lowBandwidth')).toBe('on');
  });

  it('resets a settings file the JSON schema rejects instead of failing to start', () => {
    writeFileSync(file(), JSON.stringify({ ringVolume: 'very loud', __internal__: { migrations: { version: '1.0.0' } } }));
    const store = SettingsStore.create({ open });
    expect(store.get('ringVolume')).toBe(0.8);
  });

  describe('migration from the 0.x layout', () => {
    it('renames and converts every 0.x key, and drops them', () => {
      writeFileSync(
        file(),
        JSON.stringify({
          server: 'https://talk.example.com',
          micDeviceId: 'abc',
          micLabel: 'USB Headset',
          speakerDeviceId: 'default',
          ringDeviceId: 'r1',
          ringLabel: 'Desk speaker',
          ringVolumePercent: 55,
          minimizeToTray: false,
          launchAtLogin: true,
          muteHotkey: 'Alt+M',
          __internal__: { migrations: { version: '0.3.0' } },
        }),
      );
      const store = SettingsStore.create({ open });
      expect(store.all()).toEqual({
        ...DEFAULT_SETTINGS,
        serverUrl: 'https://talk.example.com',
        microphone: { id: 'abc', label: 'USB Headset' },
        speaker: null,
        ringDevice: { id: 'r1', label: 'Desk speaker' },
        ringVolume: 0.55,
        closeToTray: false,
        startAtLogin: true,
        muteShortcut: 'Alt+M',
      });
      const saved = JSON.parse(readFileSync(file(), 'utf8'));
      for (const old of ['server', 'micDeviceId', 'micLabel', 'ringVolumePercent', 'minimizeToTray', 'launchAtLogin', 'muteHotkey']) {
        expect(saved).not.toHaveProperty(old);
      }
      expect(saved.__internal__.migrations.version).toBe('1.0.0');
    });

    it('drops 0.x values that do not fit, keeping defaults', () => {
      writeFileSync(file(), JSON.stringify({ server: 42, ringVolumePercent: 250, muteHotkey: 'x'.repeat(100), __internal__: { migrations: { version: '0.1.0' } } }));
      const store = SettingsStore.create({ open });
      expect(store.get('serverUrl')).toBe('');
      expect(store.get('ringVolume')).toBe(1); // clamped percentage
      expect(store.get('muteShortcut')).toBe(DEFAULT_SETTINGS.muteShortcut);
    });

    it('does not run again on a 1.0.0 file', () => {
      writeFileSync(file(), JSON.stringify({ server: 'http://old', serverUrl: 'http://new', __internal__: { migrations: { version: '1.0.0' } } }));
      expect(SettingsStore.create({ open }).get('serverUrl')).toBe('http://new');
    });
  });
});
