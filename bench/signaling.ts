/**
 * `signaling`: one signaling server process holding 10,000 authenticated idle WebSocket
 * connections, then a chat-message storm over them, and 1-on-1 rings with them present.
 *
 * Three processes: this one (seeds the data folder, reads /proc, keeps time), the server
 * (bench/lib/signalingServerProcess.ts: SignalingServer + SQLite, product defaults but for the
 * heartbeat) and the load generator (bench/lib/signalingLoadProcess.ts: plain `ws` clients).
 * 10,000 member accounts with a session token each are seeded through the server's own store
 * (bench/lib/seedSignalingUsers.ts), in 5,000 direct conversations (clients 2k and 2k + 1).
 * Each client connects the way the app does (token as a WebSocket subprotocol, then
 * `sync.state`), and ws answers the server's pings.
 *
 * - Idle: CPU of the server and of the load generator over IDLE_WINDOWS windows of one
 *   heartbeat period each (so each window holds one ping round over every socket); RSS after.
 * - Rings: RING_WARMUP + RINGS `call.place` → `call.incoming` at the callee, each in another
 *   conversation, cancelled after, spread over one heartbeat period; warm-up rings excluded.
 *   The server's event-loop lateness over that period is read too (its ping round stalls it).
 * - Storm: the load generator writes `messages.send` at a fixed offered rate, round-robin over
 *   every client, each to its conversation's other member; after STORM_WARMUP_MS, STORM_WINDOWS
 *   windows of STORM_WINDOW_MS: delivered/s and send → `message.new` at the other member, with
 *   rings spread over the windows. Offered rates climb a ladder (LADDER) while the server keeps
 *   up, then jump to the target rate, which is always measured and gives the targeted figures.
 *
 * BENCH_SIGNALING_CONNS, BENCH_SIGNALING_RATES, BENCH_SIGNALING_RINGS (≥ 20) for quick tries;
 * BENCH_SIGNALING_CPU_PROF=<dir> for a CPU profile of the server.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark, BenchContext, Figures } from './BenchmarkTypes.js';
import { cpuSnapshot, otherCores } from './lib/cpuShare.js';
import { IpcChild } from './lib/IpcChild.js';
import { percentile } from './lib/percentile.js';
import { processCpuPct } from './lib/processCpu.js';
import { processMemoryMb } from './lib/processMemory.js';
import { seedSignalingUsers } from './lib/seedSignalingUsers.js';
import type { LoadReplies, LoadRequest, LoopDelay, ServerReplies, ServerRequest, StormMeasurement } from './lib/signalingBenchProtocol.js';

/** Connections (BENCH_SIGNALING_CONNS for a quick try; rounded down to an even number). */
const CONNS = 2 * Math.floor(Number(process.env.BENCH_SIGNALING_CONNS ?? 10_000) / 2);
/** The target's offered message rate, and the ladder below it (BENCH_SIGNALING_RATES, comma-separated). */
const TARGET_RATE = 20_000;
const LADDER = (process.env.BENCH_SIGNALING_RATES ?? '1000,2500,5000,10000,15000').split(',').map(Number).filter((r) => r > 0 && r < TARGET_RATE);
/** Server heartbeat for the run (the product default is 30 s: this pings three times as often). */
const HEARTBEAT_MS = 10_000;
const IDLE_WINDOWS = 3;
const RINGS = Number(process.env.BENCH_SIGNALING_RINGS ?? 30);
const RING_WARMUP = 3;
/** Pause after each idle ring: the measured rings span one heartbeat period, so they meet its ping round in proportion. */
const RING_PAUSE_MS = Math.ceil(HEARTBEAT_MS / RINGS);
const STORM_WARMUP_MS = 3000;
const STORM_WINDOWS = 3;
const STORM_WINDOW_MS = 3500;
/** The latency target, also the "holds" rule of a ladder step. */
const P99_TARGET_MS = 20;
/**
 * A step is saturated (the ladder jumps to the target rate) when less than this share of what
 * was sent in its windows arrived in them, or its backlog took this long to drain after; it kept
 * up (sustained) otherwise, unless messages got error answers.
 */
