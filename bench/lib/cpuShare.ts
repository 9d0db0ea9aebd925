import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** CPU time counters at one instant, in clock ticks. */
export interface CpuSnapshot {
  /** Busy ticks of the whole machine (all CPUs; /proc/stat, everything but idle and iowait). */
  busy: number;
  /** All ticks of the whole machine. */
  total: number;
  /** Ticks used by this process and all its descendants (the browsers, the in-process server). */
  ours: number;
}

function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, v) => sum + v, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** utime + stime of `root` and every live descendant (/proc/<pid>/stat fields 14 and 15). */
function treeTicks(root: number): number {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(entry), Number(rest[1]));
      ticks.set(Number(entry), Number(rest[11]) + Number(rest[12]));
    } catch {
      // The process ended while we looked.
    }
  }
  let sum = 0;
  for (const [pid, t] of ticks) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) {
      if (p === root) {
        sum += t;
        break;
      }
    }
  }
  return sum;
}

/** Linux only: returns null elsewhere. */
export function cpuSnapshot(): CpuSnapshot | null {
  try {
    return { ...machineTicks(), ours: treeTicks(process.pid) };
  } catch {
    return null;
  }
}

/**
 * How many cores' worth of CPU the rest of the machine (processes outside this benchmark's
 * tree) used between two snapshots; e.g. 1.2 on a 2-core machine = 60 % of it. Children that
 * exited in between count as "other", so keep the browsers alive across the interval.
 */
export function otherCores(before: CpuSnapshot | null, after: CpuSnapshot | null): number {
  if (!before || !after || after.total <= before.total) return NaN;
  const others = after.busy - before.busy - (after.ours - before.ours);
  return Math.max(0, (others / (after.total - before.total)) * os.cpus().length);
}
