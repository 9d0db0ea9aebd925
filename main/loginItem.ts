import path from 'node:path';

/**
 * "Start at login". macOS and Windows: Electron's login item settings. Linux has no such API in
 * Electron; there the XDG autostart entry `~/.config/autostart/earshot.desktop` is written or
 * removed. Earshot starts hidden in the tray (`--hidden`) when launched this way.
 */
export const HIDDEN_ARG = '--hidden';

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
}

/** The XDG autostart desktop entry. Quotes the executable per the Desktop Entry spec. */
export function autostartEntry(executable: string): string {
  const quoted = `"${executable.replace(/(["`$\\])/g, '\\$1')}"`;
  return ['[Desktop Entry]', 'Type=Application', 'Name=Earshot', 'Comment=HD voice calls', `Exec=${quoted} ${HIDDEN_ARG}`, 'X-GNOME-Autostart-enabled=true', 'Terminal=false', ''].join('\n');
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
        await fs.writeFile(this.autostartFile, autostartEntry(this.options.executable));
      } else {
        await fs.rm(this.autostartFile, { force: true });
      }
      return;
    }
    app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: enabled, args: enabled ? [HIDDEN_ARG] : [] });
  }
}
