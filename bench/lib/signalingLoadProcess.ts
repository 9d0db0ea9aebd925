/**
 * Child process of the `signaling` benchmark: the load generator. Thousands of plain `ws`
 * clients, each signed in the way the app signs in (session token as a WebSocket subprotocol,
 * then `sync.state`), answering the server's heartbeat pings (ws answers them itself), and:
 *
 * - a message storm: an open-loop pacer writes `messages.send` frames round-robin over every
 *   client at a fixed rate; each body starts with the send time (performance.now() of this
 *   process), and the latency is taken when the other member of the conversation receives
 *   `message.new` — send and delivery on one clock;
 * - rings: `call.place` by one member of a direct conversation → `call.incoming` at the other,
 *   then `call.cancel`.
 *
 * The hot path reads as little as it can: responses are only checked for an error, and only
 * `message.new` and call notifications are parsed. Driven over IPC (signalingBenchProtocol.ts);
 * closes every socket and exits when the parent goes away.
 */
import WebSocket from 'ws';
import { PROTOCOL_NAME, TOKEN_PROTOCOL_PREFIX } from '../../common/protocol/index.js';
import { answerParent } from './IpcChild.js';
import { percentile } from './percentile.js';
import type {
  ConnectResult,
  LatencyStats,
  LoadClientSpec,
  LoadReplies,
  LoadRequest,
  LoadStats,
  RingResult,
  StormMeasurement,
  StormStopResult,
  StormWindow,
} from './signalingBenchProtocol.js';

type Frame = { id?: number; result?: unknown; error?: { code: string; message: string }; event?: string; data?: unknown };

interface Client {
  spec: LoadClientSpec;
  ws: WebSocket;
  nextId: number;
  pings: number;
  closeCode: number | null;
  /** Requests whose answer someone awaits (sync.state, call.*); storm sends are not tracked. */
  pending: Map<number, { resolve(frame: Frame): void }>;
  /** Notification watchers other than message.new (rings). */
  watchers: Array<(frame: Frame, at: number) => boolean>;
}

const clients: Client[] = [];
/** Storm messages carry clientIds with this prefix; system messages (call ended) have none. */
const STORM_PREFIX = 'm';
/** About the length of a short chat line, after the send time. */
const FILLER = 'the quick brown fox jumps over the lazy dog, again and again';
/** A ring step (place, incoming, cancel, ended) that takes longer counts as failed. */
const RING_TIMEOUT_MS = 10_000;

// ── Storm state ─────────────────────────────────────────────────────────────────────────────
let stormSeq = 0;
let stormSent = 0;
let stormDelivered = 0;
const stormErrors: Record<string, number> = {};
let pacer: { rate: number; t0: number; done: number; cursor: number; timer: NodeJS.Timeout | null; lagRounds: number } | null = null;
/** Latencies of deliveries while a measurement window is open; null otherwise. */
let windowSamples: number[] | null = null;

function onFrame(client: Client, raw: WebSocket.RawData): void {
  const at = performance.now();
  const text = raw.toString();
  if (text.startsWith('{"id":')) {
    if (client.pending.size > 0) {
      const frame = JSON.parse(text) as Frame;
      const waiter = client.pending.get(frame.id!);
      if (waiter) {
        client.pending.delete(frame.id!);
        waiter.resolve(frame);
        return;
      }
      if (frame.error) stormErrors[frame.error.code] = (stormErrors[frame.error.code] ?? 0) + 1;
      return;
    }
    // `{"id":N,"error":…}` vs `{"id":N,"result":…}` without parsing the message it carries.
    if (text.startsWith('"error"', text.indexOf(',') + 1)) {
      const code = (JSON.parse(text) as Frame).error!.code;
      stormErrors[code] = (stormErrors[code] ?? 0) + 1;
    }
    return;
  }
  if (text.startsWith('{"event":"message.new"')) {
    const message = (JSON.parse(text) as { data: { message: { senderId: number | null; clientId: string | null; body: string } } }).data.message;
    // Only the other member's copy counts (the sender's own devices get one too).
    if (message.senderId === client.spec.userId || !message.clientId?.startsWith(STORM_PREFIX)) return;
    stormDelivered++;
    windowSamples?.push(at - Number.parseFloat(message.body));
    return;
  }
  if (client.watchers.length > 0) {
    const frame = JSON.parse(text) as Frame;
    client.watchers = client.watchers.filter((watch) => !watch(frame, at));
  }
}

