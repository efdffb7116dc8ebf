import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// End-to-end: real Chromium against a real server in embedded mode. One spec at a time (2 cores, one browser).
export default defineConfig({
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  test: {
    include: ['apps/web/e2e/**/*.e2e.ts'],
    globalSetup: ['apps/web/e2e/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
