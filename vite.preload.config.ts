import { defineConfig } from 'vite';

// The preload: ONE CommonJS file (dist/preload/preload.cjs). A sandboxed preload cannot load
// ES modules or any file but `electron`, so common/ and zod are bundled in.
export default defineConfig({
  build: {
    outDir: 'dist/preload',
    emptyOutDir: true,
    target: 'chrome140',
    sourcemap: false,
    minify: false,
    lib: { entry: 'preload/preload.ts', formats: ['cjs'], fileName: () => 'preload.cjs' },
    rollupOptions: { external: ['electron'] },
  },
  logLevel: 'warn',
});
