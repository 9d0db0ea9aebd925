import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';

/**
 * Added delay and jitter for UDP in userspace, where the kernel has no `tc netem` (DESIGN.md
 * "Network tests"): a relay that listens on one address and forwards every datagram to one
 * target (e.g. coturn's UDP port) and the answers back, each held for `meanMs ± jitterMs`
 * (uniform) in both directions. Put it in front of coturn and give the client a TURN URL on the
 * relay with a relay-only ICE policy, and all its media crosses the delaying hop:
 *
 *   client ──► relay (delay) ──► coturn ──► peer / SFU
 *   client ◄── relay (delay) ◄── coturn ◄──
 *
 * Each client address:port gets its own upstream socket, so coturn sees one 5-tuple per client
 * flow as it would without the relay (TURN's authentication covers the message, not addresses).
 *
 * Ordering: datagrams of one flow and direction leave in the order they arrived. A datagram's
 * send time is `arrival + mean + uniform(−jitter, +jitter)`, but never before the previous
 * datagram's. Real delay variation comes mostly from queues, which are FIFO: a jittery link
 * reorders little, whereas independent per-packet delays (netem's jitter without a rate) would
 * reorder every other packet at 50 packets/s and ±30 ms, which WebRTC's jitter buffer then
 * counts as late or lost rather than as jitter. The price: a datagram cannot overtake a slower
 * one before it, so the applied delays lean above the mean; `stats()` reports what was applied.
 */
export interface UdpDelay {
  /** Mean one-way delay added in each direction, ms. Default 0. */
  meanMs: number;
  /** Half-width of the uniform spread around the mean, ms (0 ≤ jitterMs ≤ meanMs). Default 0. */
  jitterMs: number;
}

export interface UdpDelayRelayOptions {
  /** Address to listen on, e.g. the host's end of a test network's veth (netns.ts). */
  listenIp: string;
  /** Listening port; default a free one. */
  port?: number;
  /** Where datagrams go (and answers come from), e.g. coturn's UDP listening port. */
  target: { host: string; port: number };
  /** Relay only datagrams from these source addresses (others are dropped and counted); default any. */
  allowedSources?: string[];
  /** The delay at the start; change it with `setDelay`. Default none. */
  delay?: UdpDelay;
}

export interface UdpDelayStats {
  /** Datagrams forwarded (both directions) since the last `resetStats`. */
  datagrams: number;
  /** Datagrams dropped because their source was not allowed. */
  refused: number;
  /** Applied delay (arrival → handed to the socket, both directions), ms: mean, standard deviation, min, max. NaN with no datagrams. */
  meanMs: number;
  sdMs: number;
  minMs: number;
  maxMs: number;
}

export interface UdpDelayRelay {
  /** The relay's address and port: what clients use instead of the target. */
  host: string;
  port: number;
  /** Change the delay; datagrams already held keep their send times. */
  setDelay(delay: UdpDelay): void;
  stats(): UdpDelayStats;
  resetStats(): void;
  close(): Promise<void>;
}

/** Datagrams of one flow in one direction, in arrival order, each with its send time. */
class Lane {
  readonly #queue: Array<{ due: number; arrived: number; data: Buffer }> = [];
  #timer: NodeJS.Timeout | undefined;
  #lastDue = 0;

  constructor(
    private readonly send: (data: Buffer) => void,
    private readonly onSent: (heldMs: number) => void,
  ) {}

  push(data: Buffer, arrived: number, delayMs: number): void {
    const due = Math.max(arrived + delayMs, this.#lastDue);
    this.#lastDue = due;
    this.#queue.push({ due, arrived, data });
    if (this.#queue.length === 1) this.#flush();
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#queue.length = 0;
  }

  /** Send what is due (within half a millisecond), then sleep until the next datagram is. */
  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (;;) {
      const head = this.#queue[0];
      if (!head) return;
      const now = performance.now();
      if (head.due > now + 0.5) {
        this.#timer = setTimeout(() => this.#flush(), head.due - now);
        return;
      }
      this.#queue.shift();
      this.send(head.data);
      this.onSent(now - head.arrived);
    }
  }
}

interface Flow {
  upstream: Socket;
  up: Lane;
  down: Lane;
}

function bind(socket: Socket, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

function checkDelay(delay: UdpDelay): UdpDelay {
  if (!(delay.meanMs >= 0) || !(delay.jitterMs >= 0) || delay.jitterMs > delay.meanMs) {
    throw new Error(`delay must have 0 ≤ jitterMs ≤ meanMs, got ${JSON.stringify(delay)}`);
  }
  return { ...delay };
}

/** Start a relay (see the file comment). Always `close()` it. */
export async function startUdpDelayRelay(opts: UdpDelayRelayOptions): Promise<UdpDelayRelay> {
  let delay = checkDelay(opts.delay ?? { meanMs: 0, jitterMs: 0 });
  const allowed = opts.allowedSources ? new Set(opts.allowedSources) : null;
  const flows = new Map<string, Promise<Flow>>();
  const held: number[] = [];
  let refused = 0;
  let closed = false;

  const listener = createSocket('udp4');
  await bind(listener, opts.listenIp, opts.port ?? 0);
  // A send that fails (e.g. ICMP unreachable reported on a later send) must not end the test process.
  listener.on('error', () => undefined);
  const onSent = (ms: number) => held.push(ms);
  const nextDelay = () => delay.meanMs + (Math.random() * 2 - 1) * delay.jitterMs;

  /** The flow of one client address:port, its upstream socket bound before anything is sent on it. */
  const flowFor = (from: RemoteInfo): Promise<Flow> => {
    const key = `${from.address}:${from.port}`;
    let flow = flows.get(key);
    if (flow) return flow;
    const upstream = createSocket('udp4');
    upstream.on('error', () => undefined);
    const down = new Lane((data) => listener.send(data, from.port, from.address), onSent);
    upstream.on('message', (data) => {
      if (!closed) down.push(data, performance.now(), nextDelay());
    });
    const up = new Lane((data) => upstream.send(data, opts.target.port, opts.target.host), onSent);
    flow = bind(upstream, opts.listenIp, 0).then(() => ({ upstream, up, down }));
    flows.set(key, flow);
    return flow;
  };

  listener.on('message', (data, from) => {
    const arrived = performance.now();
    if (closed) return;
    if (allowed && !allowed.has(from.address)) {
      refused++;
      return;
    }
    // Promise callbacks run in the order they were attached, so the flow's datagrams keep their order.
    const ms = nextDelay();
    void flowFor(from).then((flow) => flow.up.push(data, arrived, ms));
  });

  const port = listener.address().port;
  return {
    host: opts.listenIp,
    port,
    setDelay: (next) => {
      delay = checkDelay(next);
    },
    stats: () => {
      const n = held.length;
      const mean = n ? held.reduce((s, x) => s + x, 0) / n : NaN;
      const sd = n ? Math.sqrt(held.reduce((s, x) => s + (x - mean) ** 2, 0) / n) : NaN;
      const minMs = n ? held.reduce((a, b) => Math.min(a, b)) : NaN;
      const maxMs = n ? held.reduce((a, b) => Math.max(a, b)) : NaN;
      return { datagrams: n, refused, meanMs: mean, sdMs: sd, minMs, maxMs };
    },
    resetStats: () => {
      held.length = 0;
      refused = 0;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const pending of flows.values()) {
        const flow = await pending;
        flow.up.close();
        flow.down.close();
        await new Promise<void>((resolve) => flow.upstream.close(() => resolve()));
      }
      flows.clear();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}
