/** One measured figure, e.g. `{ value: 41.2, unit: 'ms' }`. */
export interface Figure {
  /** The measured value, in `unit`; rounded by the benchmark to a sensible precision. */
  value: number;
  /** `ms`, `kbps`, `count`, `s` … */
  unit: string;
}

/** Figure key → figure. Keys are snake_case and end in the statistic (`_p50`, `_p95`, `_mean`). */
export type Figures = Record<string, Figure>;

/** A goal for one figure; both bounds inclusive, in the figure's unit. */
export interface Target {
  min?: number;
  max?: number;
}

/** What the runner hands a benchmark while it runs. */
export interface BenchContext {
  /** Progress line for the console (not saved). */
  log(line: string): void;
  /** A note saved with the results: method, settings, caveats, why a target was missed. */
  note(text: string): void;
}

/**
 * A benchmark module: `bench/run.ts` runs `run()`, writes `bench/results/<name>.json` and
 * compares the figures with `targets`. Benchmarks report; they never assert.
 */
export interface Benchmark {
  /** Short CLI name: `npm run bench -- <name>`. */
  name: string;
  /** One line: what is measured and how. */
  description: string;
  /** Figure key → goal. Keys must be among the figures `run()` returns. */
  targets: Record<string, Target>;
  run(context: BenchContext): Promise<Figures>;
}
