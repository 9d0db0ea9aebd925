import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REQUEST_METHODS, type RequestMethod, type SessionResponse } from '../../../common/protocol/index.js';
import { CLOSE_CODES } from '../../../common/errors.js';
import { runAdmin } from '../../../signaling-server/admin.js';
import { ServerConfig } from '../../../signaling-server/config.js';
import { SqliteStore } from '../../../signaling-server/store/SqliteStore.js';
import { LOG_LEVEL, loggedAtLeast } from '../serverLog.js';
import { startTestServerProcess, type TestServerProcess } from '../testServerProcess.js';
import { postJson, register, TestClient } from '../wsClient.js';
import { FrameFuzzer, type FrameLabel, type FuzzPolicy } from './FrameFuzzer.js';
import { FuzzConnection } from './FuzzConnection.js';
import { FuzzTally } from './FuzzTally.js';
import { Prng } from './Prng.js';

/**
 * Who fuzzes, and why a valid frame from them cannot change stored state.
 *
 * A mutated frame is sometimes still valid, and the fuzzer also sends valid frames on purpose
 * (they reach the handlers' permission and membership checks). "The database equals its state
 * before the run" then holds because of who sends what:
 * - outsiders: `member` role, member of no conversation. Everything that needs membership is
 *   refused (NOT_FOUND); what needs none and would write (create a conversation, join a room)
 *   is in their `noValid` list, so they only ever send invalid versions of it.
 * - powerless: a role with no permissions, member of the seeded group and room. Every
 *   permission-checked action is FORBIDDEN; leaving and read markers check only membership, so
 *   those are `noValid`.
 * - guests: room-scoped guest sessions. Everything but sync and the room's call is FORBIDDEN;
 *   there is no call to join (CALL_NOT_FOUND) and the server has no SFU.
 * For all three, `session.refresh` (rotates the token) and `presence.set` (stores the chosen
 * status) need no permission, so they are never sent valid; guests may send a valid
 * `presence.set` because it is refused for guests.
 * `noValid` is enforced with the protocol's own parser (`parseClientFrame`): a frame it accepts
 * for one of these methods is thrown away and another one drawn.
 */
const NO_VALID: Record<'outsider' | 'powerless' | 'guest', ReadonlySet<RequestMethod>> = {
  outsider: new Set(['session.refresh', 'presence.set', 'conversations.createDirect', 'conversations.createGroup', 'conversations.createRoom', 'conversations.join']),
  powerless: new Set(['session.refresh', 'presence.set', 'conversations.leave', 'conversations.markRead']),
  guest: new Set(['session.refresh']),
};

/** Never sent valid by anyone (so never covered by a valid frame). */
export const NEVER_VALID: ReadonlySet<RequestMethod> = new Set(REQUEST_METHODS.filter((m) => Object.values(NO_VALID).every((set) => set.has(m))));

type SenderKind = keyof typeof NO_VALID;
interface Sender {
  kind: SenderKind;
  token: string;
}

export interface FuzzRunOptions {
  /** Frames sent over authenticated sockets, in total. */
  frames: number;
  seed: number;
  /** Frames in flight per socket. Default 16. */
  window?: number;
  /** Sockets with a missing, malformed, unknown or revoked token, each sending a few frames. Default 40. */
  unauthenticatedSockets?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface FuzzRunReport {
  tally: FuzzTally;
  /** Frames sent over unauthenticated sockets (included in tally.sent). */
  unauthenticatedFrames: number;
  /** Authenticated sockets at a time, and how often one was reopened after the server closed it. */
  sockets: number;
  reconnects: number;
  coverage: Map<RequestMethod, { valid: number; invalid: number }>;
  labels: Map<FrameLabel, number>;
  durationMs: number;
  /** Highest RSS of the server process sampled during the run (once a second). */
  peakRssBytes: number;
}

/** No answer for this long on a socket with frames in flight: they count as unanswered. */
const IDLE_MS = 30_000;

/**
 * A signaling server in its own process with seeded accounts and conversations, ready to be
 * fuzzed: see `NO_VALID` for the senders.
 */
export class FuzzTarget {
  private constructor(
    readonly server: TestServerProcess,
    readonly dataDir: string,
    readonly maxPayloadBytes: number,
    private readonly senders: Sender[],
    private readonly badTokens: Array<string | undefined>,
    /** Ids of users, conversations and messages that exist. */
    private readonly ids: number[],
  ) {}

