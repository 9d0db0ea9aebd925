import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// electron-builder's own schema check and YAML reader (its dependencies), so the packaging config
// is validated here although `npm run dist` cannot run on machines without Electron downloads.
const require = createRequire(import.meta.url);
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, debug: { add(): void; isEnabled: boolean }): Promise<void>;
};
const yaml = require('js-yaml') as { load(text: string): unknown };

const ROOT = path.resolve(import.meta.dirname, '../../..');
type BuilderConfig = Record<string, Record<string, unknown> & { target?: unknown }> & { files: string[]; asarUnpack: string[] };
const config = yaml.load(readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  it('passes electron-builder’s schema', async () => {
    await expect(validateConfiguration(config, { add: () => undefined, isEnabled: false })).resolves.toBeUndefined();
  });

  it('gives the deb what electron-builder requires and depends on everything its own list has', () => {
    // FpmTarget refuses a deb without a project homepage and a maintainer (author email).
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { homepage?: string; author?: { name?: string; email?: string } };
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.author?.email).toMatch(/^[^@\s]+@[^@\s]+$/);
    const FpmTarget = (require('app-builder-lib/out/targets/FpmTarget.js') as { default: { prototype: { getDefaultDepends(target: string): string[] } } }).default;
    const defaults = FpmTarget.prototype.getDefaultDepends.call(null, 'deb');
    expect(defaults.length).toBeGreaterThan(5);
    expect(config.deb?.depends).toEqual(expect.arrayContaining([...defaults, 'libasound2']));
  });

  it('uses the app id main sets as the Windows AppUserModelID', async () => {
    const { APP_ID, APP_NAME } = await import('../../../main/appIdentity.js');
    expect(config.appId).toBe(APP_ID);
    expect(config.productName).toBe(APP_NAME);
  });

  it('builds AppImage and deb, dmg, and nsis', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.mac?.target).toBe('dmg');
    expect(config.win?.target).toBe('nsis');
  });

  it('sets the fuses of the security checklist', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('starts the bundled main process and registers earshot://', () => {
    expect(config.extraMetadata).toEqual({ main: 'dist/main/main.mjs' });
    expect(config.files).toEqual(expect.arrayContaining(['dist/main/**', 'dist/preload/**', 'dist/renderer/**', 'build/icons/tray/**']));
    expect(config.protocols).toEqual([{ name: 'Earshot link', schemes: ['earshot'] }]);
  });

  it('declares the microphone on macOS: usage description and audio-input entitlement', () => {
    expect((config.mac?.extendInfo as Record<string, string>).NSMicrophoneUsageDescription).toMatch(/microphone/);
    const plist = readFileSync(path.join(ROOT, config.mac?.entitlements as string), 'utf8');
    expect(plist).toMatch(/<key>com\.apple\.security\.device\.audio-input<\/key>\s*<true\/>/);
    expect(plist).not.toContain('com.apple.security.device.camera');
  });

  it('ships a tray icon, at 1× and 2×, for every tray state', async () => {
    const { TRAY_ICON_NAMES } = await import('../../../main/tray/trayMenuModel.js');
    for (const name of TRAY_ICON_NAMES) {
      for (const file of [`${name}.png`, `${name}@2x.png`]) {
        const bytes = readFileSync(path.join(ROOT, 'build/icons/tray', file));
        expect(bytes.subarray(1, 4).toString()).toBe('PNG');
      }
    }
    expect(readFileSync(path.join(ROOT, 'build/icons/icon.png')).readUInt32BE(16)).toBe(512);
  });
});
