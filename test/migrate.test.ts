import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { runCli } from './helpers/cli.js';
import { readFileSync } from 'node:fs';

/** However many migrations the project has: each engineer's additions need not touch this test. */
const MIGRATIONS = (
  JSON.parse(readFileSync(new URL('../migrations/meta/_journal.json', import.meta.url), 'utf8')) as {
    entries: unknown[];
  }
).entries.length;

describe('migrate', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await db.drop();
  });

  it('creates both schemas on an empty database; twice at once and again afterwards succeed', async () => {
    const env = { DATABASE_URL: db.url };
    const [a, b] = await Promise.all([runCli(['migrate'], env), runCli(['migrate'], env)]);
    expect([a.code, b.code, a.stderr + b.stderr]).toEqual([0, 0, '']);
    expect([a.stdout, b.stdout].sort()).toEqual([`applied ${MIGRATIONS} migration(s)\n`, 'schema is up to date\n']);

    const again = await runCli(['migrate'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('schema is up to date\n');

    const { rows } = await db.pool.query<{ nspname: string }>(
      `select nspname from pg_namespace where nspname in ('onecore', 'onecore_history', 'onecore_sync', 'onecore_typed', 'onecore_typed_history') order by 1`,
    );
    expect(rows.map((r) => r.nspname)).toEqual([
      'onecore',
      'onecore_history',
      'onecore_sync',
      'onecore_typed',
      'onecore_typed_history',
    ]);
    const tables = await db.pool.query<{ relname: string }>(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'onecore_sync' and c.relkind = 'r' order by 1`,
    );
    expect(tables.rows.map((r) => r.relname)).toEqual(
      expect.arrayContaining(['checkpoints', 'credentials', 'endpoints', 'rejected_records', 'sync_runs']),
    );
  });
});