  static async start(): Promise<FuzzTarget> {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'earshot-fuzz-'));
    // Production limits except the per-connection rate limit, which startTestServer raises so
    // that fuzz frames are parsed rather than refused as RATE_LIMITED (runRateLimitHammer covers those).
    const { maxPayloadBytes } = ServerConfig.parse({});
    const server = await startTestServerProcess({ dataDir, config: { logLevel: 'info', maxPayloadBytes } });
    try {
      return await FuzzTarget.seed(server, dataDir, maxPayloadBytes);
    } catch (error) {
      await server.stop();
      throw error;
    }
  }

  private static async seed(server: TestServerProcess, dataDir: string, maxPayloadBytes: number): Promise<FuzzTarget> {
    const { url, wsUrl } = server;
    const alice = await register(url, 'alice', 'Alice');
    const bob = await register(url, 'bob', 'Bob');
    const outsiders: SessionResponse[] = [];
    const powerless: SessionResponse[] = [];
    for (let i = 1; i <= 8; i++) outsiders.push(await register(url, `fz-out-${i}`, `Outsider ${i}`));
    for (let i = 1; i <= 8; i++) powerless.push(await register(url, `fz-pow-${i}`, `Powerless ${i}`));

    const clients: TestClient[] = [];
    const connect = async (session: SessionResponse) => {
      const client = await TestClient.connect(wsUrl, session.token);
      clients.push(client);
      return client;
    };
    const a = await connect(alice);
    const b = await connect(bob);
    const direct = (await a.request('conversations.createDirect', { userId: bob.user.id })).conversation;
    const room = (await a.request('conversations.createRoom', { title: 'Fuzz room', guestAccess: true })).conversation;
    const group = (await a.request('conversations.createGroup', { title: 'Fuzz group', memberIds: [bob.user.id, ...powerless.map((p) => p.user.id)] })).conversation;
    const messageIds: number[] = [];
    for (const [client, conversationId, n] of [[a, direct.id, 1], [b, direct.id, 2], [a, group.id, 3], [a, room.id, 4]] as const) {
      messageIds.push((await client.request('messages.send', { conversationId, clientId: `seed-msg-${n}`, body: `seed message ${n}` })).message.id);
    }
    for (const [i, session] of powerless.entries()) {
      const client = await connect(session);
      await client.request('conversations.join', { conversationId: room.id });
      messageIds.push((await client.request('messages.send', { conversationId: group.id, clientId: `seed-pow-${i}`, body: `hello from ${i}` })).message.id);
    }
    for (const client of clients) client.close();
    await Promise.all(clients.map((c) => c.closed()));

    // An admin takes every permission from the powerless (through the admin tool, on the live database).
    const store = SqliteStore.open(dataDir);
    try {
      await runAdmin(['define-role', 'powerless', ''], store, () => undefined);
      for (const session of powerless) await runAdmin(['set-role', session.user.username, 'powerless'], store, () => undefined);
    } finally {
      await store.close();
    }

    const guests: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const res = await postJson(url, '/api/guest', { conversationId: room.id, displayName: `Guest ${i}` });
      if (res.status !== 201) throw new Error(`guest ${i}: ${res.status}`);
      guests.push(String(res.body!.token));
    }
    const relogin = await postJson(url, '/api/login', { username: 'fz-out-1', password: 'correct horse battery' });
    const revoked = String(relogin.body!.token);
    if ((await postJson(url, '/api/logout', {}, { Authorization: `Bearer ${revoked}` })).status !== 204) throw new Error('logout failed');

    // Two sockets for a few users: a second device of the same account.
    const senders: Sender[] = [
      ...outsiders.map((s) => ({ kind: 'outsider' as const, token: s.token })),
      ...outsiders.slice(0, 2).map((s) => ({ kind: 'outsider' as const, token: s.token })),
      ...powerless.map((s) => ({ kind: 'powerless' as const, token: s.token })),
      ...powerless.slice(0, 2).map((s) => ({ kind: 'powerless' as const, token: s.token })),
      ...guests.map((token) => ({ kind: 'guest' as const, token })),
    ];
    const maxId = Math.max(...messageIds, group.id, room.id, direct.id, ...powerless.map((p) => p.user.id));
    const ids = Array.from({ length: maxId + 2 }, (_, i) => i + 1);
    return new FuzzTarget(server, dataDir, maxPayloadBytes, senders, [undefined, 'garbage', 'A'.repeat(43), revoked], ids);
  }

  /** Send `frames` fuzz frames over every sender's socket at once, plus the unauthenticated sockets. */
  async run(options: FuzzRunOptions): Promise<FuzzRunReport> {
    const { frames, seed, window = 16, unauthenticatedSockets = 40, log = () => undefined } = options;
    const tally = new FuzzTally();
    const rng = new Prng(seed);
    const fuzzers: FrameFuzzer[] = [];
    const newFuzzer = () => {
      const fuzzer = new FrameFuzzer({ seed: rng.int(0, 0xffffffff), maxPayloadBytes: this.maxPayloadBytes, hints: { ids: this.ids } });
      fuzzers.push(fuzzer);
      return fuzzer;
    };
    let reconnects = 0;
    let sent = 0;
    let peakRssBytes = 0;
    const sampler = setInterval(() => {
      this.server.memory(false).then(
        (m) => (peakRssBytes = Math.max(peakRssBytes, m.rss)),
        () => undefined,
      );
    }, 1000);
    const progress = setInterval(() => log(`fuzz: ${sent}/${frames} frames, ${tally.totalAnswered()} answered, ${tally.totalProblems()} problems`), 10_000);
    const started = Date.now();

    const drive = async (sender: Sender, quota: number, fuzzer: FrameFuzzer) => {
      const policy: FuzzPolicy = { noValid: NO_VALID[sender.kind], killers: true };
      const open = () => FuzzConnection.open(this.server.wsUrl, sender.token, tally);
      let connection = await open();
      for (let i = 0; i < quota && !this.server.exited(); i++) {
        const frame = fuzzer.next(policy);
        if (frame.expect.kind === 'close') {
          // Alone on the socket, so the close answers exactly this frame.
          if (!(await connection.waitUntilInFlight(0, IDLE_MS))) await connection.close();
        } else if (!(await connection.waitUntilInFlight(window - 1, IDLE_MS))) {
          await connection.close();
        }
        if (!connection.isOpen) {
          reconnects++;
          connection = await open();
        }
        connection.send(frame);
        sent++;
        if (frame.expect.kind === 'close') {
          const closed = await Promise.race([connection.closed, new Promise((resolve) => setTimeout(resolve, IDLE_MS).unref())]);
          // Still open: the frame that should have closed it is unanswered (counted by close()).
          if (closed === undefined) await connection.close();
        }
      }
      await connection.waitUntilInFlight(0, IDLE_MS);
      await connection.close();
    };

    const unauthenticated = async () => {
      const fuzzer = newFuzzer();
      let count = 0;
      for (let i = 0; i < unauthenticatedSockets && !this.server.exited(); i++) {
        const token = this.badTokens[i % this.badTokens.length];
        const frames = Array.from({ length: 1 + (i % 5) }, () => fuzzer.next({ noValid: new Set(), killers: false }));
        const connection = await FuzzConnection.open(this.server.wsUrl, token, tally, [CLOSE_CODES.UNAUTHENTICATED], frames);
        count += frames.length;
        await connection.closed;
      }
      return count;
    };

    const base = Math.floor(frames / this.senders.length);
    const jobs = this.senders.map((sender, i) => drive(sender, base + (i < frames % this.senders.length ? 1 : 0), newFuzzer()));
    const finished = Promise.all([unauthenticated(), ...jobs]);
    // A crash ends the run at once, with the server's last words.
    const crashed = this.server.exit.then((exit) => exit);
    let outcome: Awaited<typeof finished> | Awaited<typeof crashed>;
    try {
      outcome = await Promise.race([finished, crashed]);
    } catch (error) {
      // A socket error (refused, reset) may beat the exit event of a crashed server.
      outcome = await Promise.race([crashed, new Promise<never>((_, reject) => setTimeout(() => reject(error), 5000))]);
    } finally {
      clearInterval(sampler);
      clearInterval(progress);
    }
    if (!Array.isArray(outcome)) {
      finished.catch(() => undefined);
      throw new Error(`the server process exited (${outcome.code ?? outcome.signal}) during the fuzz run (FUZZ_SEED=${seed}):\n${this.server.output()}`);
    }
    const [unauthenticatedFrames] = outcome;

    const coverage = new Map<RequestMethod, { valid: number; invalid: number }>();
    const labels = new Map<FrameLabel, number>();
    for (const fuzzer of fuzzers) {
      for (const [method, c] of fuzzer.coverage) {
        const sum = coverage.get(method) ?? { valid: 0, invalid: 0 };
        coverage.set(method, { valid: sum.valid + c.valid, invalid: sum.invalid + c.invalid });
      }
      for (const [label, n] of fuzzer.labels) labels.set(label, (labels.get(label) ?? 0) + n);
    }
    return { tally, unauthenticatedFrames, sockets: this.senders.length, reconnects, coverage, labels, durationMs: Date.now() - started, peakRssBytes };
  }

  /** Lines the server logged at level error or fatal (pino 50+). */
  loggedErrors(): string[] {
    return loggedAtLeast(this.server.logFile, LOG_LEVEL.error);
  }

  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.server.stop();
  }
}

/**
 * Hammer a server at its real (default) rate limit: each socket sends `frames` fuzz frames at
 * once. The server must answer each (RATE_LIMITED past the budget) until it closes the socket
 * with 4008; frames still unanswered then count as answered by that close.
 */
export async function runRateLimitHammer(options: { wsUrl: string; tokens: string[]; frames: number; seed: number; maxPayloadBytes: number; ids: number[] }): Promise<FuzzTally> {
  const tally = new FuzzTally();
  const rng = new Prng(options.seed);
  await Promise.all(
    options.tokens.map(async (token) => {
      const fuzzer = new FrameFuzzer({ seed: rng.int(0, 0xffffffff), maxPayloadBytes: options.maxPayloadBytes, hints: { ids: options.ids } });
      const connection = await FuzzConnection.open(options.wsUrl, token, tally, [CLOSE_CODES.RATE_LIMITED]);
      for (let i = 0; i < options.frames && connection.isOpen; i++) connection.send(fuzzer.next({ noValid: NO_VALID.outsider, killers: false }));
      await connection.waitUntilInFlight(0, IDLE_MS);
      if (connection.isOpen) await connection.close();
      else await connection.closed;
    }),
  );
  return tally;
}
