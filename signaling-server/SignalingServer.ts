import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE_CODES, EarshotError } from '../common/errors.js';
import {
  encodeError,
  encodeResponse,
  parseClientFrame,
  PROTOCOL_NAME,
  TOKEN_PROTOCOL_PREFIX,
} from '../common/protocol/index.js';
import { AuthService, type Principal } from './auth/AuthService.js';
import type { ScryptParams } from './auth/passwords.js';
import type { Sfu } from '../sfu/Sfu.js';
import { CallService } from './calls/CallService.js';
import { closeInterruptedCalls } from './calls/closeInterruptedCalls.js';
import { GroupCallService } from './calls/GroupCallService.js';
import { ChatService } from './ChatService.js';
import { ClientConnection } from './ClientConnection.js';
import { systemClock, type Clock } from './Clock.js';
import type { ServerConfig } from './config.js';
import { DiagnosticsService } from './diagnostics/DiagnosticsService.js';
import { dispatch, type Services } from './handlers/RequestDispatcher.js';
import { createHttpApi } from './http/HttpApi.js';
import { originAllowed } from './http/originAllowed.js';
import { Hub } from './Hub.js';
import { createLogger, type Logger } from './logger.js';
import { InProcessBus, type MessageBus } from './MessageBus.js';
import { createMetrics, type Metrics } from './metrics.js';
import { TokenBucket } from './RateLimiter.js';
import { SqliteStore } from './store/SqliteStore.js';
import type { Store } from './store/Store.js';

export interface SignalingServerOptions {
  config: ServerConfig;
  /** Default: SQLite in `config.dataDir`. */
  store?: Store;
  /** Default: in-process fan-out. */
  bus?: MessageBus;
  clock?: Clock;
  /** Default: pino at `config.logLevel` on stdout. */
  logger?: Logger;
  /** Password hashing cost; tests lower it. */
  scrypt?: ScryptParams;
  /** The SFU for group calls; without one, group calls answer UNAVAILABLE. */
  sfu?: Sfu | null;
}

/** A request that arrives after this many consecutive rate-limit rejections closes the socket. */
/** The heartbeat period is cut into this many slices; each socket is pinged in one of them. */
const HEARTBEAT_SLICES = 20;
const MAX_RATE_LIMIT_STRIKES = 50;

/**
 * The signaling server: one HTTP(S) port serving the web client, /api, /healthz, /metrics and
 * the WebSocket endpoint /ws. Construct with `SignalingServer.create()`; stop with `close()`.
 */
export class SignalingServer {
  readonly config: ServerConfig;
  readonly store: Store;
  readonly hub: Hub;
  readonly auth: AuthService;
  readonly chat: ChatService;
  readonly calls: CallService;
  readonly groups: GroupCallService;
  readonly diagnostics: DiagnosticsService;
  readonly metrics: Metrics;
  readonly logger: Logger;
  private readonly clock: Clock;
  private readonly http: http.Server | https.Server;
  private readonly wss: WebSocketServer;
  private readonly services: Services;
  private heartbeat: NodeJS.Timeout | undefined;
  private beatSlice = 0;
  private nextHeartbeatSlot = 0;
  private shuttingDown = false;
  private closing: Promise<void> | undefined;

