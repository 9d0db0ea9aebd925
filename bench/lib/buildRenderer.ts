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
 * @param outDir where to build (default BENCH_WEB_ROOT); a benchmark that may run beside another
 *   passes a folder of its own, so neither empties the folder the other's server is serving
 * @returns the folder to pass as the server's `webRoot`
 */
export async function buildRenderer(outDir = BENCH_WEB_ROOT): Promise<string> {
  await run('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir'], { cwd: ROOT, maxBuffer: 16 * 2 ** 20 });
  if (!existsSync(`${outDir}/index.html`)) throw new Error(`vite build wrote no ${outDir}/index.html`);
  return outDir;
}
