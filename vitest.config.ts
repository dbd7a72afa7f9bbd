import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/services.ts'],
    pool: 'forks',
    // Files are isolated (own database, own queue prefix), so they run side by side; most of a
    // test's time is spent waiting on Postgres, Redis and HTTP rather than on the two cores.
    maxWorkers: 3,
    // Generous: on a loaded 2-core machine a test that spawns a dozen CLI processes (each
    // compiling TypeScript through tsx) can take a minute without anything being wrong.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
