import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * A TURN server URI (RFC 7065): `turn:<host>[:port][?transport=udp|tcp]`, or
 * `turns:<host>[:port][?transport=tcp]` for TURN over TLS (browsers have no TURN over DTLS).
 * Checked here because one malformed URL makes the browser's RTCPeerConnection constructor
 * throw, which would break every call rather than only that relay.
 */
const TURN_URL = /^(?:turn:[^\s?]+(?:\?transport=(?:udp|tcp))?|turns:[^\s?]+(?:\?transport=tcp)?)$/;

/**
 * Server configuration. Sources, later ones winning: defaults → JSON file named by
 * EARSHOT_CONFIG → EARSHOT_* environment variables → explicit overrides (tests).
 */
export const ServerConfig = z.strictObject({
  /** Interface to bind. Default 127.0.0.1 (use 0.0.0.0 for LAN). */
  host: z.string().default('127.0.0.1'),
  /** TCP port; 0 picks a free one. Default 8080. */
  port: z.number().int().min(0).max(65535).default(8080),
  /** Folder for the SQLite database. Default ./data. */
  dataDir: z.string().default('data'),
  /** Folder of the built web client served at `/`. Default dist/renderer. */
  webRoot: z.string().default('dist/renderer'),
  /** Whether anyone may create an account. Default open (the embedded default is for trying it out). */
  registration: z.enum(['open', 'closed']).default('open'),
  /** PEM certificate and key paths; when both are set the server speaks https/wss. */
  tlsCert: z.string().optional(),
  tlsKey: z.string().optional(),
  /** Lifetime of a session token in seconds. Default 12 h. */
  sessionTtlSeconds: z.number().int().min(60).max(30 * 86400).default(12 * 3600),
  /** pino level. Default info. */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Trust X-Forwarded-For for client addresses (behind a reverse proxy). Default false. */
  trustProxy: z.boolean().default(false),
  /** Name shown on the sign-in page. */
  serverName: z.string().max(64).default('Earshot'),
  /**
   * Origins other than the server's own whose pages may call /api/* (CORS) and open the
   * WebSocket: the desktop app's page is served from `app://earshot`. Tokens travel in headers
   * and the WebSocket subprotocol, never cookies.
   */
  corsOrigins: z.array(z.string().max(256)).max(32).default(['app://earshot']),
  /** Largest WebSocket frame accepted, bytes. Default 64 KiB. */
  maxPayloadBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(64 * 1024),
  /** Heartbeat: ping every N ms; a socket that missed the previous pong is dropped. Default 30 s. */
  heartbeatMs: z.number().int().min(100).default(30_000),
  /** Per-connection request rate: sustained per second and burst. */
  rateLimitPerSecond: z.number().positive().default(30),
  rateLimitBurst: z.number().positive().default(60),
  /** Login/registration attempts per client address per minute. */
  authAttemptsPerMinute: z.number().int().positive().default(20),
  /**
   * Sign-in attempts per account (username, existing or not) per 15 minutes, from all addresses
   * together: bounds a password guess spread over many addresses. Counted before the password is
   * checked, so a burst cannot overshoot it. Default 30.
   */
  loginAttemptsPerAccount: z.number().int().positive().default(30),
  /** Bytes buffered on a socket above which non-essential updates are shed. Default 256 KiB. */
  sendSoftLimitBytes: z.number().int().positive().default(256 * 1024),
  /** Bytes buffered above which the socket is dropped (the client resyncs). Default 4 MiB. */
  sendHardLimitBytes: z.number().int().positive().default(4 * 1024 * 1024),
  /** 1-on-1 calls: ring timeout before "no answer", ms. Default 30 s. */
  ringTimeoutMs: z.number().int().min(1000).max(300_000).default(30_000),
  /** How long a call participant whose socket dropped may take to re-attach, ms. Default 15 s. */
  reconnectGraceMs: z.number().int().min(500).max(300_000).default(15_000),
  /** STUN URLs handed to clients, e.g. ["stun:turn.example.com:3478"]. */
  stunUrls: z.array(z.string()).default([]),
  /**
   * TURN URLs (coturn), all sharing the minted credentials. List every way in, and the browser
   * uses what gets through: `turn:turn.example.com:3478?transport=udp`,
   * `turn:turn.example.com:3478?transport=tcp` and `turns:turn.example.com:443?transport=tcp`
   * (TLS; the certificate must be valid for that host name, browsers check it).
   */
  turnUrls: z.array(z.string().regex(TURN_URL, 'expected turn:<host>[:port][?transport=udp|tcp] or turns:<host>[:port][?transport=tcp]')).default([]),
  /** coturn static-auth-secret shared with this server (TURN REST API). Required for TURN. */
  turnSecret: z.string().default(''),
  /** TURN credential lifetime, seconds (at most 1 h). */
  turnTtlSeconds: z.number().int().min(60).max(3600).default(3600),
  /** `relay` forces every client through TURN. Default all. */
  iceTransportPolicy: z.enum(['all', 'relay']).default('all'),
  /** Group calls: mediasoup workers on this node (0 = no SFU). Default: one per CPU core. */
  sfuWorkers: z.number().int().min(0).max(64).default(availableParallelism()),
  /** IP the SFU's transports bind. Default 127.0.0.1 (set a LAN/public address to serve others). */
  sfuListenIp: z.string().default('127.0.0.1'),
  /** IP announced in the SFU's ICE candidates (behind NAT, or when listening on 0.0.0.0). */
  sfuAnnouncedIp: z.string().optional(),
  /** UDP/TCP port range of the SFU's WebRTC transports. */
  sfuMinPort: z.number().int().min(1024).max(65535).default(40000),
  sfuMaxPort: z.number().int().min(1024).max(65535).default(40999),
  /** Most participants in one group call. Default 50. */
  /**
   * Let processes on this host join group calls with plain RTP (`group.joinPlainRtp`): load-test
   * bots. Off by default; never enable it on a server reachable by untrusted users.
   */
  sfuPlainRtp: z.boolean().default(false),
  groupCallCap: z.number().int().min(2).max(500).default(50),
  /**
   * Connection tests (`diagnostics.sfuProbe`): throwaway SFU transports one user may open per
   * minute. Default 6.
   */
  sfuProbesPerMinute: z.number().int().min(1).max(100_000).default(6),
});
export type ServerConfig = z.output<typeof ServerConfig>;
export type ServerConfigInput = z.input<typeof ServerConfig>;

