import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { autostartEntry, LoginItem } from '../../../main/loginItem.js';

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
});
