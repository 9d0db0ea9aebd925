#!/usr/bin/env node
// Where the Electron binary is, without downloading it. (`require('electron')` would try a
// download when the binary is missing — it is missing on machines that cannot reach GitHub.)
//
//   node scripts/electron-binary.mjs   prints the path and exits 0, or prints why not and exits 1
//   import { electronBinary } from './electron-binary.mjs'   → { path } or { reason }
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** @returns {{ path: string, reason?: undefined } | { path?: undefined, reason: string }} */
export function electronBinary(root = ROOT) {
  const dir = path.join(root, 'node_modules', 'electron');
  if (!existsSync(path.join(dir, 'package.json'))) return { reason: 'the electron package is not installed (npm ci)' };
  const pathFile = path.join(dir, 'path.txt');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!existsSync(pathFile) && !override) {
    return { reason: 'the Electron binary is not installed (its download from GitHub failed or was skipped: ELECTRON_SKIP_BINARY_DOWNLOAD)' };
  }
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const binary = override ? path.join(override, relative) : path.join(dir, 'dist', relative);
  return existsSync(binary) ? { path: binary } : { reason: `the Electron binary is missing at ${binary}` };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const found = electronBinary();
  if (found.path) {
    console.log(found.path);
  } else {
    console.log(found.reason);
    process.exit(1);
  }
}
