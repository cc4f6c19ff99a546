import { defineConfig } from 'vite';

/**
 * The console, served under /console/ by the local runtime and at the root of the deployed
 * distribution.
 * `npm run console:dev` serves it with hot reload and sends API calls to `npm start` on :3000.
 */
const api = process.env.CONSOLE_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  // Relative asset paths: the same build serves under /console/ locally and at / behind CloudFront.
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: {
    port: 5173,
    proxy: {
      '/v1': api,
      '/local': api,
      '/config.json': { target: api, rewrite: () => '/console/config.json' },
    },
  },
});
