import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import sirv from 'sirv';
import type { z } from 'zod';
import { EarshotError, type ErrorCode } from '../../common/errors.js';
import {
  GuestRequest,
  LoginRequest,
  RegisterRequest,
  type GuestRoomInfo,
  type PublicConfig,
  type SessionResponse,
} from '../../common/protocol/index.js';
import { toPublicUser, type AuthService, type IssuedSession } from '../auth/AuthService.js';
import type { Clock } from '../Clock.js';
import type { ServerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { KeyedRateLimiter } from '../RateLimiter.js';
import { setSecurityHeaders } from './securityHeaders.js';

const MAX_BODY_BYTES = 16 * 1024;
/** Window of the per-account sign-in limit (`config.loginAttemptsPerAccount`). */
const ACCOUNT_LOGIN_WINDOW_MS = 15 * 60_000;
/** Metric labels are limited to these paths so arbitrary URLs cannot grow the label set. */
const KNOWN_API_ROUTES = new Set(['/api/config', '/api/register', '/api/login', '/api/logout', '/api/guest']);

/** HTTP status for each error code that can come out of the REST endpoints. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  REGISTRATION_CLOSED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
};

export interface HttpApiOptions {
  config: ServerConfig;
  auth: AuthService;
  metrics: Metrics;
  logger: Logger;
  clock: Clock;
  isShuttingDown(): boolean;
  /** Why storage writes are failing (`Store.storageProblem`), or null; /healthz reports it. */
  storageProblem?(): string | null;
  /** Title of a room open to guests (for the guest join page), or undefined. */
  rooms(conversationId: number): Promise<GuestRoomInfo | undefined>;
  /** Called after logout so live sockets of that session are closed. */
  onSessionRevoked(sessionId: number): void;
}

