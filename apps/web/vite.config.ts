import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The web app is built into dist/web and served by the projector under /panel (its routes read
 * index.html and assets/ from there), so `npm start` needs no server of its own for it.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/panel/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
  },
  logLevel: 'warn',
});