const ENV_KEYS: Record<string, { key: keyof ServerConfig; type: 'string' | 'number' | 'boolean' | 'list' }> = {
  EARSHOT_HOST: { key: 'host', type: 'string' },
  EARSHOT_CORS_ORIGINS: { key: 'corsOrigins', type: 'list' },
  EARSHOT_PORT: { key: 'port', type: 'number' },
  EARSHOT_DATA_DIR: { key: 'dataDir', type: 'string' },
  EARSHOT_WEB_ROOT: { key: 'webRoot', type: 'string' },
  EARSHOT_REGISTRATION: { key: 'registration', type: 'string' },
  EARSHOT_TLS_CERT: { key: 'tlsCert', type: 'string' },
  EARSHOT_TLS_KEY: { key: 'tlsKey', type: 'string' },
  EARSHOT_SESSION_TTL_SECONDS: { key: 'sessionTtlSeconds', type: 'number' },
  EARSHOT_LOG_LEVEL: { key: 'logLevel', type: 'string' },
  EARSHOT_TRUST_PROXY: { key: 'trustProxy', type: 'boolean' },
  EARSHOT_SERVER_NAME: { key: 'serverName', type: 'string' },
  EARSHOT_RING_TIMEOUT_MS: { key: 'ringTimeoutMs', type: 'number' },
  EARSHOT_RECONNECT_GRACE_MS: { key: 'reconnectGraceMs', type: 'number' },
  EARSHOT_STUN_URLS: { key: 'stunUrls', type: 'list' },
  EARSHOT_TURN_URLS: { key: 'turnUrls', type: 'list' },
  EARSHOT_TURN_SECRET: { key: 'turnSecret', type: 'string' },
  EARSHOT_TURN_TTL_SECONDS: { key: 'turnTtlSeconds', type: 'number' },
  EARSHOT_ICE_TRANSPORT_POLICY: { key: 'iceTransportPolicy', type: 'string' },
  EARSHOT_SFU_WORKERS: { key: 'sfuWorkers', type: 'number' },
  EARSHOT_SFU_LISTEN_IP: { key: 'sfuListenIp', type: 'string' },
  EARSHOT_SFU_ANNOUNCED_IP: { key: 'sfuAnnouncedIp', type: 'string' },
  EARSHOT_SFU_MIN_PORT: { key: 'sfuMinPort', type: 'number' },
  EARSHOT_SFU_MAX_PORT: { key: 'sfuMaxPort', type: 'number' },
  EARSHOT_GROUP_CALL_CAP: { key: 'groupCallCap', type: 'number' },
  EARSHOT_SFU_PLAIN_RTP: { key: 'sfuPlainRtp', type: 'boolean' },
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, { key, type }] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (type === 'number') {
      const n = Number(raw);
      // Number('  ') is 0: a blank value must not silently become port 0 (a random port).
      if (raw.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`${name} must be a number, got "${raw}"`);
      out[key] = n;
    } else if (type === 'list') {
      out[key] = raw.split(',').map((item) => item.trim()).filter(Boolean);
    } else if (type === 'boolean') {
      out[key] = raw === '1' || raw.toLowerCase() === 'true';
    } else {
      out[key] = raw;
    }
  }
  return out;
}

/** Build the configuration; throws ConfigError with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ServerConfigInput = {}): ServerConfig {
  let file: Record<string, unknown> = {};
  if (env.EARSHOT_CONFIG) {
    try {
      file = JSON.parse(readFileSync(env.EARSHOT_CONFIG, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`cannot read EARSHOT_CONFIG ${env.EARSHOT_CONFIG}: ${(error as Error).message}`);
    }
  }
  const parsed = ServerConfig.safeParse({ ...file, ...fromEnv(env), ...overrides });
  if (!parsed.success) {
    throw new ConfigError(
      `invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  if (Boolean(parsed.data.tlsCert) !== Boolean(parsed.data.tlsKey)) {
    throw new ConfigError('tlsCert and tlsKey must be set together');
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.dataDir), webRoot: path.resolve(parsed.data.webRoot) };
}
