#!/usr/bin/env node
// Summarises a `scripts/test.sh` run: one row per stage, the failed and skipped tests (with the
// reason for each skip), and a last line `N passed, N failed, N skipped` that CI can grep.
//
// Usage: node scripts/summarize-tests.mjs <stages.tsv>
//   each line: name \t kind \t exitCode \t seconds \t reportFile
//   kind: "check"      one pass/fail "test" per stage (lint, typecheck)
//         "vitest"     reportFile is vitest's json reporter output
//         "playwright" reportFile is Playwright's json reporter output
// Exit code: 1 when anything failed, else 0.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const stagesFile = process.argv[2];
if (!stagesFile) {
  console.error('usage: summarize-tests.mjs <stages.tsv>');
  process.exit(2);
}

const rel = (file) => path.relative(process.cwd(), file);

/** @returns {{passed: number, failed: string[], skipped: string[]} | null} */
function fromVitest(file) {
  if (!existsSync(file)) return null;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const out = { passed: 0, failed: [], skipped: [] };
  for (const fileResult of report.testResults ?? []) {
    const where = rel(fileResult.name);
    const cases = fileResult.assertionResults ?? [];
    // A file that failed to load or whose hooks failed has no passing cases to blame.
    if (fileResult.status === 'failed' && !cases.some((c) => c.status === 'failed')) {
      out.failed.push(`${where}: ${firstLine(fileResult.message) || 'file failed'}`);
    }
    for (const c of cases) {
      const title = `${where} › ${c.fullName ?? c.title}`;
      if (c.status === 'passed') out.passed++;
      else if (c.status === 'failed') out.failed.push(`${title}: ${firstLine(c.failureMessages?.[0])}`);
      else out.skipped.push(`${title}${c.status === 'todo' ? ' (todo)' : ''}`);
    }
  }
  return out;
}

/** @returns {{passed: number, failed: string[], skipped: string[]} | null} */
function fromPlaywright(file) {
  if (!existsSync(file)) return null;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const out = { passed: 0, failed: [], skipped: [] };
  for (const error of report.errors ?? []) out.failed.push(`(no test) ${firstLine(error.message)}`);
  const rootDir = report.config?.rootDir ?? process.cwd();
  const walk = (suite, trail) => {
    const here = suite.title && !suite.title.endsWith('.ts') ? [...trail, suite.title] : trail;
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        const title = `${rel(path.join(rootDir, spec.file))} › ${[...here, spec.title].join(' › ')}`;
        if (t.status === 'skipped') {
          const notes = [...(t.annotations ?? []), ...(t.results ?? []).flatMap((r) => r.annotations ?? [])];
          const reason = notes.find((a) => a.type === 'skip' || a.type === 'fixme')?.description;
          out.skipped.push(`${title} — ${reason || 'no reason given'}`);
        } else if (t.status === 'unexpected') {
          const last = t.results?.at(-1);
          out.failed.push(`${title}: ${firstLine(last?.error?.message ?? last?.errors?.[0]?.message)}`);
        } else {
          out.passed++; // expected, or flaky (passed on a retry)
        }
      }
    }
    for (const child of suite.suites ?? []) walk(child, here);
  };
  for (const suite of report.suites ?? []) walk(suite, []);
  return out;
}

function firstLine(text) {
  // eslint-disable-next-line no-control-regex
  return String(text ?? '').replace(/\u001b\[[0-9;]*m/g, '').split('\n').find((l) => l.trim())?.trim().slice(0, 200) ?? '';
}

const rows = [];
const failed = [];
const skipped = [];
let passedTotal = 0;

for (const line of readFileSync(stagesFile, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const [name, kind, exitText, seconds, report] = line.split('\t');
  const exit = Number(exitText);
  let counts = null;
  try {
    if (kind === 'vitest') counts = fromVitest(report);
    if (kind === 'playwright') counts = fromPlaywright(report);
  } catch (error) {
    counts = { passed: 0, failed: [`cannot read ${report}: ${error.message}`], skipped: [] };
  }
  if (kind === 'check') counts = { passed: exit === 0 ? 1 : 0, failed: exit === 0 ? [] : [`${name} failed`], skipped: [] };
  counts ??= { passed: 0, failed: [], skipped: [] };
  // A runner that exits non-zero without a failed test (crash, config error, unhandled error)
  // still counts as one failure.
  if (exit !== 0 && counts.failed.length === 0) counts.failed.push(`${name} exited with code ${exit} (see its log above)`);

  passedTotal += counts.passed;
  failed.push(...counts.failed.map((f) => `[${name}] ${f}`));
  skipped.push(...counts.skipped.map((s) => `[${name}] ${s}`));
  rows.push({
    name,
    result: counts.failed.length ? 'FAILED' : 'ok',
    time: `${seconds}s`,
    counts: kind === 'check' ? '' : `${counts.passed} passed, ${counts.failed.length} failed, ${counts.skipped.length} skipped`,
  });
}

const width = Math.max(5, ...rows.map((r) => r.name.length));
console.log('\n==================== Summary ====================');
for (const r of rows) console.log(`${r.name.padEnd(width)}  ${r.result.padEnd(6)}  ${r.time.padStart(5)}  ${r.counts}`);
if (failed.length) {
  console.log(`\nFailed (${failed.length}):`);
  for (const f of failed) console.log(`  ✗ ${f}`);
}
if (skipped.length) {
  console.log(`\nSkipped (${skipped.length}):`);
  for (const s of skipped) console.log(`  - ${s}`);
}
console.log('');
console.log(`${passedTotal} passed, ${failed.length} failed, ${skipped.length} skipped`);
process.exit(failed.length ? 1 : 0);
