import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

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
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: true },
      '/socket.io': { target: apiTarget, ws: true, changeOrigin: true },
    },
  },
});