const SATURATED_SHARE = 0.9;
const SATURATED_DRAIN_MS = 2000;
/** BENCH_SIGNALING_CPU_PROF=<dir>: the server process writes a V8 CPU profile there on exit. */
const CPU_PROF_DIR = process.env.BENCH_SIGNALING_CPU_PROF;

const SERVER_ENTRY = fileURLToPath(new URL('./lib/signalingServerProcess.ts', import.meta.url));
const LOAD_ENTRY = fileURLToPath(new URL('./lib/signalingLoadProcess.ts', import.meta.url));

type Server = IpcChild<ServerRequest, ServerReplies>;
type Load = IpcChild<LoadRequest, LoadReplies>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round1 = (v: number) => Math.round(v * 10) / 10;

/** Soft "Max open files" of a running process (Node raises its own soft limit to the hard one). */
function openFilesLimit(pid: number): number {
  const line = /^Max open files\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  return line?.[1] === 'unlimited' ? Infinity : Number(line?.[1]);
}

/** `count` caller → callee pairs spread over every conversation; each `batch` uses other ones. */
function ringPairs(count: number, batch: number): Array<[number, number]> {
  const pairs = CONNS / 2;
  return Array.from({ length: count }, (_, j) => {
    const k = (Math.floor(((j + 0.5) * pairs) / count) + batch) % pairs;
    return [2 * k, 2 * k + 1] as [number, number];
  });
}

let ringBatch = 0;

/** RING_WARMUP + RINGS rings `pauseMs` apart (none started after `deadlineMs`); the measured ones, ms. */
async function rings(load: Load, ctx: BenchContext, what: string, pauseMs: number, deadlineMs?: number): Promise<number[]> {
  const result = await load.request({ op: 'ring', pairs: ringPairs(RING_WARMUP + RINGS, ringBatch++), pauseMs, ...(deadlineMs ? { deadlineMs } : {}) });
  if (result.failures.length) ctx.note(`Ring failures (${what}): ${result.failures.length}, e.g. ${result.failures.slice(0, 3).join('; ')}.`);
  return result.ms.slice(RING_WARMUP);
}

interface StepResult {
  rate: number;
  measurement: StormMeasurement;
  /** Median over the windows, messages/s. */
  sentPerS: number;
  deliveredPerS: number;
  deliveredShare: number;
  serverCpu: number;
  loadCpu: number;
  /** The server's event-loop lateness over the windows; null when saturated (it answers only after its backlog). */
  loop: LoopDelay | null;
  /** Cores' worth of CPU used by processes outside this benchmark over the windows. */
  otherCores: number;
  drainMs: number;
  errors: Record<string, number>;
  lagRounds: number;
  /** Kept up: not saturated and no error answers. */
  sustained: boolean;
  /** Sustained with p99 ≤ the target. */
  holds: boolean;
  saturated: boolean;
  /** Rings during the windows (warm-up excluded); null when fewer than 20 succeeded. */
  ringMs: number[] | null;
  ringsDone: number;
}