  private constructor(options: SignalingServerOptions & { store: Store }) {
    this.config = options.config;
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? createLogger(this.config.logLevel);
    this.metrics = createMetrics();
    this.hub = new Hub({ store: this.store, bus: options.bus ?? new InProcessBus(), metrics: this.metrics, logger: this.logger });
    this.auth = new AuthService({
      store: this.store,
      clock: this.clock,
      sessionTtlSeconds: this.config.sessionTtlSeconds,
      registrationOpen: this.config.registration === 'open',
      ...(options.scrypt ? { scrypt: options.scrypt } : {}),
    });
    this.chat = new ChatService({ store: this.store, hub: this.hub, clock: this.clock, metrics: this.metrics });
    this.calls = new CallService({
      store: this.store,
      auth: this.auth,
      hub: this.hub,
      chat: this.chat,
      clock: this.clock,
      logger: this.logger,
      ringTimeoutMs: this.config.ringTimeoutMs,
      reconnectGraceMs: this.config.reconnectGraceMs,
      isInGroupCall: (userId) => this.groups.isInCall(userId),
      turn: {
        stunUrls: this.config.stunUrls,
        turnUrls: this.config.turnUrls,
        turnSecret: this.config.turnSecret,
        ttlSeconds: this.config.turnTtlSeconds,
        iceTransportPolicy: this.config.iceTransportPolicy,
      },
    });
    this.groups = new GroupCallService({
      store: this.store,
      hub: this.hub,
      chat: this.chat,
      clock: this.clock,
      logger: this.logger,
      sfu: options.sfu ?? null,
      cap: this.config.groupCallCap,
      plainRtp: this.config.sfuPlainRtp,
      reconnectGraceMs: this.config.reconnectGraceMs,
      iceConfigFor: (userId) => this.calls.iceConfigFor(userId),
    });
    this.diagnostics = new DiagnosticsService({
      sfu: options.sfu ?? null,
      clock: this.clock,
      logger: this.logger,
      iceConfigFor: (userId) => this.calls.iceConfigFor(userId),
      probesPerMinute: this.config.sfuProbesPerMinute,
    });
    this.services = { auth: this.auth, chat: this.chat, hub: this.hub, calls: this.calls, groups: this.groups, diagnostics: this.diagnostics };

    const handler = createHttpApi({
      config: this.config,
      auth: this.auth,
      metrics: this.metrics,
      logger: this.logger.child({ module: 'http' }),
      clock: this.clock,
      isShuttingDown: () => this.shuttingDown,
      storageProblem: () => this.store.storageProblem?.() ?? null,
      rooms: async (id) => {
        const room = await this.store.getConversation(id);
        return room?.kind === 'room' && room.guestAccess ? { conversationId: room.id, title: room.title ?? '' } : undefined;
      },
      onSessionRevoked: (sessionId) => this.closeSession(sessionId),
    });
    const listener = (req: http.IncomingMessage, res: http.ServerResponse) => void handler(req, res);
    this.http =
      this.config.tlsCert && this.config.tlsKey
        ? https.createServer({ cert: readFileSync(this.config.tlsCert), key: readFileSync(this.config.tlsKey) }, listener)
        : http.createServer(listener);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.config.maxPayloadBytes,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(PROTOCOL_NAME) ? PROTOCOL_NAME : false),
    });
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  /** Open the store (unless given), bind the port and start the heartbeat. */
  static async create(options: SignalingServerOptions): Promise<SignalingServer> {
    const store = options.store ?? SqliteStore.open(options.config.dataDir);
    const server = new SignalingServer({ ...options, store });
    // Calls the previous run stopped under (crash, kill -9) must not stay "ongoing" forever.
    await closeInterruptedCalls({ store, chat: server.chat, clock: server.clock, logger: server.logger });
    server.http.listen(options.config.port, options.config.host);
    await once(server.http, 'listening');
    server.heartbeat = setInterval(() => server.beat(), Math.max(1, Math.round(options.config.heartbeatMs / HEARTBEAT_SLICES)));
    server.heartbeat.unref();
    server.logger.info({ url: server.url, dataDir: options.config.dataDir }, 'signaling server listening');
    return server;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /** Base URL, e.g. http://127.0.0.1:8080. */
  get url(): string {
    const scheme = this.config.tlsCert ? 'https' : 'http';
    const host = this.config.host.includes(':') ? `[${this.config.host}]` : this.config.host;
    return `${scheme}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${this.port}`;
  }

  /**
   * Graceful shutdown: stop accepting, close every socket with "going away" (clients
   * reconnect with backoff), then flush and close the store.
   */
  close(reason = 'server shutting down'): Promise<void> {
    this.closing ??= (async () => {
      this.shuttingDown = true;
      clearInterval(this.heartbeat);
      this.calls.dispose();
      this.groups.dispose();
      this.diagnostics.dispose();
      // Their state goes with this process: close their history now, while the time is known
      // and members are still connected to see the system message.
      await closeInterruptedCalls({ store: this.store, chat: this.chat, clock: this.clock, logger: this.logger });
      const closed = once(this.http, 'close');
      this.http.close();
      const sockets = [...this.wss.clients];
      for (const socket of sockets) socket.close(CLOSE_CODES.GOING_AWAY, reason);
      // Give clients a moment to answer the close handshake, then cut the rest.
      const deadline = setTimeout(() => sockets.forEach((s) => s.terminate()), 2000);
      await Promise.all(sockets.map((s) => (s.readyState === s.CLOSED ? undefined : once(s, 'close'))));
      clearTimeout(deadline);
      this.http.closeAllConnections?.();
      await closed;
      await this.store.close();
      this.logger.info('signaling server stopped');
    })();
    return this.closing;
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (error) => this.logger.debug({ err: error }, 'upgrade socket error'));
    const pathname = (req.url ?? '').split('?')[0];
    if (pathname !== '/ws' || this.shuttingDown) {
      socket.end(`HTTP/1.1 ${this.shuttingDown ? '503 Service Unavailable' : '404 Not Found'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    // Pages of other sites may not open the socket (cross-site WebSocket hijacking): refused
    // before the handshake and before any token is looked at.
    if (!originAllowed(req, this.config)) {
      this.metrics.errors.inc({ code: 'FORBIDDEN' });
      this.logger.info({ origin: String(req.headers.origin).slice(0, 128) }, 'WebSocket from a foreign origin refused');
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const token = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length);
    if (!offered.includes(PROTOCOL_NAME)) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    // Authenticate during the upgrade. A failure still completes the handshake so the client
    // gets a close code and reason it can act on (a browser sees nothing of an HTTP 401).
    this.auth.authenticate(token).then(
      (principal) => this.wss.handleUpgrade(req, socket, head, (ws) => void this.onConnection(ws, principal)),
      (error: unknown) =>
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          ws.on('error', () => undefined);
          const message = error instanceof EarshotError ? error.message : 'authentication failed';
          this.metrics.errors.inc({ code: 'UNAUTHENTICATED' });
          ws.close(CLOSE_CODES.UNAUTHENTICATED, `UNAUTHENTICATED: ${message}`.slice(0, 120));
        }),
    );
  }

  private async onConnection(ws: WebSocket, principal: Principal): Promise<void> {
    const connection = new ClientConnection({
      socket: ws,
      principal,
      limiter: new TokenBucket(this.config.rateLimitPerSecond, this.config.rateLimitBurst, this.clock),
      logger: this.logger.child({ module: 'ws' }),
      metrics: this.metrics,
      softLimitBytes: this.config.sendSoftLimitBytes,
      hardLimitBytes: this.config.sendHardLimitBytes,
    });
    connection.heartbeatSlot = this.nextHeartbeatSlot++ % HEARTBEAT_SLICES;
    ws.on('error', (error) => connection.logger.info({ err: error.message }, 'socket error'));
    ws.on('pong', () => {
      connection.alive = true;
    });
    // Last resort: a frame onFrame fails to answer closes its own socket (1011), never the process.
    ws.on('message', (data, isBinary) => {
      void this.onFrame(connection, data, isBinary).catch((error: unknown) => {
        connection.logger.error({ err: error }, 'frame handling failed');
        this.metrics.errors.inc({ code: 'INTERNAL' });
        connection.close(CLOSE_CODES.INTERNAL_ERROR, 'internal error');
      });
    });
    ws.on('close', (code) => {
      connection.logger.debug({ code }, 'disconnected');
      this.calls.connectionClosed(connection);
      this.groups.connectionClosed(connection);
      this.diagnostics.connectionClosed(connection);
      void this.hub.remove(connection).catch((error: unknown) => connection.logger.error({ err: error }, 'presence update failed'));
    });
    connection.logger.debug('connected');
    await this.hub.add(connection);
  }

  private async onFrame(connection: ClientConnection, data: unknown, isBinary: boolean): Promise<void> {
    if (isBinary) {
      this.metrics.errors.inc({ code: 'BAD_REQUEST' });
      connection.close(CLOSE_CODES.PROTOCOL_ERROR, 'binary frames are not part of the protocol');
      return;
    }
    if (!connection.limiter.take()) {
      this.metrics.errors.inc({ code: 'RATE_LIMITED' });
      if (++connection.rateLimitStrikes > MAX_RATE_LIMIT_STRIKES) {
        connection.close(CLOSE_CODES.RATE_LIMITED, 'rate limit exceeded');
        return;
      }
      const parsed = parseClientFrame(String(data));
      connection.send(encodeError(parsed.ok ? parsed.request.id : parsed.id, { code: 'RATE_LIMITED', message: 'slow down' }));
      return;
    }
    connection.rateLimitStrikes = 0;
    const parsed = parseClientFrame(String(data));
    if (!parsed.ok) {
      this.metrics.messagesIn.inc({ method: 'invalid' });
      this.metrics.errors.inc({ code: parsed.error.code });
      connection.send(encodeError(parsed.id, parsed.error.toWire()));
      return;
    }
    const { request } = parsed;
    this.metrics.messagesIn.inc({ method: request.method });
    try {
      const principal = await this.auth.authenticateSession(connection.principal);
      connection.principal = principal;
      const result = await dispatch(
        this.services,
        { principal, connection, replacePrincipal: (p) => (connection.principal = p) },
        request,
      );
      connection.send(encodeResponse(request.id, result));
    } catch (error) {
      const typed = error instanceof EarshotError ? error : new EarshotError('INTERNAL', 'internal error');
      if (!(error instanceof EarshotError)) connection.logger.error({ err: error, method: request.method }, 'request failed');
      this.metrics.errors.inc({ code: typed.code });
      connection.send(encodeError(request.id, typed.toWire()));
      if (typed.code === 'UNAUTHENTICATED') connection.close(CLOSE_CODES.UNAUTHENTICATED, `UNAUTHENTICATED: ${typed.message}`);
    }
  }

  /**
   * One slice of the heartbeat: ping this slice's sockets and drop those that did not answer
   * their previous ping. Each ping also re-reads the socket's session, so a session that
   * expired or was revoked elsewhere (the admin tool is another process) stops receiving
   * notifications within one heartbeat period, not at its next request, and a changed role
   * takes effect. The sockets are spread over HEARTBEAT_SLICES slices: with 10,000 of them,
   * pinging (and hearing 10,000 pongs) in one go held every message up for 350–700 ms.
   */
  private beat(): void {
    const slice = this.beatSlice;
    this.beatSlice = (slice + 1) % HEARTBEAT_SLICES;
    for (const connection of this.hub.connections()) {
      if (connection.heartbeatSlot !== slice) continue;
      if (!connection.alive) {
        connection.logger.info('heartbeat missed; dropping socket');
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
      void this.recheckSession(connection);
    }
  }

  private async recheckSession(connection: ClientConnection): Promise<void> {
    try {
      connection.principal = await this.auth.authenticateSession(connection.principal);
    } catch (error) {
      if (error instanceof EarshotError && error.code === 'UNAUTHENTICATED') {
        connection.close(CLOSE_CODES.UNAUTHENTICATED, `UNAUTHENTICATED: ${error.message}`);
      } else {
        connection.logger.error({ err: error }, 'session re-check failed');
      }
    }
  }

  /** Close every socket of a revoked session. */
  closeSession(sessionId: number): void {
    for (const connection of this.hub.connections()) {
      if (connection.principal.session.id === sessionId) connection.close(CLOSE_CODES.SESSION_REVOKED, 'session revoked');
    }
  }
}
