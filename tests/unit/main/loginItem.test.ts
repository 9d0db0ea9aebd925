import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { autostartEntry, LoginItem, startsHidden } from '../../../main/loginItem.js';

const realFs = { mkdir, writeFile: (f: string, d: string) => writeFile(f, d), rm };

describe('LoginItem', () => {
  it('uses Electron login item settings on macOS and Windows, starting hidden', async () => {
    const app = { setLoginItemSettings: vi.fn() };
    const item = new LoginItem({ app, platform: 'win32', fs: realFs, configHome: '/nonexistent', executable: 'C:\\Earshot.exe' });
    await item.apply(true);
    await item.apply(false);
    expect(app.setLoginItemSettings.mock.calls).toEqual([
      [{ openAtLogin: true, openAsHidden: true, args: ['--hidden'] }],
      [{ openAtLogin: false, openAsHidden: false, args: [] }],
    ]);
  });

  it('writes and removes an XDG autostart entry on Linux', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'earshot-xdg-'));
    const app = { setLoginItemSettings: vi.fn() };
    const item = new LoginItem({ app, platform: 'linux', fs: realFs, configHome: home, executable: '/opt/Earshot/earshot' });
    await item.apply(true);
    const entry = await readFile(path.join(home, 'autostart', 'earshot.desktop'), 'utf8');
    expect(entry).toContain('Exec="/opt/Earshot/earshot" --hidden');
    expect(entry).toContain('[Desktop Entry]');
    await item.apply(false);
    await expect(stat(item.autostartFile)).rejects.toThrow();
    await item.apply(false); // removing twice is fine
    expect(app.setLoginItemSettings).not.toHaveBeenCalled();
    await rm(home, { recursive: true, force: true });
  });

  it('quotes the executable path', () => {
    expect(autostartEntry('/home/a "b"/$x/Earshot.AppImage')).toContain('Exec="/home/a \\"b\\"/\\$x/Earshot.AppImage" --hidden');
  });

  it('in development starts Electron with the main script (Linux entry and login item arguments)', async () => {
    expect(autostartEntry('/repo/node_modules/electron/dist/electron', ['/repo/dist/main/main.mjs'])).toContain(
      'Exec="/repo/node_modules/electron/dist/electron" "/repo/dist/main/main.mjs" --hidden',
    );
    const app = { setLoginItemSettings: vi.fn() };
    await new LoginItem({ app, platform: 'win32', fs: realFs, configHome: '/x', executable: 'electron.exe', args: ['C:\\repo\\main.mjs'] }).apply(true);
    expect(app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true, openAsHidden: true, args: ['C:\\repo\\main.mjs', '--hidden'] });
  });

  it('starts hidden with --hidden, or on macOS when opened as a login item', () => {
    const never = () => false;
    expect(startsHidden({ argv: ['earshot', '--hidden'], platform: 'linux', wasOpenedAtLogin: never })).toBe(true);
    expect(startsHidden({ argv: ['earshot'], platform: 'linux', wasOpenedAtLogin: () => true })).toBe(false);
    expect(startsHidden({ argv: ['Earshot'], platform: 'darwin', wasOpenedAtLogin: () => true })).toBe(true);
    expect(startsHidden({ argv: ['Earshot'], platform: 'darwin', wasOpenedAtLogin: never })).toBe(false);
  });
});
