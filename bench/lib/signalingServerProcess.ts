/**
 * Child process of the `signaling` benchmark: one real signaling server (SignalingServer with
 * SQLite in the data folder the benchmark seeded) and nothing else, so /proc/<pid> of this
 * process is the server's own memory and CPU. Driven over IPC (signalingBenchProtocol.ts);
 * shuts the server down and exits when the parent goes away.
 *
 * BENCH_SIGNALING_CPU_PROF=<dir>: start this process with `--cpu-prof` (see bench/signaling.ts).
 */
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../signaling-server/config.js';
import { createLogger } from '../../signaling-server/logger.js';
import { SignalingServer } from '../../signaling-server/SignalingServer.js';
import { answerParent } from './IpcChild.js';
import { percentile } from './percentile.js';
import type { ServerReplies, ServerRequest, ServerStats } from './signalingBenchProtocol.js';

let server: SignalingServer | null = null;
/**
 * Event-loop lateness: a 10 ms timer notes how late it ran (blocking work: GC, fsync, long
 * loops), as [Date.now(), ms late]. Off until asked for, so the idle CPU windows do not pay for it;
 * read by wall-clock range afterwards, so a busy server is never asked mid-measurement.
 */
const LOOP_TICK_MS = 10;
let loopSamples: Array<[at: number, lateMs: number]> = [];
let loopTimer: NodeJS.Timeout | null = null;
function loopTick(expected: number): void {
  const now = performance.now();
  loopSamples.push([Date.now(), Math.max(0, now - expected)]);
  loopTimer = setTimeout(() => loopTick(now + LOOP_TICK_MS), LOOP_TICK_MS);
}

async function byLabel(metric: { get(): Promise<{ values: Array<{ value: number; labels: Record<string, string | number | undefined> }> }> }, label: string) {
  const out: Record<string, number> = {};
  for (const v of (await metric.get()).values) out[String(v.labels[label])] = v.value;
  return out;
}

async function handle(request: ServerRequest): Promise<ServerReplies[ServerRequest['op']]> {
  switch (request.op) {
    case 'start': {
      // Product defaults except: loopback, port 0, the seeded folder, the bench's heartbeat.
      const config = loadConfig({}, { host: '127.0.0.1', port: 0, dataDir: request.dataDir, heartbeatMs: request.heartbeatMs, sfuWorkers: 0 });
      // The product logger (info level) into a file, as a service manager would collect stdout.
      const logger = createLogger(config.logLevel, pino.destination({ dest: path.join(request.dataDir, 'server.log'), sync: false }));
      server = await SignalingServer.create({ config, logger, sfu: null });
      return { wsUrl: `${server.url.replace(/^http/, 'ws')}/ws` };
    }
    case 'stats': {
      if (!server) throw new Error('server not started');
      let connections = 0;
      for (const _ of server.hub.connections()) connections++;
      const stats: ServerStats = {
        connections,
        onlineUsers: (await server.metrics.onlineUsers.get()).values[0]?.value ?? 0,
        chatMessages: (await server.metrics.chatMessages.get()).values[0]?.value ?? 0,
        errors: await byLabel(server.metrics.errors, 'code'),
        shed: await byLabel(server.metrics.shed, 'action'),
      };
      return stats;
    }
    case 'loopDelayOn':
      if (!loopTimer) loopTick(performance.now());
      return null;
    case 'loopDelay': {
      // A late tick is noted when it finally runs: count it where its delay overlaps the span.
      const late = loopSamples.filter(([at, ms]) => at >= request.from && at - ms <= request.to).map(([, ms]) => ms);
      loopSamples = loopSamples.filter(([at]) => at > request.to);
      const r = (v: number) => Math.round(v * 10) / 10;
      return late.length ? { n: late.length, p99: r(percentile(late, 99)), max: r(late.reduce((a, b) => Math.max(a, b), 0)) } : { n: 0, p99: -1, max: -1 };
    }
  }
}

answerParent(handle, () => {
  const done = () => process.exit(0);
  if (!server) done();
  else server.close().then(done, done);
});
