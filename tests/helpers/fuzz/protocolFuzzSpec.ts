import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../../common/errors.js';
import { REQUEST_METHODS, requests } from '../../../common/protocol/index.js';
import { dbSnapshot, type DbSnapshot } from '../dbSnapshot.js';
import type { ServerMemory } from '../testServerProcess.js';
import { twoUserCall } from '../twoUserCall.js';
import { CLOSE_INVALID_UTF8 } from './FrameFuzzer.js';
import { FuzzTarget, NEVER_VALID, type FuzzRunReport } from './fuzzTarget.js';

const MB = 1024 * 1024;

/**
 * How much the server process may grow over a fuzz run, MB, measured after a full GC before
 * (accounts seeded) and after (every fuzz socket closed). The same for 100,000 and 1,000,000
 * frames: a leak grows with the frame count, the allocator's working set does not. Measured:
 * RSS +34 MB and heap +1 to +2 MB after both 100,000 and 300,000 frames (RSS 116 → 150 MB).
 */
export const FUZZ_MEMORY_BOUNDS = {
  /** Resident set size (V8 heap reservations, malloc arenas, SQLite page cache, ws buffers). */
  rssGrowthMb: 80,
  /** Live JS objects (heapUsed): the sharper leak check, 32 bytes a frame over a million frames. */
  heapGrowthMb: 32,
} as const;

/** Close codes a fuzzed server may use: binary 1002, not UTF-8 1007, over maxPayload 1009, bad token 4001. */
const EARNED_CLOSE_CODES: readonly number[] = [CLOSE_CODES.PROTOCOL_ERROR, CLOSE_INVALID_UTF8, CLOSE_CODES.TOO_BIG, CLOSE_CODES.UNAUTHENTICATED];

/**
 * The protocol-fuzzing spec, shared by the short form (tests/integration) and the long form
 * (tests/long): fuzz a seeded server with `frames` frames, then check every frame was answered,
 * the database is unchanged, memory stayed within FUZZ_MEMORY_BOUNDS, Object.prototype is
 * clean, the server neither crashed nor logged errors, and two users can still chat and call.
 * See fuzzTarget.ts for the senders and FuzzConnection.ts for what "answered" means.
 */
export function protocolFuzzSpec(options: { frames: number; seed: number; timeoutMs: number }): void {
  const { frames, seed } = options;
  const { rssGrowthMb, heapGrowthMb } = FUZZ_MEMORY_BOUNDS;

  describe(`protocol fuzzing (${frames} frames, FUZZ_SEED=${seed})`, () => {
    let target: FuzzTarget;
    let report: FuzzRunReport;
    let before: { db: DbSnapshot; memory: ServerMemory };
    let after: { db: DbSnapshot; memory: ServerMemory };

    beforeAll(async () => {
      console.log(`fuzz: FUZZ_SEED=${seed} FUZZ_FRAMES=${frames}`);
      target = await FuzzTarget.start();
      before = { db: dbSnapshot(target.dataDir), memory: await target.server.memory(true) };
      report = await target.run({ frames, seed, log: (line) => console.log(line) });
      after = { db: dbSnapshot(target.dataDir), memory: await target.server.memory(true) };
      const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
      console.log(
        `fuzz: ${report.tally.sent} frames (${report.unauthenticatedFrames} on unauthenticated sockets) in ${(report.durationMs / 1000).toFixed(1)} s ` +
          `over ${report.sockets} sockets (${report.reconnects} reopened after a close); server CPU ${((after.memory.cpuMs - before.memory.cpuMs) / 1000).toFixed(1)} s; ` +
          `server RSS ${mb(before.memory.rss)} → ${mb(after.memory.rss)} (peak ${mb(report.peakRssBytes)}), heap ${mb(before.memory.heapUsed)} → ${mb(after.memory.heapUsed)}\n` +
          JSON.stringify({ ...report.tally.summary(), generators: Object.fromEntries(report.labels) }),
      );
    }, options.timeoutMs);

    afterAll(async () => {
      await target?.stop();
    });

    it('builds valid and invalid frames from every request method', () => {
      expect(REQUEST_METHODS).toHaveLength(Object.keys(requests).length);
      for (const method of REQUEST_METHODS) {
        const counts = report.coverage.get(method);
        expect(counts?.invalid, `invalid ${method} frames`).toBeGreaterThan(0);
        // session.refresh is never sent valid: it would rotate the sender's token (see fuzzTarget.ts).
        if (!NEVER_VALID.has(method)) expect(counts?.valid, `valid ${method} frames`).toBeGreaterThan(0);
      }
    });

    it('sends the frames asked for over 20+ authenticated sockets, and more over unauthenticated ones', () => {
      expect(report.tally.sent - report.unauthenticatedFrames).toBe(frames);
      expect(report.sockets).toBeGreaterThanOrEqual(20);
      expect(report.unauthenticatedFrames).toBeGreaterThan(0);
    });

    it('answers every frame: a typed error or result on its id, an id-less protocol.error, or a clean close', () => {
      expect(report.tally.examples, `FUZZ_SEED=${seed}`).toEqual([]);
      expect(report.tally.problems).toEqual({
        unanswered: 0,
        internal: 0,
        untyped: 0,
        wrongCodeForInvalid: 0,
        resultForInvalid: 0,
        unexpectedAnswer: 0,
        unexpectedClose: 0,
      });
      expect(report.tally.totalAnswered()).toBe(report.tally.sent);
      expect([...report.tally.closeCodes.keys()].filter((code) => !EARNED_CLOSE_CODES.includes(code))).toEqual([]);
    });

    it('leaves every row of the database as it was', () => {
      expect(after.db).toEqual(before.db);
    });

    it(`keeps the server's RSS within ${rssGrowthMb} MB and its heap within ${heapGrowthMb} MB of their levels before the run`, () => {
      expect((after.memory.rss - before.memory.rss) / MB).toBeLessThan(rssGrowthMb);
      expect((after.memory.heapUsed - before.memory.heapUsed) / MB).toBeLessThan(heapGrowthMb);
    });

    it('leaves Object.prototype of the server untouched (no prototype pollution)', () => {
      expect(after.memory.prototypeKeys).toEqual(before.memory.prototypeKeys);
    });

    it('has not crashed, and has logged no errors', () => {
      expect(target.server.exited(), target.server.output()).toBeNull();
      expect(target.loggedErrors()).toEqual([]);
    });

    it('still serves two users a chat message and a 1-on-1 call', async () => {
      const flow = await twoUserCall(target.server.url, target.server.wsUrl);
      expect(flow.endReasons).toEqual(['hangup', 'hangup']);
      expect(flow.outcome).toBe('hangup');
    });
  });
}

/** FUZZ_SEED when given (to replay a failure), else a fresh one; printed either way. */
export function fuzzSeed(): number {
  return process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 32);
}
