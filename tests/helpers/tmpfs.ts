import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A tmpfs of its own, for storage-fault tests: a disk that fills up, a file system that can be made read-only. */
export interface Tmpfs {
  /** Where it is mounted. */
  dir: string;
  /** Fill every free byte with `<dir>/fill` (writes until ENOSPC); returns the bytes written. */
  fill(): number;
  /** Delete the fill file: the space is free again. */
  unfill(): void;
  /**
   * Remount read-only or read-write. The kernel refuses read-only (EBUSY: this throws) while
   * any file on it is open for writing, e.g. by a running server's SQLite.
   */
  setReadOnly(readOnly: boolean): void;
  /** Unmount and remove the mount point (lazily if something still holds it open). */
  unmount(): void;
}

const mount = (...args: string[]) => execFileSync('mount', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Mount a tmpfs of `sizeBytes` on a new folder under the temp folder. Needs root (or CAP_SYS_ADMIN). */
export function mountTmpfs(sizeBytes: number): Tmpfs {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-tmpfs-'));
  try {
    mount('-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0755`, 'tmpfs', dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const fillFile = path.join(dir, 'fill');
  return {
    dir,
    fill() {
      const fd = openSync(fillFile, 'a');
      let written = 0;
      try {
        // Big chunks first, then smaller ones for the last partial megabyte (tmpfs allocates pages).
        for (const size of [1 << 20, 64 << 10, 4 << 10, 512]) {
          const chunk = Buffer.alloc(size, 0x55);
          for (;;) {
            try {
              written += writeSync(fd, chunk);
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
              break;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
      return written;
    },
    unfill() {
      rmSync(fillFile, { force: true });
    },
    setReadOnly(readOnly) {
      mount('-o', `remount,${readOnly ? 'ro' : 'rw'}`, dir);
    },
    unmount() {
      try {
        execFileSync('umount', [dir], { stdio: 'ignore' });
      } catch {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether this process can mount a tmpfs (root in the build machines' containers); the reason when not. */
export function canMountTmpfs(): { ok: boolean; reason?: string } {
  if (process.platform !== 'linux') return { ok: false, reason: `tmpfs mounts need Linux (this is ${process.platform})` };
  try {
    const probe = mountTmpfs(1 << 20);
    mkdirSync(path.join(probe.dir, 'probe'));
    probe.unmount();
    return { ok: true };
  } catch (error) {
    const detail = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim();
    return { ok: false, reason: `cannot mount a tmpfs (needs root): ${detail}` };
  }
}
