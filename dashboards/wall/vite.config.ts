import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = path.dirname(fileURLToPath(import.meta.url));

/**
 * One page per role: `index.html` is the wall, every other `NAME.html` beside it (leader, operator, police …)
 * is its own entry, served by the API at `/NAME` and below. Found by listing so a new page needs no edit here.
 */
const pages = Object.fromEntries(
  readdirSync(root)
    .filter((name) => name.endsWith('.html'))
    .map((name) => [name === 'index.html' ? 'wall' : name.slice(0, -'.html'.length), path.join(root, name)]),
);

/** The API (and socket.io) the dev server forwards to: `pnpm start` listens on 8080 by default. */
const apiTarget = 'http://localhost:8080';

export default defineConfig({
  plugins: [react()],
  // Relative asset paths: the API serves dist at `/` and falls back to index.html for client routes.
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    rollupOptions: { input: pages },
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: true },
      // The citizen page speaks public Open311 (/open311/v2/…), photos included.
      '/open311': { target: apiTarget, changeOrigin: true },
      '/socket.io': { target: apiTarget, ws: true, changeOrigin: true },
    },
  },
});
