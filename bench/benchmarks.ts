import type { Benchmark } from './BenchmarkTypes.js';
import { p2p } from './p2p.js';
import { sfu } from './sfu.js';

/** Every benchmark `npm run bench` knows, in the order it runs them. */
export const BENCHMARKS: readonly Benchmark[] = [p2p, sfu];
