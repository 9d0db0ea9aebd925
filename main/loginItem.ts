import path from 'node:path';

/**
 * "Start at login". macOS and Windows: Electron's login item settings. Linux has no such API in
 * Electron; there the XDG autostart entry `~/.config/autostart/earshot.desktop` is written or
 * removed. Earshot starts hidden in the tray when launched this way: `--hidden` on Windows and
 * Linux; macOS passes no arguments to login items, so there the app asks whether it was opened
 * at login (`startsHidden`).
 */
export const HIDDEN_ARG = '--hidden';

/** Whether this launch should stay in the tray: `--hidden`, or (macOS) opened as a login item. */
export function startsHidden(options: { argv: readonly string[]; platform: NodeJS.Platform; wasOpenedAtLogin: () => boolean }): boolean {
  if (options.argv.includes(HIDDEN_ARG)) return true;
  return options.platform === 'darwin' && options.wasOpenedAtLogin();
}

export interface LoginItemApp {
  setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }): void;
}

export interface LoginItemFs {
  mkdir(dir: string, options: { recursive: true }): Promise<unknown>;
  writeFile(file: string, data: string): Promise<void>;
  rm(file: string, options: { force: true }): Promise<void>;
}

export interface LoginItemOptions {
  app: LoginItemApp;
  platform: NodeJS.Platform;
  fs: LoginItemFs;
  /** XDG config home (default ~/.config). */
  configHome: string;
  /** The program to start: the AppImage path when run from one, else the executable. */
  executable: string;
  /** Arguments before `--hidden`: in development, the main script Electron is to run. */
  args?: string[];
}

/** The XDG autostart desktop entry. Quotes the executable and arguments per the Desktop Entry spec. */
export function autostartEntry(executable: string, args: readonly string[] = []): string {
  const quote = (word: string) => `"${word.replace(/(["`$\\])/g, '\\$1')}"`;
  const exec = [executable, ...args].map(quote).join(' ');
  return ['[Desktop Entry]', 'Type=Application', 'Name=Earshot', 'Comment=HD voice calls', `Exec=${exec} ${HIDDEN_ARG}`, 'X-GNOME-Autostart-enabled=true', 'Terminal=false', ''].join('\n');
}

export class LoginItem {
  constructor(private readonly options: LoginItemOptions) {}

  get autostartFile(): string {
    return path.join(this.options.configHome, 'autostart', 'earshot.desktop');
  }

  async apply(enabled: boolean): Promise<void> {
    const { app, platform, fs } = this.options;
    if (platform === 'linux') {
      if (enabled) {
        await fs.mkdir(path.dirname(this.autostartFile), { recursive: true });
        await fs.writeFile(this.autostartFile, autostartEntry(this.options.executable, this.options.args));
      } else {
        await fs.rm(this.autostartFile, { force: true });
      }
      return;
    }
    const args = this.options.args ?? [];
    app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: enabled, args: enabled ? [...args, HIDDEN_ARG] : [] });
  }
}
