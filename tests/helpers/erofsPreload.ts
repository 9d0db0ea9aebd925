import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SOURCE = path.join(import.meta.dirname, 'erofsPreload.c');

/**
 * A folder whose files fail every write with EROFS while the fault is on, as if the file
 * system under them had gone read-only with the files open (see erofsPreload.c, an LD_PRELOAD
 * library). Start the process to fault with `env`; `on()` and `off()` switch the fault
 * without restarting it.
 */
export interface ErofsFault {
  /** Environment for the faulted process (LD_PRELOAD and where the switch is). */
  env: Record<string, string>;
  on(): void;
  off(): void;
}

/**
 * Build erofsPreload.c with the system C compiler (once per version of the source, kept in
 * the temp folder) and return a fault for files under `dir`; or the reason it cannot be had
 * (not Linux, no compiler).
 */
export function erofsFault(dir: string): { ok: true; fault: ErofsFault } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: `the EROFS fault injector needs Linux and glibc (this is ${process.platform})` };
  const source = readFileSync(SOURCE);
  const library = path.join(os.tmpdir(), `earshot-erofs-${createHash('sha256').update(source).digest('hex').slice(0, 16)}.so`);
  if (!existsSync(library)) {
    const building = `${library}.${process.pid}`;
    try {
      execFileSync('cc', ['-shared', '-fPIC', '-O2', '-o', building, SOURCE, '-ldl'], { stdio: ['ignore', 'ignore', 'pipe'] });
      renameSync(building, library);
    } catch (error) {
      rmSync(building, { force: true });
      const detail = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim();
      return { ok: false, reason: `cannot build the EROFS fault injector with cc: ${detail}` };
    }
  }
  const flag = path.join(os.tmpdir(), `earshot-erofs-on-${process.pid}-${Date.now()}`);
  return {
    ok: true,
    fault: {
      env: { LD_PRELOAD: library, EARSHOT_EROFS_FLAG: flag, EARSHOT_EROFS_DIR: path.resolve(dir) },
      on: () => writeFileSync(flag, ''),
      off: () => rmSync(flag, { force: true }),
    },
  };
}
