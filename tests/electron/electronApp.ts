import { mkdirSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from '@playwright/test';
import type { EarshotTestHooks } from '../../main/testHooks.js';
import { electronBinary } from '../../scripts/electron-binary.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const MAIN_BUNDLE = path.join(ROOT, 'dist/main/main.mjs');

/**
 * Why the Electron suite cannot run on this machine, or null when it can: the Electron binary
 * must be installed (it is not where GitHub is unreachable) and, on Linux, a display must exist
 * (run under `xvfb-run` on a headless machine; scripts/test.sh does when it finds it).
 */
export function electronSkipReason(): string | null {
  const binary = electronBinary();
  if (!binary.path) return `Electron binary not installed here: ${binary.reason}`;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'no display for Electron (install xvfb; scripts/test.sh runs this suite under xvfb-run)';
  }
  return null;
}

export interface LaunchedApp {
  app: ElectronApplication;
  main: Page;
  userData: string;
  /** Call a test hook inside the main process (main/testHooks.ts). */
  hooks<T>(fn: (hooks: EarshotTestHooks) => T): Promise<T>;
}

/**
 * Start the desktop app from dist/main with its own userData folder, pointed at `serverUrl`,
 * with main-process test hooks on, and a fake microphone. `sessionToken` signs it in (written
 * the way SessionTokenStore keeps it where OS encryption is unavailable).
 */
export async function launchDesktopApp(opts: { serverUrl: string; sessionToken?: string }): Promise<LaunchedApp> {
  const binary = electronBinary();
  if (!binary.path) throw new Error(binary.reason);
  if (!existsSync(MAIN_BUNDLE)) throw new Error(`${MAIN_BUNDLE} missing: run npm run build:desktop (scripts/setup.sh does)`);
  const userData = mkdtempSync(path.join(os.tmpdir(), 'earshot-electron-'));
  mkdirSync(userData, { recursive: true });
  if (opts.sessionToken) writeFileSync(path.join(userData, 'session.json'), JSON.stringify({ sessionToken: { scheme: 'plain', data: opts.sessionToken } }));
  const app = await _electron.launch({
    executablePath: binary.path,
    args: [
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), // Chromium refuses to run as root otherwise
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      MAIN_BUNDLE,
    ],
    env: { ...process.env, EARSHOT_TEST_HOOKS: '1', EARSHOT_USER_DATA_DIR: userData, EARSHOT_SERVER_URL: opts.serverUrl, ELECTRON_ENABLE_LOGGING: '1' },
    timeout: 60_000,
  });
  const main = await app.firstWindow();
  await main.waitForURL(/^app:\/\/earshot\//);
  return {
    app,
    main,
    userData,
    hooks: (fn) =>
      app.evaluate((_electron, source) => {
        const hooks = (globalThis as { __earshotTest?: EarshotTestHooks }).__earshotTest;
        if (!hooks) throw new Error('test hooks missing: started without EARSHOT_TEST_HOOKS=1?');
        return (0, eval)(`(${source})`)(hooks);
      }, fn.toString()),
  };
}
