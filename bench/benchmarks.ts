import type { Benchmark } from './BenchmarkTypes.js';
import { lowband } from './lowband.js';
import { p2p } from './p2p.js';
import { peer } from './peer.js';
import { sfu } from './sfu.js';
import { signaling } from './signaling.js';
import { startup } from './startup.js';
import { turn } from './turn.js';

/** Every benchmark `npm run bench` knows, in the order it runs them. */
export const BENCHMARKS: readonly Benchmark[] = [p2p, sfu, signaling, turn, startup, peer, lowband];
