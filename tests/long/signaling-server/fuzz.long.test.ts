/**
 * Protocol fuzzing, long form: 1,000,000 frames (`npm run test:long`; not part of `npm test`).
 * The same spec as the short form (tests/integration/signaling-server/fuzz.test.ts, 100,000
 * frames), ten times longer, with the same memory bounds: memory that grows with the number of
 * frames fails here. About 6 minutes of CPU in all, 40 % of it the server's (300,000 frames took
 * 154 s on a busy 2-core machine).
 *
 * FUZZ_FRAMES overrides the count, FUZZ_SEED replays a run:
 *   FUZZ_SEED=<seed> FUZZ_FRAMES=1000000 npm run test:long
 */
import { fuzzSeed, protocolFuzzSpec } from '../../helpers/fuzz/protocolFuzzSpec.js';

protocolFuzzSpec({ frames: Number(process.env.FUZZ_FRAMES ?? 1_000_000), seed: fuzzSeed(), timeoutMs: 2 * 60 * 60_000 });
