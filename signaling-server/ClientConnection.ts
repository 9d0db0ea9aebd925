import type { WebSocket } from 'ws';
import type { Principal } from './auth/AuthService.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { TokenBucket } from './RateLimiter.js';

export interface ClientConnectionOptions {
  socket: WebSocket;
  principal: Principal;
  limiter: TokenBucket;
  logger: Logger;
  metrics: Metrics;
  /** Buffered bytes above which non-essential frames are dropped. */
  softLimitBytes: number;
  /** Buffered bytes above which the socket is terminated (the client resyncs on reconnect). */
  hardLimitBytes: number;
}

let nextConnectionId = 1;

/** One authenticated device connection: its socket, principal, rate limit and send policy. */
export class ClientConnection {
  readonly id = nextConnectionId++;
  readonly socket: WebSocket;
  principal: Principal;
  readonly limiter: TokenBucket;
  readonly logger: Logger;
  /** Heartbeat: cleared on each ping, set on each pong. */
  alive = true;
  /** Which slice of the heartbeat period pings this socket (SignalingServer spreads them out). */
  heartbeatSlot = 0;
  /** Consecutive rate-limit rejections; the connection is closed when it keeps hammering. */
  rateLimitStrikes = 0;
  private readonly metrics: Metrics;
  private readonly softLimitBytes: number;
  private readonly hardLimitBytes: number;

  constructor(options: ClientConnectionOptions) {
    this.socket = options.socket;
    this.principal = options.principal;
    this.limiter = options.limiter;
    this.metrics = options.metrics;
    this.softLimitBytes = options.softLimitBytes;
    this.hardLimitBytes = options.hardLimitBytes;
    this.logger = options.logger.child({ conn: this.id, user: options.principal.user.id });
  }

  get userId(): number {
    return this.principal.user.id;
  }

  /**
   * Send a frame unless the socket is too far behind. Non-essential frames (presence, levels)
   * are shed above the soft limit; above the hard limit the socket is dropped, because stored
   * state is refetched by the client's resync after it reconnects, so nothing is lost.
   */
  send(frame: string, essential = true): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    const buffered = this.socket.bufferedAmount;
    if (buffered > this.hardLimitBytes) {
      this.metrics.shed.inc({ action: 'terminate' });
      this.logger.warn({ buffered }, 'client cannot keep up; dropping socket');
      this.socket.terminate();
      return;
    }
    if (!essential && buffered > this.softLimitBytes) {
      this.metrics.shed.inc({ action: 'drop' });
      return;
    }
    this.metrics.messagesOut.inc();
    this.socket.send(frame);
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(code, reason);
    }
  }
}
