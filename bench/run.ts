/**
 * Benchmark runner.
 *
 *   npm run bench              every registered benchmark (bench/benchmarks.ts)
 *   npm run bench -- p2p       one (or several) by name
 *   npm run bench -- --list    names and descriptions
 *
 * Each benchmark's result goes to bench/results/<name>.json:
 * { name, date, machine, figures: { key: { value, unit } }, targets: { key: { min?, max?, unit, met, missedBy } }, notes }.
 * Then one Markdown table of every figure, with its target and met/missed beside it.
 * Benchmarks report; the exit code is non-zero only when a benchmark could not run, never
 * because a target was missed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark, Figures, Target } from './BenchmarkTypes.js';
import { BENCHMARKS } from './benchmarks.js';
import { formatTable } from './lib/formatTable.js';
import { describeTarget, judgeTarget, type Verdict } from './lib/judgeTarget.js';
import { machineInfo, type MachineInfo } from './lib/machineInfo.js';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

/** What bench/results/<name>.json holds. */
export interface BenchResult {
  name: string;
  /** ISO 8601, when the run finished. */
  date: string;
  machine: MachineInfo;
  figures: Figures;
  targets: Record<string, Target & { unit: string } & Verdict>;
  notes: string[];
}

/** Which code was measured: the commit, and the folders with uncommitted changes (bench/ aside). */
function codeNote(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = git('rev-parse', '--short', 'HEAD').trim();
    // Porcelain lines are `XY path` (or `XY old -> new`); keep the top-level folder of each path.
    const dirty = new Set(
      git('status', '--porcelain')
        .split('\n')
        .filter((line) => line.length > 3)
        .map((line) => line.slice(3).split(' -> ').pop()!.split('/')[0]!)
        .filter((top) => top !== 'bench'),
    );
    return `Code: commit ${commit}${dirty.size ? `, with uncommitted changes in ${[...dirty].sort().join(', ')}` : ', no uncommitted changes outside bench/'}.`;
  } catch {
    return 'Code: not a git checkout.';
  }
}

function select(args: string[]): Benchmark[] {
  if (args.length === 0) return [...BENCHMARKS];
  return args.map((name) => {
    const found = BENCHMARKS.find((b) => b.name === name);
    if (!found) throw new Error(`unknown benchmark "${name}"; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
    return found;
  });
}

async function runOne(benchmark: Benchmark, machine: MachineInfo): Promise<BenchResult> {
  const notes: string[] = [codeNote()];
  const started = Date.now();
  console.log(`\n▶ ${benchmark.name}: ${benchmark.description}`);
  const figures = await benchmark.run({
    log: (line) => console.log(`  [${benchmark.name}] ${line}`),
    note: (text) => notes.push(text),
  });
  figures.run_time_s = { value: Math.round((Date.now() - started) / 100) / 10, unit: 's' };
  const targets: BenchResult['targets'] = {};
  for (const [key, target] of Object.entries(benchmark.targets)) {
    const figure = figures[key];
    if (!figure) throw new Error(`${benchmark.name}: target "${key}" has no figure`);
    const verdict = judgeTarget(figure, target);
    targets[key] = { ...target, unit: figure.unit, ...verdict };
    if (!verdict.met) notes.push(`Target missed: ${key} = ${figure.value} ${figure.unit}, target ${describeTarget(target, figure.unit)}: missed by ${verdict.missedBy} ${figure.unit}.`);
  }
  return { name: benchmark.name, date: new Date().toISOString(), machine, figures, targets, notes };
}

/** Written beside and renamed, so an interrupted run never leaves half a file (*.tmp is git-ignored). */
function save(result: BenchResult): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${result.name}.json`);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return file;
}

function table(results: BenchResult[]): string {
  const rows: string[][] = [];
  for (const result of results) {
    // Targeted figures first, in the order the benchmark lists its targets.
    const keys = [...Object.keys(result.targets), ...Object.keys(result.figures).filter((k) => !(k in result.targets))];
    for (const key of keys) {
      const figure = result.figures[key]!;
      const target = result.targets[key];
      const status = !target ? '' : target.met ? 'met' : `**missed** by ${target.missedBy} ${figure.unit}`;
      rows.push([result.name, key, String(figure.value), figure.unit, target ? describeTarget(target, figure.unit) : '', status]);
    }
  }
  return formatTable(['benchmark', 'figure', 'value', 'unit', 'target', 'status'], rows);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--list') || args.includes('-h') || args.includes('--help')) {
    for (const b of BENCHMARKS) console.log(`${b.name}\t${b.description}`);
    return;
  }
  const selected = select(args);
  const machine = await machineInfo();
  const results: BenchResult[] = [];
  let failed = false;
  for (const benchmark of selected) {
    try {
      const result = await runOne(benchmark, machine);
      console.log(`  saved ${path.relative(process.cwd(), save(result))}`);
      results.push(result);
    } catch (error) {
      failed = true;
      console.error(`✗ ${benchmark.name} failed:`, error);
    }
  }
  if (results.length > 0) {
    console.log(`\n${table(results)}\n`);
    console.log(`machine: ${machine.cores} cores, ${machine.ramGb} GiB, Node ${machine.node}, ${machine.chromium ?? 'no Chromium'}, mediasoup ${machine.mediasoup ?? 'not installed'}, ${machine.os}`);
    for (const r of results) for (const note of r.notes.filter((n) => n.startsWith('Target missed'))) console.log(`${r.name}: ${note}`);
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
