/**
 * IPC contracts of the `signaling` benchmark's two child processes (bench/lib/IpcChild.ts):
 * the signaling server (signalingServerProcess.ts) and the load generator
 * (signalingLoadProcess.ts). Plain JSON over Node's child-process channel.
 */

// ── Server process ──────────────────────────────────────────────────────────────────────────

export type ServerRequest =
  | { op: 'start'; dataDir: string; heartbeatMs: number }
  | { op: 'stats' }
  | { op: 'loopDelayOn' }
  | { op: 'loopDelay'; from: number; to: number };

export interface ServerStats {
  /** Authenticated WebSocket connections the hub holds. */
  connections: number;
  /** Users with at least one connection. */
  onlineUsers: number;
  /** Chat messages stored since start (earshot_chat_messages_total). */
  chatMessages: number;
  /** Error answers by code (earshot_errors_total). */
  errors: Record<string, number>;
  /** Sockets shed for slow reading, by action (earshot_ws_shed_total). */
  shed: Record<string, number>;
}

export interface ServerReplies {
  start: { wsUrl: string };
  stats: ServerStats;
  loopDelayOn: null;
  /** How late the server's 10 ms timer ran between `from` and `to` (Date.now()), ms; −1 without samples. */
  loopDelay: LoopDelay;
}

export interface LoopDelay {
  n: number;
  p99: number;
  max: number;
}

// ── Load generator process ──────────────────────────────────────────────────────────────────

/** One simulated device: a seeded user's session token and their one direct conversation. */
export interface LoadClientSpec {
  token: string;
  userId: number;
  conversationId: number;
}

export type LoadRequest =
  | { op: 'connect'; wsUrl: string; clients: LoadClientSpec[]; concurrency: number }
  | { op: 'stats' }
  | { op: 'stormStart'; ratePerSecond: number }
  | { op: 'stormMeasure'; windows: number; windowMs: number }
  | { op: 'stormStop'; drainTimeoutMs: number }
  /** Rings one pair after the other, `pauseMs` apart; none started after `deadlineMs` (from the request). */
  | { op: 'ring'; pairs: Array<[caller: number, callee: number]>; pauseMs: number; deadlineMs?: number };

export interface ConnectResult {
  /** Sockets open and answered `sync.state`. */
  connected: number;
  failed: number;
  /** A few failure descriptions. */
  failures: string[];
  ms: number;
}

export interface LoadStats {
  open: number;
  /** Close codes of sockets that closed, code → count. */
  closed: Record<string, number>;
  /** Fewest / most heartbeat pings any open socket has received (each answered by ws with a pong). */
  pingsMin: number;
  pingsMax: number;
}

/** Latency summary, ms (nearest-rank percentiles). */
export interface LatencyStats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface StormWindow extends LatencyStats {
  /** Window length, ms (measured). */
  ms: number;
  /** messages.send frames written in the window. */
  sent: number;
  /** message.new frames the other member received in the window (the latency samples). */
  delivered: number;
}

export interface StormMeasurement {
  windows: StormWindow[];
  /** Every delivery of every window. */
  pooled: LatencyStats;
}

export interface StormStopResult {
  sent: number;
  delivered: number;
  /** Error answers to messages.send, by code. */
  errors: Record<string, number>;
  /** Stop → every sent message delivered (or the timeout), ms. */
  drainMs: number;
  /** Pacer rounds that fell more than 50 ms behind schedule (the load generator was starved). */
  lagRounds: number;
}

export interface RingResult {
  /** call.place written → call.incoming received by the callee, ms, one per pair. */
  ms: number[];
  failures: string[];
}

export interface LoadReplies {
  connect: ConnectResult;
  stats: LoadStats;
  stormStart: null;
  stormMeasure: StormMeasurement;
  stormStop: StormStopResult;
  ring: RingResult;
}
