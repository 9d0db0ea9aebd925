import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';
import { CHROMIUM_PATH } from '../../tests/helpers/chromium.js';

const run = promisify(execFile);

/** The machine a result was measured on, saved with every result. */
export interface MachineInfo {
  cores: number;
  /** Total RAM, GiB, one decimal. */
  ramGb: number;
  /** `process.version`, e.g. `v20.19.5`. */
  node: string;
  /** `chromium --version`, or null when Chromium is not installed. */
  chromium: string | null;
  /** Installed `mediasoup` package version, or null when it is not installed. */
  mediasoup: string | null;
  /** Distribution name and kernel, e.g. `Debian GNU/Linux 12 (bookworm); Linux 6.1.0 x64`. */
  os: string;
}

export async function machineInfo(): Promise<MachineInfo> {
  return {
    cores: os.cpus().length,
    ramGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    chromium: await chromiumVersion(),
    mediasoup: mediasoupVersion(),
    os: `${distribution()}; ${os.type()} ${os.release()} ${os.arch()}`,
  };
}

async function chromiumVersion(): Promise<string | null> {
  try {
    // Debian's wrapper script prints a harmless shell warning on stderr; only stdout counts.
    const { stdout } = await run(CHROMIUM_PATH, ['--version']);
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

function mediasoupVersion(): string | null {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../node_modules/mediasoup/package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? null;
  } catch {
    return null;
  }
}

function distribution(): string {
  try {
    const match = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return match?.[1] ?? os.platform();
  } catch {
    return os.platform();
  }
}
