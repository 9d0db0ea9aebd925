import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function onPath(command: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Make sure `command` exists, installing Debian package `aptPackage` when it does not and we
 * are root (the build machines are; scripts/setup.sh does not install benchmark-only tools).
 * Throws with the install command otherwise.
 */
export async function requireTool(command: string, aptPackage: string, log: (line: string) => void): Promise<void> {
  if (await onPath(command)) return;
  if (process.getuid?.() !== 0 || process.env.EARSHOT_SKIP_APT === '1') {
    throw new Error(`${command} is not installed: apt-get install ${aptPackage}`);
  }
  log(`installing ${aptPackage} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['install', '-y', '--no-install-recommends', aptPackage], { env, maxBuffer: 64 * 2 ** 20 });
  } catch {
    // The package lists may be missing on a fresh machine.
    await run('apt-get', ['update'], { env, maxBuffer: 64 * 2 ** 20 });
    await run('apt-get', ['install', '-y', '--no-install-recommends', aptPackage], { env, maxBuffer: 64 * 2 ** 20 });
  }
  if (!(await onPath(command))) throw new Error(`${command} is still missing after installing ${aptPackage}`);
}
