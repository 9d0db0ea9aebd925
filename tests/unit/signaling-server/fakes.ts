import { vi } from 'vitest';
import type { WebSocket } from 'ws';
import type { Principal } from '../../../signaling-server/auth/AuthService.js';
import { ClientConnection } from '../../../signaling-server/ClientConnection.js';
import type { Clock } from '../../../signaling-server/Clock.js';
import { createLogger, type Logger } from '../../../signaling-server/logger.js';
import { createMetrics, type Metrics } from '../../../signaling-server/metrics.js';
import { TokenBucket } from '../../../signaling-server/RateLimiter.js';
import type { SqliteStore } from '../../../signaling-server/store/SqliteStore.js';

/** Cheap scrypt for unit tests (the product default costs ~100 ms and 128 MiB per hash). */
export const TEST_SCRYPT = { N: 1024, r: 8, p: 1 };

/** A clock the test moves by hand. */
export interface FakeClock extends Clock {
  advance(ms: number): void;
}
export function fakeClock(start = 1_700_000_000_000): FakeClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export const silentLogger: Logger = createLogger('silent');

/** The parts of a ws socket that ClientConnection touches; `bufferedAmount` and `readyState` are writable. */
export interface FakeSocket {
  readyState: number;
  OPEN: 1;
  CONNECTING: 0;
  bufferedAmount: number;
  send: ReturnType<typeof vi.fn>;
  close: ReturnType<typeof vi.fn>;
  terminate: ReturnType<typeof vi.fn>;
}
export function fakeSocket(): FakeSocket {
  return { readyState: 1, OPEN: 1, CONNECTING: 0, bufferedAmount: 0, send: vi.fn(), close: vi.fn(), terminate: vi.fn() };
}

/** A real ClientConnection over a fake socket. Frames sent are in `socket.send.mock.calls`. */
export function fakeConnection(
  principal: Principal,
  options: { metrics?: Metrics; softLimitBytes?: number; hardLimitBytes?: number; clock?: Clock } = {},
): { connection: ClientConnection; socket: FakeSocket } {
  const socket = fakeSocket();
  const connection = new ClientConnection({
    socket: socket as unknown as WebSocket,
    principal,
    limiter: new TokenBucket(10, 10, options.clock ?? fakeClock()),
    logger: silentLogger,
    metrics: options.metrics ?? createMetrics(),
    softLimitBytes: options.softLimitBytes ?? 1024,
    hardLimitBytes: options.hardLimitBytes ?? 4096,
  });
  return { connection, socket };
}

/** Decoded frames a fake socket received. */
export function sentFrames(socket: FakeSocket): Array<{ event?: string; data?: unknown }> {
  return socket.send.mock.calls.map(([frame]) => JSON.parse(frame as string) as { event?: string; data?: unknown });
}

let userCounter = 0;

/** A user with a live session, straight from the store (no scrypt), as an authenticated principal. */
export async function makePrincipal(
  store: SqliteStore,
  options: { username?: string; displayName?: string; role?: string; now?: number } = {},
): Promise<Principal> {
  const now = options.now ?? 1_700_000_000_000;
  userCounter += 1;
  const user = await store.createUser({
    username: options.username ?? `user${userCounter}`,
    displayName: options.displayName ?? `User ${userCounter}`,
    passwordHash: 'not-a-hash',
    role: options.role ?? 'member',
    createdAt: now,
  });
  const session = await store.createSession({ tokenHash: `hash-${userCounter}`, userId: user.id, createdAt: now, expiresAt: now + 3_600_000 });
  const role = await store.getRole(user.role);
  return { user, session, permissions: new Set(role?.permissions ?? []) };
}
