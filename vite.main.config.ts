import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

// The Electron main process, bundled into one ES module (dist/main/main.mjs) plus a lazily loaded
// chunk for the in-app server. Packages stay external (loaded from node_modules / app.asar):
// electron itself, electron-store (ESM-only), and the server's native modules.
const external = ['electron', /^electron\//, /^node:/, ...builtinModules, 'electron-store', 'zod', 'ws', 'pino', 'better-sqlite3', 'mediasoup', /^mediasoup\//, 'prom-client', 'sirv'];

export default defineConfig({
  build: {
    ssr: 'main/main.ts',
    outDir: 'dist/main',
    emptyOutDir: true,
    target: 'node22',
    sourcemap: true,
    minify: false,
    rollupOptions: {
      external,
      output: { format: 'es', entryFileNames: 'main.mjs', chunkFileNames: 'chunks/[name]-[hash].mjs' },
    },
  },
  logLevel: 'warn',
});
