import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/**
 * Writes `<file>.br` and `<file>.gz` beside every text asset of the build, so the signaling
 * server (sirv with `brotli`/`gzip`) hands browsers ~130 kB instead of ~430 kB without
 * compressing on every request. The desktop app reads the plain files and ignores these.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'earshot:precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async writeBundle(_options, bundle) {
      const files = Object.keys(bundle).filter((name) => /\.(js|css|html|svg|json)$/.test(name));
      await Promise.all(
        files.map(async (name) => {
          const file = path.join(outDir, name);
          const data = await readFile(file);
          if (data.length < 1024) return;
          await writeFile(`${file}.gz`, await gzipAsync(data, { level: 9 }));
          await writeFile(`${file}.br`, await brotliAsync(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }));
        }),
      );
    },
  };
}

// The renderer is built once into dist/renderer and served by the signaling server at `/`
// (and, later, loaded by Electron through its app protocol).
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react(), precompress()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
});
