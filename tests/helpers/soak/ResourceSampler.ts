import { readdirSync } from 'node:fs';
import { processMemoryMb } from '../../../bench/lib/processMemory.js';
import type { TestServerProcess } from '../testServerProcess.js';
import { linearSlope } from './linearSlope.js';

const MB = 1024 * 1024;

/** One reading of the server process and its mediasoup worker. */
export interface ResourceSample {
  /** Seconds since the soak's load started. */
  atS: number;
  /** Resident set of the signaling server process (VmRSS), MiB. */
  serverRssMb: number;
  /** V8 heap in use after a full GC in the server process, MiB: the sharper leak signal. */
  serverHeapMb: number;
  /** Open file descriptors of the server process (sockets, SQLite files, pipes). */
  serverFds: number;
  /** Resident set of the mediasoup worker (VmRSS), MiB. */
  workerRssMb: number;
  /** Open file descriptors of the mediasoup worker (one or more UDP/TCP sockets per transport). */
  workerFds: number;
  workerPid: number;
}

/** How one figure moved over the run. */
export interface Growth {
  /** First sample after the warm-up. */
  start: number;
  /** Last sample. */
  end: number;
  /** Highest sample of the whole run, warm-up included. */
  max: number;
  /** Least-squares slope over the samples after the warm-up, per 10 minutes. */
  slopePer10Min: number;
}

export type SampledFigure = Exclude<keyof ResourceSample, 'atS' | 'workerPid'>;

/** Open file descriptors of a process (entries of /proc/<pid>/fd). Linux only. */
export function processFdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/**
 * Samples the memory and handles of a server started with `startTestServerProcess({ sfu: true })`
 * and of its (first) mediasoup worker, from /proc and the server's own `memory(gc)`.
 */
export class ResourceSampler {
  readonly samples: ResourceSample[] = [];

  constructor(private readonly server: TestServerProcess) {}

  async sample(atS: number): Promise<ResourceSample> {
    const memory = await this.server.memory(true);
    const workerPid = memory.workerPids[0];
    if (workerPid === undefined) throw new Error('the server has no mediasoup worker (started without sfu: true?)');
    const worker = processMemoryMb(workerPid);
    const sample: ResourceSample = {
      atS: Math.round(atS * 10) / 10,
      serverRssMb: processMemoryMb(this.server.pid).rss,
      serverHeapMb: Math.round((memory.heapUsed / MB) * 10) / 10,
      serverFds: processFdCount(this.server.pid),
      workerRssMb: worker.rss,
      workerFds: processFdCount(workerPid),
      workerPid,
    };
    this.samples.push(sample);
    return sample;
  }

  /** Start / end / max and the slope of one figure, measuring growth from the first sample at or after `warmupS`. */
  growth(figure: SampledFigure, warmupS: number): Growth {
    const after = this.samples.filter((s) => s.atS >= warmupS);
    if (after.length === 0) throw new Error(`no sample after the ${warmupS} s warm-up`);
    const round = (v: number) => Math.round(v * 100) / 100;
    return {
      start: after[0]![figure],
      end: after[after.length - 1]![figure],
      max: Math.max(...this.samples.map((s) => s[figure])),
      slopePer10Min: round(linearSlope(after.map((s) => ({ x: s.atS / 600, y: s[figure] })))),
    };
  }
}
