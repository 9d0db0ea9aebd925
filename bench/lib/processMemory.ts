import { readFileSync } from 'node:fs';

/**
 * Resident memory of one process from /proc/<pid>/status, in MiB (one decimal): `rss` now
 * (VmRSS) and `peak` (VmHWM, the high-water mark since it started). Linux only.
 */
export function processMemoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]);
  };
  const mb = (k: number) => Math.round((k / 1024) * 10) / 10;
  return { rss: mb(kb('VmRSS')), peak: mb(kb('VmHWM')) };
}
