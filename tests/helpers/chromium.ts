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
  /**
   * Certificates to accept although no CA vouches for them, as base64 SHA-256 hashes of their
   * public keys (`SelfSignedCertificate.spkiSha256`), e.g. a test coturn's TLS certificate.
   *
   * Measured with Debian's Chromium 156: WebRTC's TURN-over-TLS client (`turns:`) verifies the
   * server certificate like any https connection (a self-signed one fails: the TLS connection is
   * dropped after the handshake and the page sees `icecandidateerror` 701). Both
   * `--ignore-certificate-errors-spki-list=<hash>` (needs a `--user-data-dir`, which Playwright
   * always passes) and a trusted entry in the NSS database under `$HOME/.pki/nssdb` make it
   * pass; the flag is used here because it trusts exactly one key and needs no `certutil`.
   */
  trustedSpkis?: string[];
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
  if (options.trustedSpkis?.length) args.push(`--ignore-certificate-errors-spki-list=${options.trustedSpkis.join(',')}`);
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