/** `last`: nothing runs after this step, so its backlog need not drain fully. */
async function stormStep(rate: number, last: boolean, server: Server, load: Load, ctx: BenchContext): Promise<StepResult> {
  await load.request({ op: 'stormStart', ratePerSecond: rate });
  await sleep(STORM_WARMUP_MS);
  // Nothing here waits on the server: a saturated server answers IPC only after its backlog.
  const from = Date.now();
  const snapshot = cpuSnapshot();
  const measureMs = STORM_WINDOWS * STORM_WINDOW_MS;
  const cpuDuring = processCpuPct({ server: server.pid, load: load.pid }, measureMs);
  // Rings spread over the windows, as in the idle phase.
  const ringsDuring = rings(load, ctx, `during the ${rate}/s storm`, Math.floor(measureMs / (RING_WARMUP + RINGS)) - 10, measureMs);
  const measurement = await load.request({ op: 'stormMeasure', windows: STORM_WINDOWS, windowMs: STORM_WINDOW_MS });
  const span = { from, to: Date.now() };
  const others = otherCores(snapshot, cpuSnapshot());
  const cpu = await cpuDuring;
  const ringMs = await ringsDuring;
  const stop = await load.request({ op: 'stormStop', drainTimeoutMs: last ? 5000 : 60_000 });
  const perS = (n: (w: StormMeasurement['windows'][number]) => number) => percentile(measurement.windows.map((w) => (n(w) * 1000) / w.ms), 50);
  const sent = measurement.windows.reduce((sum, w) => sum + w.sent, 0);
  const delivered = measurement.windows.reduce((sum, w) => sum + w.delivered, 0);
  const deliveredShare = sent ? delivered / sent : 0;
  const errorCount = Object.values(stop.errors).reduce((a, b) => a + b, 0);
  const saturated = deliveredShare < SATURATED_SHARE || stop.drainMs >= SATURATED_DRAIN_MS;
  const sustained = !saturated && errorCount === 0;
  const step: StepResult = {
    rate,
    measurement,
    sentPerS: Math.round(perS((w) => w.sent)),
    deliveredPerS: Math.round(perS((w) => w.delivered)),
    deliveredShare,
    serverCpu: cpu.server!,
    loadCpu: cpu.load!,
    loop: saturated ? null : await server.request({ op: 'loopDelay', ...span }),
    otherCores: Math.round(others * 100) / 100,
    drainMs: stop.drainMs,
    errors: stop.errors,
    lagRounds: stop.lagRounds,
    sustained,
    holds: sustained && measurement.pooled.p99 <= P99_TARGET_MS,
    saturated,
    ringMs: ringMs.length >= 20 ? ringMs : null,
    ringsDone: ringMs.length,
  };
  const p = measurement.pooled;
  ctx.log(
    `storm ${rate}/s: sent ${step.sentPerS}/s, delivered ${step.deliveredPerS}/s (${round1(100 * deliveredShare)} %), latency p50 ${p.p50} p99 ${p.p99} max ${p.max} ms, ` +
      `server ${cpu.server} % CPU${step.loop ? ` (event loop late by up to ${step.loop.max} ms)` : ''}, load generator ${cpu.load} %, other processes ${step.otherCores} cores, drain ${stop.drainMs} ms${errorCount ? `, errors ${JSON.stringify(stop.errors)}` : ''}, ` +
      `${ringMs.length} rings${ringMs.length ? ` p95 ${round1(percentile(ringMs, 95))} ms` : ''} → ${step.holds ? 'holds' : step.sustained ? 'sustained' : step.saturated ? 'saturated' : 'error answers'}`,
  );
  return step;
}

