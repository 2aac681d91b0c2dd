import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The API serves dist/ (WEB_DIST_DIR); `npm run web:dev` proxies API calls to a running API.
const api = process.env.CLIPLINE_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  resolve: {
    alias: { '@clipline/contracts': resolve(import.meta.dirname, '../../libs/contracts/src') },
  },
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: resolve(import.meta.dirname, 'dist'), emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      '/v1': api,
      '/health': api,
      '/socket.io': { target: api, ws: true },
    },
  },
});
