/**
 * Protocol fuzzing, short form: 100,000 frames, part of `npm test`. The long form sends
 * 1,000,000 (tests/long/signaling-server/fuzz.long.test.ts, `npm run test:long`); FUZZ_FRAMES
 * overrides either. 100,000 frames cost about 30 s of CPU, 12–15 s of it the server's, split
 * over the two processes: 19 s on a 2-core machine at load average 4, 81 s at load average 10.
 *
 * A real signaling server (startTestServer: real ws, real SQLite; production maxPayload and
 * heartbeat, only the per-connection rate limit raised so frames get parsed) runs in a child
 * process. 24 authenticated sockets (member outsiders, permissionless members, room guests;
 * fuzzTarget.ts says why none of their frames can change stored state) send frames from
 * FrameFuzzer: valid requests and schema-aware mutations of every method (fields dropped,
 * added, renamed, duplicated; wrong types; numbers out of range, 1e308, 1e999, -0; oversized
 * strings), envelope and prototype-key attacks, unicode edge cases, truncated and mangled JSON,
 * random text and JSON, deep nesting and frames up to and past maxPayload, binary frames and
 * invalid UTF-8 (lone surrogates, overlong forms). 40 sockets with a missing, malformed,
 * unknown or revoked token send a few frames each. A second server, at the default rate
 * limit, is hammered until it closes the sockets.
 *
 * "Answered" (FuzzConnection.ts): a frame whose `id` is a positive safe integer gets a result
 * or an error frame with that id; any other text frame gets an id-less `protocol.error`; a
 * frame the socket cannot carry (binary → 1002, over maxPayload → 1009, not UTF-8 → 1007) or
 * any frame on a socket the server refuses (bad token → 4001, past the rate limit → 4008) is
 * answered by the server closing the socket with that code. A frame the protocol's parser
 * rejects gets BAD_REQUEST or UNKNOWN_METHOD (or RATE_LIMITED); every code is one of
 * ERROR_CODES and none is INTERNAL.
 *
 * Afterwards (protocolFuzzSpec.ts): nothing unanswered, every database row as before, server
 * memory within FUZZ_MEMORY_BOUNDS (RSS +80 MB, heap +32 MB), Object.prototype untouched, no
 * crash and no error logged, and two new users can still chat and place a call.
 *
 * The first run found a crash: a group.* request whose mediasoup parameter object is nested
 * 5,000 deep made the schema's size check throw out of parseClientFrame, an unhandled
 * rejection that took the whole server down (fixed in common/protocol/groupCalls.ts).
 *
 * Replay a failure with the seed it prints:
 *   FUZZ_SEED=<seed> npx vitest run --project integration tests/integration/signaling-server/fuzz.test.ts
 */
import { describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../../common/errors.js';
import { ServerConfig } from '../../../signaling-server/config.js';
import { dbSnapshot } from '../../helpers/dbSnapshot.js';
import { FrameFuzzer } from '../../helpers/fuzz/FrameFuzzer.js';
import { runRateLimitHammer } from '../../helpers/fuzz/fuzzTarget.js';
import { fuzzSeed, protocolFuzzSpec } from '../../helpers/fuzz/protocolFuzzSpec.js';
import { startTestServer } from '../../helpers/testServer.js';
import { register, TestClient } from '../../helpers/wsClient.js';

const SEED = fuzzSeed();

protocolFuzzSpec({ frames: Number(process.env.FUZZ_FRAMES ?? 100_000), seed: SEED, timeoutMs: 15 * 60_000 });

describe('protocol fuzzing at the default rate limit', () => {
  it('answers RATE_LIMITED past the budget, closes hammering sockets with 4008, and changes nothing', async () => {
    const defaults = ServerConfig.parse({});
    const srv = await startTestServer({ config: { rateLimitPerSecond: defaults.rateLimitPerSecond, rateLimitBurst: defaults.rateLimitBurst, logLevel: 'info' } });
    try {
      const sessions = [];
      for (let i = 1; i <= 4; i++) sessions.push(await register(srv.url, `hammer-${i}`));
      const db = dbSnapshot(srv.dataDir);
      const tally = await runRateLimitHammer({
        wsUrl: srv.wsUrl,
        tokens: sessions.map((s) => s.token),
        frames: 500,
        seed: SEED,
        maxPayloadBytes: defaults.maxPayloadBytes,
        ids: [1, 2, 3, 4, 5],
      });
      expect(tally.examples, `FUZZ_SEED=${SEED}`).toEqual([]);
      expect(tally.totalProblems()).toBe(0);
      expect(tally.totalAnswered()).toBe(tally.sent);
      expect(tally.errorCodes.get('RATE_LIMITED')).toBeGreaterThan(0);
      expect(tally.closeCodes.get(CLOSE_CODES.RATE_LIMITED)).toBe(sessions.length);
      expect(dbSnapshot(srv.dataDir)).toEqual(db);
      // A fresh socket has a fresh budget.
      const client = await TestClient.connect(srv.wsUrl, sessions[0]!.token);
      await expect(client.request('sync.state', {})).resolves.toMatchObject({ me: { username: 'hammer-1' } });
      client.close();
    } finally {
      await srv.stop();
    }
  });
});

describe('FrameFuzzer', () => {
  it('replays the same frames from the same seed', () => {
    const frames = (seed: number) => {
      const fuzzer = new FrameFuzzer({ seed, maxPayloadBytes: 64 * 1024, hints: { ids: [1, 2, 3] } });
      return Array.from({ length: 200 }, () => fuzzer.next({ noValid: new Set(), killers: true }).payload.toString('base64'));
    };
    expect(frames(7)).toEqual(frames(7));
    expect(frames(7)).not.toEqual(frames(8));
  });
});
