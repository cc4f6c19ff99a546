import { defineConfig } from 'vite';

/**
 * The console, served under /console/ by the local runtime and by the deployed distribution.
 * `npm run console:dev` serves it with hot reload and sends API calls to `npm start` on :3000.
 */
const api = process.env.CONSOLE_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: {
    port: 5173,
    proxy: { '/v1': api, '/local': api, '/console/config.json': api },
  },
});
