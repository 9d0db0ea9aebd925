import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer is built once into dist/renderer and served by the signaling server at `/`
// (and, later, loaded by Electron through its app protocol).
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
});