function request(client: Client, method: string, data: unknown, timeoutMs = 15_000): Promise<Frame> {
  const id = client.nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.pending.delete(id);
      reject(new Error(`${method}: no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    client.pending.set(id, {
      resolve: (frame) => {
        clearTimeout(timer);
        if (frame.error) reject(new Error(`${method}: ${frame.error.code}: ${frame.error.message}`));
        else resolve(frame);
      },
    });
    client.ws.send(JSON.stringify({ id, method, data }));
  });
}

/**
 * The next notification `event` at `client` matching `match`; resolves with its arrival time.
 * Already handled for rejection, so a wait abandoned after another step failed never crashes the process.
 */
function nextEvent(client: Client, event: string, match: (data: never) => boolean, timeoutMs = 15_000): Promise<{ at: number; data: unknown }> {
  const waiting = new Promise<{ at: number; data: unknown }>((resolve, reject) => {
    const watch = (frame: Frame, at: number) => {
      if (frame.event !== event || !match(frame.data as never)) return false;
      clearTimeout(timer);
      resolve({ at, data: frame.data });
      return true;
    };
    const timer = setTimeout(() => {
      client.watchers = client.watchers.filter((w) => w !== watch);
      reject(new Error(`no ${event} in ${timeoutMs} ms`));
    }, timeoutMs);
    client.watchers.push(watch);
  });
  waiting.catch(() => undefined);
  return waiting;
}

async function connectOne(wsUrl: string, spec: LoadClientSpec): Promise<Client> {
  const ws = new WebSocket(wsUrl, [PROTOCOL_NAME, TOKEN_PROTOCOL_PREFIX + spec.token], { perMessageDeflate: false, handshakeTimeout: 30_000 });
  const client: Client = { spec, ws, nextId: 1, pings: 0, closeCode: null, pending: new Map(), watchers: [] };
  ws.on('message', (raw) => onFrame(client, raw));
  ws.on('ping', () => client.pings++);
  ws.on('error', () => undefined);
  const closed = new Promise<never>((_, reject) =>
    ws.on('close', (code, reason) => {
      client.closeCode = code;
      reject(new Error(`closed ${code} ${reason.toString()}`));
    }),
  );
  closed.catch(() => undefined);
  await Promise.race([new Promise((resolve) => ws.once('open', resolve)), closed]);
  // What the app does first on every (re)connect; an unauthenticated socket is closed instead.
  await Promise.race([request(client, 'sync.state', {}), closed]);
  return client;
}

async function connect(wsUrl: string, specs: LoadClientSpec[], concurrency: number): Promise<ConnectResult> {
  const t0 = performance.now();
  const failures: string[] = [];
  let failed = 0;
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < specs.length; i = next++) {
      try {
        clients[i] = await connectOne(wsUrl, specs[i]!);
      } catch (error) {
        failed++;
        if (failures.length < 5) failures.push(`client ${i}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { connected: specs.length - failed, failed, failures, ms: Math.round(performance.now() - t0) };
}

function stats(): LoadStats {
  const closed: Record<string, number> = {};
  let open = 0;
  let pingsMin = Infinity;
  let pingsMax = 0;
  for (const c of clients) {
    if (!c) continue;
    if (c.closeCode !== null) {
      closed[c.closeCode] = (closed[c.closeCode] ?? 0) + 1;
      continue;
    }
    open++;
    pingsMin = Math.min(pingsMin, c.pings);
    pingsMax = Math.max(pingsMax, c.pings);
  }
  return { open, closed, pingsMin: open ? pingsMin : 0, pingsMax };
}

// ── Storm ───────────────────────────────────────────────────────────────────────────────────

function sendOne(): void {
  const n = clients.length;
  for (let tries = 0; tries < n; tries++) {
    const client = clients[pacer!.cursor++ % n];
    if (!client || client.closeCode !== null) continue;
    const clientId = `${STORM_PREFIX}${(stormSeq++).toString().padStart(9, '0')}`;
    const body = `${performance.now().toFixed(3)} ${FILLER}`;
    // What JSON.stringify would write, without building the object first.
    client.ws.send(`{"id":${client.nextId++},"method":"messages.send","data":{"conversationId":${client.spec.conversationId},"clientId":"${clientId}","body":"${body}"}}`);
    stormSent++;
    return;
  }
}

/** Open loop: each round sends what the schedule says is due; a round more than 50 ms late drops the debt. */
function pump(): void {
  if (!pacer) return;
  const due = Math.floor(((performance.now() - pacer.t0) / 1000) * pacer.rate) - pacer.done;
  const cap = Math.ceil(pacer.rate / 20);
  if (due > cap) {
    pacer.lagRounds++;
    pacer.done += due - cap;
  }
  for (let k = Math.min(due, cap); k > 0; k--) sendOne();
  pacer.done += Math.min(due, cap);
  pacer.timer = setTimeout(pump, 1);
}

function summarize(samples: number[]): LatencyStats {
  if (samples.length === 0) return { n: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN };
  const r = (v: number) => Math.round(v * 100) / 100;
  const max = samples.reduce((a, b) => Math.max(a, b), -Infinity);
  return { n: samples.length, p50: r(percentile(samples, 50)), p95: r(percentile(samples, 95)), p99: r(percentile(samples, 99)), max: r(max) };
}

async function stormMeasure(windows: number, windowMs: number): Promise<StormMeasurement> {
  const result: StormWindow[] = [];
  const pooled: number[] = [];
  for (let w = 0; w < windows; w++) {
    const t0 = performance.now();
    const sent0 = stormSent;
    const delivered0 = stormDelivered;
    windowSamples = [];
    await new Promise((r) => setTimeout(r, windowMs));
    const samples = windowSamples;
    windowSamples = null;
    result.push({ ms: Math.round(performance.now() - t0), sent: stormSent - sent0, delivered: stormDelivered - delivered0, ...summarize(samples) });
    for (const s of samples) pooled.push(s);
  }
  return { windows: result, pooled: summarize(pooled) };
}

async function stormStop(drainTimeoutMs: number): Promise<StormStopResult> {
  if (pacer?.timer) clearTimeout(pacer.timer);
  const lagRounds = pacer?.lagRounds ?? 0;
  pacer = null;
  const t0 = performance.now();
  const errorsNow = () => Object.values(stormErrors).reduce((a, b) => a + b, 0);
  while (stormDelivered + errorsNow() < stormSent && performance.now() - t0 < drainTimeoutMs) await new Promise((r) => setTimeout(r, 20));
  const result = { sent: stormSent, delivered: stormDelivered, errors: { ...stormErrors }, drainMs: Math.round(performance.now() - t0), lagRounds };
  stormSent = stormDelivered = 0;
  for (const key of Object.keys(stormErrors)) delete stormErrors[key];
  return result;
}

// ── Rings ───────────────────────────────────────────────────────────────────────────────────

async function ring(pairs: Array<[number, number]>, pauseMs: number, deadlineMs = Infinity): Promise<RingResult> {
  const ms: number[] = [];
  const failures: string[] = [];
  const end = performance.now() + deadlineMs;
  for (const [callerIndex, calleeIndex] of pairs) {
    if (performance.now() > end) break;
    const caller = clients[callerIndex]!;
    const callee = clients[calleeIndex]!;
    const conversationId = caller.spec.conversationId;
    try {
      const incoming = nextEvent(callee, 'call.incoming', (d: { call: { conversationId: number } }) => d.call.conversationId === conversationId, RING_TIMEOUT_MS);
      const t0 = performance.now();
      const placed = (await request(caller, 'call.place', { conversationId }, RING_TIMEOUT_MS)).result as { call: { callId: string } };
      ms.push((await incoming).at - t0);
      const callId = placed.call.callId;
      const ended = nextEvent(callee, 'call.ended', (d: { callId: string }) => d.callId === callId, RING_TIMEOUT_MS);
      await request(caller, 'call.cancel', { callId }, RING_TIMEOUT_MS);
      await ended;
    } catch (error) {
      failures.push(`${callerIndex}→${calleeIndex}: ${error instanceof Error ? error.message : String(error)}`);
    }
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  return { ms: ms.map((v) => Math.round(v * 100) / 100), failures };
}

async function handle(req: LoadRequest): Promise<LoadReplies[LoadRequest['op']]> {
  switch (req.op) {
    case 'connect':
      return connect(req.wsUrl, req.clients, req.concurrency);
    case 'stats':
      return stats();
    case 'stormStart':
      if (pacer) throw new Error('a storm is already running');
      pacer = { rate: req.ratePerSecond, t0: performance.now(), done: 0, cursor: 0, timer: null, lagRounds: 0 };
      pump();
      return null;
    case 'stormMeasure':
      return stormMeasure(req.windows, req.windowMs);
    case 'stormStop':
      return stormStop(req.drainTimeoutMs);
    case 'ring':
      return ring(req.pairs, req.pauseMs, req.deadlineMs);
  }
}

answerParent(handle, () => {
  if (pacer?.timer) clearTimeout(pacer.timer);
  for (const c of clients) c?.ws.terminate();
  process.exit(0);
});
