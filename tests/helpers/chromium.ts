import { chromium, type Browser, type LaunchOptions } from '@playwright/test';

/**
 * Chromium for the e2e tests: Debian's `chromium` package (Playwright's own browser download
 * cannot work on the build machines). Override with CHROMIUM_PATH.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface ChromiumArgsOptions {
  /**
   * WAV file the fake microphone plays in a loop (48 kHz mono 16-bit works; see tones.ts).
   * Default: Chromium's built-in beeping fake device.
   */
  fakeAudioFile?: string;
}

/**
 * Command-line flags for headless Chromium in the tests: no sandbox (root in CI), no GPU, no
 * background traffic, and a fake microphone that is granted without a prompt.
 */
export function chromiumArgs(options: ChromiumArgsOptions = {}): string[] {
  const args = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (options.fakeAudioFile) args.push(`--use-file-for-fake-audio-capture=${options.fakeAudioFile}`);
  return args;
}

/** Launch options for `chromium.launch` / the Playwright project's `use.launchOptions`. */
export function chromiumLaunchOptions(options: ChromiumArgsOptions = {}): LaunchOptions {
  return { executablePath: CHROMIUM_PATH, args: chromiumArgs(options) };
}

/**
 * A separate headless browser, e.g. one per call participant so each has its own microphone
 * tone. The caller closes it (`await browser.close()`).
 */
export function launchChromium(fakeAudioFile?: string): Promise<Browser> {
  return chromium.launch(chromiumLaunchOptions(fakeAudioFile ? { fakeAudioFile } : {}));
}
