import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where the fault-injection tests keep what they measured (recovery times, counts), to be quoted. */
export const FAULT_REPORT_FILE = path.resolve(import.meta.dirname, '../../test-results/fault-injection.json');

/**
 * Print `figures` as `[fault-injection] <key> {...}` and merge them under `key` into
 * test-results/fault-injection.json, with the time they were measured. Figures are reported,
 * never asserted: the build machines are shared and busy.
 */
export function reportFaultFigures(key: string, figures: Record<string, unknown>): void {
  console.log(`[fault-injection] ${key} ${JSON.stringify(figures)}`);
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(FAULT_REPORT_FILE, 'utf8')) as Record<string, unknown>;
  } catch {
    // First figures of this run, or an unreadable file: start afresh.
  }
  all[key] = { measuredAt: new Date().toISOString(), ...figures };
  mkdirSync(path.dirname(FAULT_REPORT_FILE), { recursive: true });
  // Written aside and renamed, so a reader never sees half a file.
  const partial = `${FAULT_REPORT_FILE}.${process.pid}`;
  writeFileSync(partial, `${JSON.stringify(all, null, 2)}\n`);
  renameSync(partial, FAULT_REPORT_FILE);
}