export const signaling: Benchmark = {
  name: 'signaling',
  description: '10,000 authenticated idle WebSockets on one signaling server process (RSS, idle CPU), a chat-message storm (msgs/s, send → delivery p99) and ring time with them present',
  targets: {
    idle_conns: { min: 10_000 },
    rss_mb: { max: 1024 },
    cpu_pct_idle: { max: 10 },
    msgs_per_s: { min: TARGET_RATE },
    msg_latency_ms_p99: { max: P99_TARGET_MS },
    ring_ms_p95: { max: 50 },
  },
  async run(ctx) {
    const figures: Figures = {};
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'earshot-bench-signaling-'));
    let server: Server | null = null;
    let load: Load | null = null;
    try {
      ctx.note(
        `Method: three processes on this machine over 127.0.0.1: the benchmark (seeding, /proc readings), the signaling server (bench/lib/signalingServerProcess.ts: SignalingServer with SQLite in a temporary folder, run with node --import tsx as npm run server runs it, no SFU) and the load generator (bench/lib/signalingLoadProcess.ts: ${CONNS.toLocaleString('en')} plain ws clients in one Node process). ` +
          `${CONNS.toLocaleString('en')} member accounts with one session token each are written beforehand through the server's own store and token code (SqliteStore, hashToken: what an admin-created account and a sign-in leave behind, without scrypt), paired in ${(CONNS / 2).toLocaleString('en')} direct conversations; one connection per account. ` +
          `Each client connects as the app does (token as a WebSocket subprotocol, checked during the upgrade; then sync.state, whose answer counts it as connected); ws answers every heartbeat ping.`,
      );
      ctx.note(
        `Server configuration: product defaults (loadConfig) except heartbeatMs ${HEARTBEAT_MS} (default 30,000: three times as many pings, so every ${HEARTBEAT_MS / 1000} s idle window holds exactly one ping round) and sfuWorkers 0. Rate limits stay at the defaults (30 requests/s sustained, burst 60, per connection): the storm spreads even ${TARGET_RATE.toLocaleString('en')} messages/s over every socket, ≤ ${Math.ceil(TARGET_RATE / CONNS)} per socket per second, and error answers are counted. Log level info (the default), written to a file.`,
      );

      const t0 = performance.now();
      const specs = await seedSignalingUsers(dataDir, CONNS / 2);
      ctx.log(`seeded ${CONNS} users, sessions and ${CONNS / 2} direct conversations in ${Math.round(performance.now() - t0)} ms`);

      server = await IpcChild.start<ServerRequest, ServerReplies>(
        SERVER_ENTRY,
        'signaling server',
        CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(CPU_PROF_DIR)}`] : [],
      );
      const { wsUrl } = await server.request({ op: 'start', dataDir, heartbeatMs: HEARTBEAT_MS });
      load = await IpcChild.start<LoadRequest, LoadReplies>(LOAD_ENTRY, 'load generator');
      for (const [who, pid] of [['server', server.pid], ['load generator', load.pid]] as const) {
        const limit = openFilesLimit(pid);
        if (limit < CONNS + 1024) throw new Error(`the ${who} may open ${limit} files, fewer than ${CONNS} sockets + 1024 (raise ulimit -n / the hard limit)`);
      }
      await sleep(2000);
      const empty = processMemoryMb(server.pid);
      figures.rss_mb_empty = { value: empty.rss, unit: 'MiB' };

      // ── Connect and hold idle ──
      const connected = await load.request({ op: 'connect', wsUrl, clients: specs, concurrency: 64 });
      ctx.log(`connected ${connected.connected}/${CONNS} in ${connected.ms} ms${connected.failed ? `; failures: ${connected.failures.join('; ')}` : ''}`);
      if (connected.failed) ctx.note(`Connect failures: ${connected.failed}, e.g. ${connected.failures.join('; ')}.`);
      if (connected.connected < CONNS * 0.9) throw new Error(`only ${connected.connected} of ${CONNS} clients connected: ${connected.failures.join('; ')}`);
      figures.connect_per_s = { value: Math.round((connected.connected * 1000) / connected.ms), unit: 'conn/s' };
      await sleep(2000);
      const idle: Array<Record<string, number>> = [];
      const idleSnapshot = cpuSnapshot();
      for (let w = 0; w < IDLE_WINDOWS; w++) idle.push(await processCpuPct({ server: server.pid, load: load.pid }, HEARTBEAT_MS));
      const idleOthers = Math.round(otherCores(idleSnapshot, cpuSnapshot()) * 100) / 100;
      const serverStats = await server.request({ op: 'stats' });
      const loadStats = await load.request({ op: 'stats' });
      const memory = processMemoryMb(server.pid);
      figures.idle_conns = { value: Math.min(serverStats.connections, loadStats.open), unit: 'count' };
      figures.rss_mb = { value: memory.rss, unit: 'MiB' };
      figures.cpu_pct_idle = { value: Math.max(...idle.map((c) => c.server!)), unit: '%' };
      figures.loadgen_cpu_pct_idle = { value: Math.max(...idle.map((c) => c.load!)), unit: '%' };
      figures.rss_kb_per_conn = { value: round1(((memory.rss - empty.rss) * 1024) / Math.max(1, figures.idle_conns.value)), unit: 'KiB' };
      figures.loadgen_rss_mb = { value: processMemoryMb(load.pid).rss, unit: 'MiB' };
      ctx.log(
        `idle: server ${serverStats.connections} connections, load generator ${loadStats.open} open (pings ${loadStats.pingsMin}–${loadStats.pingsMax} each, closed ${JSON.stringify(loadStats.closed)}); ` +
          `server RSS ${memory.rss} MiB (${empty.rss} before connections), CPU ${idle.map((c) => c.server).join(' / ')} %, load generator ${idle.map((c) => c.load).join(' / ')} %`,
      );
      ctx.note(
        `idle_conns: connections the server's hub holds and the load generator still has open after ${IDLE_WINDOWS} heartbeat periods of idling (the smaller of the two); each open socket had received ${loadStats.pingsMin}–${loadStats.pingsMax} pings (one that missed a pong would have been dropped). ` +
          `rss_mb: the server process's VmRSS (/proc/<pid>/status) after the idle windows (rss_mb_empty: before any connection; rss_kb_per_conn: the difference per connection). ` +
          `cpu_pct_idle / loadgen_cpu_pct_idle: utime+stime (/proc/<pid>/stat) over ${IDLE_WINDOWS} windows of ${HEARTBEAT_MS / 1000} s, % of one core, the worst window (each: ${idle.map((c) => `${c.server}/${c.load}`).join(', ')} % server/load generator; other processes used ${idleOthers} cores meanwhile).`,
      );

      // ── Rings with the connections present ──
      // From here on the server notes its event-loop lateness (read back by wall-clock span).
      await server.request({ op: 'loopDelayOn' });
      const idleFrom = Date.now();
      const idleRings = await rings(load, ctx, 'idle', RING_PAUSE_MS);
      if (idleRings.length < 20) throw new Error(`only ${idleRings.length} idle rings succeeded`);
      await sleep(idleFrom + HEARTBEAT_MS + 500 - Date.now());
      const idleLoop = await server.request({ op: 'loopDelay', from: idleFrom, to: Date.now() });
      figures.ring_ms_p50 = { value: round1(percentile(idleRings, 50)), unit: 'ms' };
      figures.ring_ms_p95 = { value: round1(percentile(idleRings, 95)), unit: 'ms' };
      figures.idle_loop_delay_ms_max = { value: idleLoop.max, unit: 'ms' };
      ctx.log(`rings (idle): p50 ${figures.ring_ms_p50.value} ms, p95 ${figures.ring_ms_p95.value} ms, max ${round1(Math.max(...idleRings))} ms; server event-loop lateness p99 ${idleLoop.p99} ms, max ${idleLoop.max} ms`);
      ctx.note(
        `ring_ms_p50 / ring_ms_p95: ${RINGS} rings (after ${RING_WARMUP} warm-up rings), each by a different conversation's first member: call.place written by the caller's socket → call.incoming read by the callee's socket (one clock, the load generator's), with every connection present and no storm; each call cancelled (call.cancel, then call.ended at the callee), ${RING_PAUSE_MS} ms apart so that they span one heartbeat period (max ${round1(Math.max(...idleRings))} ms). ` +
          `ring_ms_p95_storm: the same during the storm of the highest ladder step that kept up (−1 when none did). ` +
          `idle_loop_delay_ms_max: how late a 10 ms timer in the server process ran at worst over that heartbeat period (p99 ${idleLoop.p99} ms): with nothing else to do, that is the server's ping round over every socket.`,
      );

      // ── Message storm ──
      const steps: StepResult[] = [];
      for (const rate of [...LADDER, TARGET_RATE]) {
        if (rate !== TARGET_RATE && steps.at(-1)?.saturated) continue;
        steps.push(await stormStep(rate, rate === TARGET_RATE, server, load, ctx));
      }
      const after = processMemoryMb(server.pid);
      figures.rss_mb_after_storm = { value: after.rss, unit: 'MiB' };
      figures.rss_mb_peak = { value: after.peak, unit: 'MiB' };
      // Sockets gone, the server drops what it has not read yet; a saturated one may still be busy a while.
      await load.close();
      load = null;
      const finalStats = await Promise.race([server.request({ op: 'stats' }), sleep(10_000).then(() => null)]);
      ctx.log(finalStats ? `load generator gone; server stats: ${JSON.stringify(finalStats)}` : 'load generator gone; the server was still busy 10 s later');

      const target = steps.at(-1)!;
      figures.msgs_per_s = { value: target.deliveredPerS, unit: 'msg/s' };
      // Nothing delivered in the windows: every message took longer than the warm-up and the windows.
      const floorMs = STORM_WARMUP_MS + STORM_WINDOWS * STORM_WINDOW_MS;
      const noDelivery = target.measurement.pooled.n === 0;
      if (noDelivery) ctx.note(`No message was delivered during the target step's windows: its latency figures are a lower bound (${floorMs} ms).`);
      figures.msg_latency_ms_p99 = { value: noDelivery ? floorMs : target.measurement.pooled.p99, unit: 'ms' };
      figures.msg_latency_ms_p50 = { value: noDelivery ? floorMs : target.measurement.pooled.p50, unit: 'ms' };
      figures.cpu_pct_storm = { value: target.serverCpu, unit: '%' };
      figures.loadgen_cpu_pct_storm = { value: target.loadCpu, unit: '%' };
      const holding = steps.filter((s) => s.holds).at(-1);
      figures.msgs_per_s_max_holding = { value: holding?.deliveredPerS ?? 0, unit: 'msg/s' };
      const sustained = steps.filter((s) => s.sustained).at(-1);
      figures.msgs_per_s_max_sustained = { value: sustained?.deliveredPerS ?? 0, unit: 'msg/s' };
      figures.msg_latency_ms_p50_max_sustained = { value: sustained?.measurement.pooled.p50 ?? -1, unit: 'ms' };
      figures.msg_latency_ms_p99_max_sustained = { value: sustained?.measurement.pooled.p99 ?? -1, unit: 'ms' };
      figures.ring_ms_p95_storm = { value: sustained?.ringMs ? round1(percentile(sustained.ringMs, 95)) : -1, unit: 'ms' };
      const lowest = steps[0]!;
      figures.storm_loop_delay_ms_max_lowest = { value: lowest.loop?.max ?? -1, unit: 'ms' };
      figures.other_processes_cores_storm = { value: target.otherCores, unit: 'cores' };

      ctx.note(
        `msgs_per_s / msg_latency_ms_p99 / msg_latency_ms_p50: offered load ${TARGET_RATE.toLocaleString('en')} messages.send/s (open loop, round-robin over every socket, each to the other member of its direct conversation, about 80-character bodies), after ${STORM_WARMUP_MS / 1000} s of warm-up; ` +
          `msgs_per_s is the median over ${STORM_WINDOWS} windows of ${STORM_WINDOW_MS / 1000} s of the message.new frames the other members received per second; the latency is send (frame written by the sender's socket) → message.new read by the other member's socket, pooled over the windows (nearest-rank). ` +
          `cpu_pct_storm / loadgen_cpu_pct_storm: server / load generator CPU over those windows, % of one core. Each message also costs the server a response and a message.new to the sender's own socket. ` +
          `Ladder ${[...LADDER, TARGET_RATE].join(', ')}/s, each step measured the same way, with rings spread over its windows; after a saturated step (< ${SATURATED_SHARE * 100} % delivered in the windows, or ≥ ${SATURATED_DRAIN_MS / 1000} s to drain) it jumps to the target rate. ` +
          `msgs_per_s_max_sustained (msg_latency_ms_p50/p99_max_sustained, ring_ms_p95_storm): the highest step that kept up: not saturated and no error answers (0 / −1 when none did; ring_ms_p95_storm −1 also when fewer than 20 of its rings succeeded). ` +
          `msgs_per_s_max_holding: the highest that also held p99 ≤ ${P99_TARGET_MS} ms. ` +
          `storm_loop_delay_ms_max_lowest: the server's worst event-loop lateness during the lowest step (${lowest.rate}/s). other_processes_cores_storm: cores' worth of CPU that processes outside this benchmark used during the target step's windows (/proc/stat; 2 = the whole machine).`,
      );
      ctx.note(
        `Storm steps (offered/s: sent/s, delivered/s, latency p50/p99/max ms, server/load-generator CPU %, server event-loop lateness p99/max ms (n/a when saturated: the server answers only after its backlog), cores used by other processes, drain ms): ` +
          steps
            .map((s) => {
              const p = s.measurement.pooled;
              return `${s.rate}: ${s.sentPerS}, ${s.deliveredPerS}, ${p.p50}/${p.p99}/${p.max}, ${s.serverCpu}/${s.loadCpu}, ${s.loop ? `${s.loop.p99}/${s.loop.max}` : 'n/a'}, ${s.otherCores}, ${s.drainMs}${s.ringMs ? `, ${s.ringMs.length} rings p95 ${round1(percentile(s.ringMs, 95))} ms` : `, ${s.ringsDone} rings`}${s.lagRounds ? `, pacer late ${s.lagRounds}×` : ''}${Object.keys(s.errors).length ? `, errors ${JSON.stringify(s.errors)}` : ''}${s.holds ? ' (holds)' : s.sustained ? ' (sustained)' : ''}`;
            })
            .join('; ') +
          (finalStats
            ? `. Server over the run: ${finalStats.chatMessages} chat messages stored, error answers ${JSON.stringify(finalStats.errors)}, sockets shed ${JSON.stringify(finalStats.shed)}.`
            : `. The server was still busy 10 s after the load generator dropped its sockets (no final stats).`),
      );
      if (target.deliveredPerS < TARGET_RATE) {
        const usPerMessage = Math.round((target.serverCpu * 10_000) / Math.max(1, target.deliveredPerS));
        ctx.note(
          `Why msgs_per_s falls short: during the target step the server used ${target.serverCpu} % of a core for ${target.deliveredPerS} deliveries/s, about ${usPerMessage} µs of server CPU per message (its one thread does the SQLite work synchronously too), so one core carries about ${Math.round(1e6 / usPerMessage)}/s at most; the backlog then grows and the latency with it. ` +
            (target.serverCpu < 90
              ? `It ran on ${target.serverCpu} % of a core, not 100 %: the rest is time its thread waited, blocked in SQLite writes and fsync (they run in that thread) or for a core (other processes used ${target.otherCores} of the ${os.cpus().length} cores meanwhile, the load generator ${target.loadCpu} % of one). `
              : '') +
            `BENCH_SIGNALING_CPU_PROF=<dir> profiles the server to see where the time goes.`,
        );
      }
      if (lowest.measurement.pooled.p99 > P99_TARGET_MS) {
        ctx.note(
          `Why the p99 is missed even at ${lowest.rate}/s (p99 ${lowest.measurement.pooled.p99} ms, p50 ${lowest.measurement.pooled.p50} ms): the server's event loop stalled up to ${lowest.loop?.max ?? 'n/a'} ms during those windows, and every message in flight waits out a stall; ` +
            `idle, the heartbeat's ping round over ${CONNS.toLocaleString('en')} sockets alone stalled it up to ${idleLoop.max} ms (idle_loop_delay_ms_max).`,
        );
      }
      if (target.loadCpu > 80 || target.lagRounds > 10) {
        ctx.note(`The load generator was busy during the target step (${target.loadCpu} % of a core${target.lagRounds ? `, its pacer fell > 50 ms behind ${target.lagRounds}×` : ''}): on ${os.cpus().length} cores it competes with the server, and its own delay in reading frames is part of the latency.`);
      }
      ctx.note(`Cores: ${os.cpus().length}; the server is one Node thread (better-sqlite3 is synchronous, in that thread), the load generator another process. Load average at the end: ${os.loadavg().map(round1).join(' ')}.`);
      return figures;
    } finally {
      await load?.close();
      await server?.close(15_000);
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
