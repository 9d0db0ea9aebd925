import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The benchmarks' own copy of the web client (git-ignored). */
export const BENCH_WEB_ROOT = fileURLToPath(new URL('../../.cache/bench/renderer/', import.meta.url));

/**
 * Build the web client from the current sources with `vite build` (vite.config.ts, about 4 s)
 * into BENCH_WEB_ROOT, which the benchmark's server serves. Not dist/renderer: other builds
 * (npm test, npm start) rewrite that folder, and the server's static handler only knows the
 * files that existed when it started, so a rebuild there in the middle of a run breaks every
 * page loaded after it.
 * @returns the folder to pass as the server's `webRoot`
 */
export async function buildRenderer(): Promise<string> {
  await run('npx', ['vite', 'build', '--outDir', BENCH_WEB_ROOT, '--emptyOutDir'], { cwd: ROOT, maxBuffer: 16 * 2 ** 20 });
  if (!existsSync(`${BENCH_WEB_ROOT}/index.html`)) throw new Error(`vite build wrote no ${BENCH_WEB_ROOT}index.html`);
  return BENCH_WEB_ROOT;
}
