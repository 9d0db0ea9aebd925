import { EarshotError } from '../../common/errors.js';
import type { IceConfig, ResponseData, SfuProbe } from '../../common/protocol/index.js';
import { ConnectivityProbe } from '../../sfu/ConnectivityProbe.js';
import type { Sfu } from '../../sfu/Sfu.js';
import type { Principal } from '../auth/AuthService.js';
import type { ClientConnection } from '../ClientConnection.js';
import type { Clock } from '../Clock.js';
import type { Logger } from '../logger.js';
import { KeyedRateLimiter } from '../RateLimiter.js';

export interface DiagnosticsServiceOptions {
  /** null: no SFU on this node; `sfuProbe` answers UNAVAILABLE. */
  sfu: Sfu | null;
  clock: Clock;
  logger: Logger;
  /** The ICE servers (fresh TURN credentials) a call of this user would get. */
  iceConfigFor(userId: number): IceConfig;
  /** SFU probes one user may open per minute. */
  probesPerMinute: number;
  /** Most probes open at once on this node (all users). Default 32. */
  maxOpenProbes?: number;
  /** How long a probe stays open when ICE never connects, ms. Default 15 000. */
  probeLifetimeMs?: number;
  /**
   * How long a probe stays open after ICE connected, ms, so the page gets the answers to its
   * last checks before the transport goes away. Default 2 000.
   */
  lingerAfterConnectedMs?: number;
}

interface OpenProbe {
  probe: ConnectivityProbe;
  userId: number;
  connection: ClientConnection;
  timer: NodeJS.Timeout;
}

/**
 * The server side of the connection test: the ICE servers a user's calls get, and throwaway SFU
 * transports to check media reachability against (see `diagnostics.sfuProbe`). Probes are
 * bounded three ways: one per user at a time, `probesPerMinute` per user, `maxOpenProbes` on the
 * node; each closes itself after `probeLifetimeMs`, shortly after ICE connected, or when its
 * socket closes.
 */
export class DiagnosticsService {
  private readonly o: Required<DiagnosticsServiceOptions>;
  private readonly log: Logger;
  private readonly limiter: KeyedRateLimiter;
  private readonly open = new Map<number, OpenProbe>();

  constructor(options: DiagnosticsServiceOptions) {
    this.o = { maxOpenProbes: 32, probeLifetimeMs: 15_000, lingerAfterConnectedMs: 2_000, ...options };
    this.log = options.logger.child({ module: 'diagnostics' });
    this.limiter = new KeyedRateLimiter(options.probesPerMinute, 60_000, options.clock);
  }

  ice(principal: Principal): ResponseData<'diagnostics.ice'> {
    return { ice: this.o.iceConfigFor(principal.user.id), groupCalls: this.o.sfu !== null };
  }

  async sfuProbe(principal: Principal, connection: ClientConnection): Promise<SfuProbe> {
    const sfu = this.o.sfu;
    if (!sfu) throw new EarshotError('UNAVAILABLE', 'group calls are not available on this server (no SFU)');
    const userId = principal.user.id;
    if (!this.limiter.hit(`user:${userId}`)) throw new EarshotError('RATE_LIMITED', 'too many connection tests; wait a minute');
    // A user's new probe replaces their previous one (a second click, another device).
    this.closeProbe(userId);
    if (this.open.size >= this.o.maxOpenProbes) throw new EarshotError('RATE_LIMITED', 'too many connection tests running on this server; try again shortly');
    const probe = await ConnectivityProbe.create(sfu);
    // Another request of the same user may have opened one while this one was being created.
    this.closeProbe(userId);
    const entry: OpenProbe = { probe, userId, connection, timer: setTimeout(() => this.closeProbe(userId, probe), this.o.probeLifetimeMs) };
    entry.timer.unref();
    this.open.set(userId, entry);
    const log = this.log.child({ user: userId, probe: probe.params.id });
    probe.once('iceConnected', (tuple) => {
      log.info({ protocol: tuple.protocol, remoteIp: tuple.remoteIp }, 'connection test reached the SFU');
      clearTimeout(entry.timer);
      entry.timer = setTimeout(() => this.closeProbe(userId, probe), this.o.lingerAfterConnectedMs);
      entry.timer.unref();
    });
    probe.once('closed', () => this.forget(userId, probe));
    const { id, iceParameters, iceCandidates, dtlsParameters } = probe.params;
    return {
      probeId: id,
      iceParameters: { usernameFragment: iceParameters.usernameFragment, password: iceParameters.password },
      iceCandidates: iceCandidates.map((c) => ({
        foundation: c.foundation,
        priority: c.priority,
        ip: c.ip,
        protocol: c.protocol,
        port: c.port,
        type: c.type,
        ...(c.tcpType ? { tcpType: c.tcpType } : {}),
      })),
      dtlsFingerprints: dtlsParameters.fingerprints.map((f) => ({ algorithm: f.algorithm, value: f.value })),
      expiresInMs: this.o.probeLifetimeMs,
    };
  }

  /** Probes currently open (for tests and metrics). */
  get openProbes(): number {
    return this.open.size;
  }

  /** A socket closed: its probes go with it. */
  connectionClosed(connection: ClientConnection): void {
    for (const entry of [...this.open.values()]) if (entry.connection === connection) this.closeProbe(entry.userId, entry.probe);
  }

  dispose(): void {
    for (const entry of [...this.open.values()]) this.closeProbe(entry.userId, entry.probe);
  }

  /** Close `userId`'s open probe (only if it is still `probe`, when given). */
  private closeProbe(userId: number, probe?: ConnectivityProbe): void {
    const entry = this.open.get(userId);
    if (!entry || (probe && entry.probe !== probe)) return;
    this.forget(userId, entry.probe);
    entry.probe.close();
  }

  private forget(userId: number, probe: ConnectivityProbe): void {
    const entry = this.open.get(userId);
    if (entry?.probe !== probe) return;
    clearTimeout(entry.timer);
    this.open.delete(userId);
  }
}