/** REST endpoints (/api/*), health, metrics and the built web client. */
export function createHttpApi(options: HttpApiOptions) {
  const { config, auth, metrics, logger } = options;
  const authLimiter = new KeyedRateLimiter(config.authAttemptsPerMinute, 60_000, options.clock);
  const accountLimiter = new KeyedRateLimiter(config.loginAttemptsPerAccount, ACCOUNT_LOGIN_WINDOW_MS, options.clock);
  const hasWebClient = existsSync(`${config.webRoot}/index.html`);
  if (!hasWebClient) logger.warn({ webRoot: config.webRoot }, 'web client not built (run `npm run build`); / will answer 404');
  const serveStatic = hasWebClient
    ? sirv(config.webRoot, { single: true, etag: true, gzip: true, brotli: true, dotfiles: false })
    : undefined;

  const clientAddress = (req: IncomingMessage): string => {
    const forwarded = req.headers['x-forwarded-for'];
    if (config.trustProxy && typeof forwarded === 'string') return forwarded.split(',')[0]!.trim();
    return req.socket.remoteAddress ?? 'unknown';
  };

  const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(body));
  };

  const sendError = (res: ServerResponse, error: unknown): void => {
    const typed = error instanceof EarshotError ? error : new EarshotError('INTERNAL', 'internal error');
    if (!(error instanceof EarshotError)) logger.error({ err: error }, 'unexpected error in HTTP handler');
    metrics.errors.inc({ code: typed.code });
    sendJson(res, STATUS[typed.code] ?? 500, { error: typed.toWire() });
  };

  const readJson = async <S extends z.ZodType>(req: IncomingMessage, schema: S): Promise<z.output<S>> => {
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      throw new EarshotError('BAD_REQUEST', 'expected Content-Type: application/json');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new EarshotError('BAD_REQUEST', `body larger than ${MAX_BODY_BYTES} bytes`);
      chunks.push(chunk as Buffer);
    }
    let json: unknown;
    try {
      json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new EarshotError('BAD_REQUEST', 'body is not valid JSON');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new EarshotError('BAD_REQUEST', parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
    }
    return parsed.data;
  };

  const sessionBody = (issued: IssuedSession): SessionResponse => ({
    token: issued.token,
    expiresAt: issued.expiresAt,
    user: toPublicUser(issued.user),
  });

  /**
   * Count an attempt against `key`; over the limit, refuse with RATE_LIMITED (429) and a
   * Retry-After of the whole seconds left in the window. Runs before any password is hashed, so
   * refused guesses cost no scrypt.
   */
  const limit = (limiter: KeyedRateLimiter, key: string, res: ServerResponse, message: string): void => {
    if (limiter.hit(key)) return;
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(limiter.retryAfterMs(key) / 1000))));
    throw new EarshotError('RATE_LIMITED', message);
  };
  const limitAuth = (req: IncomingMessage, res: ServerResponse): void =>
    limit(authLimiter, clientAddress(req), res, 'too many attempts from this address; wait a minute');

  const bearer = (req: IncomingMessage): string | undefined => {
    const header = req.headers.authorization;
    return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
  };

  async function route(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<string> {
    const method = req.method ?? 'GET';
    if (pathname === '/healthz' && method === 'GET') {
      const down = options.isShuttingDown();
      const storage = options.storageProblem?.() ?? null;
      // Degraded still answers 200: connected people still read history and call; what
      // needs storing (messages, sign-ins) fails with UNAVAILABLE, and taking the only node
      // out of a load balancer would help nobody.
      if (!down && storage) sendJson(res, 200, { status: 'degraded', storage });
      else sendJson(res, down ? 503 : 200, { status: down ? 'shutting-down' : 'ok' });
      return 'healthz';
    }
    if (pathname === '/metrics' && method === 'GET') {
      res.setHeader('Content-Type', metrics.registry.contentType);
      res.end(await metrics.registry.metrics());
      return 'metrics';
    }
    if (pathname.startsWith('/api/')) {
      const origin = req.headers.origin;
      const allowed = origin !== undefined && config.corsOrigins.includes(origin);
      if (allowed) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Vary', 'Origin');
      }
      if (method === 'OPTIONS') {
        // CORS preflight: answered for allowed origins only; others get no Allow-* headers and the browser refuses.
        if (allowed) {
          res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
          res.setHeader('Access-Control-Allow-Headers', 'content-type, authorization');
          res.setHeader('Access-Control-Max-Age', '600');
        }
        res.statusCode = 204;
        res.end();
        return 'preflight';
      }
      if (pathname === '/api/config' && method === 'GET') {
        const body: PublicConfig = { registrationOpen: auth.registrationOpen, serverName: config.serverName };
        sendJson(res, 200, body);
      } else if (pathname === '/api/register' && method === 'POST') {
        limitAuth(req, res);
        const issued = await auth.register(await readJson(req, RegisterRequest));
        logger.info({ user: issued.user.id, username: issued.user.username }, 'account registered');
        sendJson(res, 201, sessionBody(issued));
      } else if (pathname === '/api/login' && method === 'POST') {
        limitAuth(req, res);
        const body = await readJson(req, LoginRequest);
        // Per account as well, whether it exists or not (the answer must not tell): a guess spread
        // over many addresses still gets only so many tries.
        limit(accountLimiter, body.username.toLowerCase(), res, 'too many sign-in attempts for this account; try again later');
        try {
          sendJson(res, 200, sessionBody(await auth.login(body)));
        } catch (error) {
          // The typed name is logged only as the account it names (null: none): people type
          // their password into the name field, and it must not end up in the log.
          logger.info({ user: (await auth.accountId(body.username).catch(() => undefined)) ?? null, ip: clientAddress(req) }, 'failed sign-in');
          throw error;
        }
      } else if (pathname === '/api/guest' && method === 'POST') {
        limitAuth(req, res);
        const body = await readJson(req, GuestRequest);
        const issued = await auth.createGuest(body.conversationId, body.displayName);
        logger.info({ user: issued.user.id, conversation: body.conversationId }, 'guest joined');
        sendJson(res, 201, sessionBody(issued));
      } else if (pathname.startsWith('/api/guest/') && method === 'GET') {
        const id = Number(pathname.slice('/api/guest/'.length));
        const room = Number.isSafeInteger(id) && id > 0 ? await options.rooms(id) : undefined;
        if (!room) throw new EarshotError('NOT_FOUND', 'no room with guest access here');
        sendJson(res, 200, room);
      } else if (pathname === '/api/logout' && method === 'POST') {
        const session = await auth.logout(bearer(req));
        options.onSessionRevoked(session.id);
        res.statusCode = 204;
        res.end();
      } else {
        throw new EarshotError('NOT_FOUND', `no endpoint ${method} ${pathname.slice(0, 64)}`);
      }
      return pathname;
    }
    if (serveStatic && (method === 'GET' || method === 'HEAD')) {
      serveStatic(req, res, () => {
        res.statusCode = 404;
        res.end('not found');
      });
      return 'static';
    }
    res.statusCode = 404;
    res.end('not found');
    return 'not-found';
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res, Boolean(config.tlsCert));
    let pathname = '/';
    try {
      pathname = new URL(req.url ?? '/', 'http://x').pathname;
    } catch {
      // Leave "/" : a malformed URL gets the 404 below.
    }
    let routeName = 'unknown';
    try {
      routeName = await route(req, res, pathname);
    } catch (error) {
      routeName = KNOWN_API_ROUTES.has(pathname) ? pathname : 'error';
      if (!res.headersSent) sendError(res, error);
      else res.destroy();
    } finally {
      metrics.httpRequests.inc({ route: routeName, status: String(res.statusCode) });
    }
  };
}
