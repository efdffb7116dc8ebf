import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: failure injection against throwaway PostgreSQL and Redis servers of its own (see
 * global-setup.ts). Files run one at a time: one of them restarts the shared cluster.
 */
export default defineConfig({
  test: {
    root: new URL('../../../../', import.meta.url).pathname,
    include: ['apps/api/test/faults/**/*.fault.test.ts'],
    globalSetup: ['apps/api/test/faults/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
