import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/services.ts'],
    pool: 'forks',
    // Files are isolated (own database, own queue prefix), so they run side by side; most of a
    // test's time is spent waiting on Postgres, Redis and HTTP rather than on the two cores.
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
