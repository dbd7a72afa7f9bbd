import { defineConfig } from 'vitest/config';

/**
 * Tests that need no Postgres, Redis, simulator or child process: `npm run test:unit` runs them
 * alone in seconds, without looking for services. A new test file belongs here only if it
 * imports nothing that opens a connection or spawns a process.
 */
const UNIT = [
  'test/normalizeDates.test.ts',
  'test/redaction.test.ts',
  'test/retry.test.ts',
  'test/settings.test.ts',
  'test/tokenRotation.test.ts',
  'test/typedViewNames.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    // Files are isolated (own database, own queue prefix), so they run side by side; most of a
    // test's time is spent waiting on Postgres, Redis and HTTP rather than on the two cores.
    maxWorkers: 3,
    // Generous: on a loaded 2-core machine a test that spawns a dozen CLI processes (each
    // compiling TypeScript through tsx) can take a minute without anything being wrong.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    // `npm test` runs both projects; CI runs `npm test`.
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: UNIT,
          // Finds (or starts) Postgres and Redis once per run: only when an integration file runs.
          globalSetup: ['test/setup/services.ts'],
        },
      },
    ],
  },
});
