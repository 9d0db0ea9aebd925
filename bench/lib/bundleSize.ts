import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { constants, gzipSync } from 'node:zlib';

/** One file of a built web client. */
export interface BundleFile {
  /** Path inside the build folder, e.g. `assets/index-D-uLBfYl.js`. */
  file: string;
  rawBytes: number;
  /** node:zlib gzip at level 9 (Z_BEST_COMPRESSION). */
  gzipBytes: number;
  /** Referenced by index.html (script, stylesheet, modulepreload): fetched on every page load. */
  initial: boolean;
}

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full, base) : [path.relative(base, full)];
  });
}

/**
 * The JavaScript and CSS files of a vite build in `webRoot` (source maps and everything else
 * left out), each with its raw and gzip level 9 size and whether index.html loads it directly.
 * Largest gzip first.
 */
export function bundleSize(webRoot: string): BundleFile[] {
  const html = readFileSync(path.join(webRoot, 'index.html'), 'utf8');
  // vite writes `src="./assets/x.js"` / `href="./assets/x.css"` (base './').
  const referenced = new Set([...html.matchAll(/(?:src|href)="\.?\/?([^"]+\.(?:js|css))"/g)].map((m) => path.normalize(m[1]!)));
  return walk(webRoot)
    .filter((file) => /\.(js|mjs|css)$/.test(file))
    .map((file) => {
      const bytes = readFileSync(path.join(webRoot, file));
      return {
        file,
        rawBytes: bytes.length,
        gzipBytes: gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length,
        initial: referenced.has(path.normalize(file)),
      };
    })
    .sort((a, b) => b.gzipBytes - a.gzipBytes);
}
