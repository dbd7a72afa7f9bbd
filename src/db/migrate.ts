import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { Pool } from './createPool.js';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Arbitrary but fixed: every onecore-sync process migrating this database takes the same lock. */
const MIGRATE_LOCK = 7_418_150_011;

/**
 * Applies the drizzle-kit migrations in `migrations/`. Two processes migrating at once would both
 * try `create schema`; the session advisory lock makes the second wait and then find nothing to do.
 * drizzle's bookkeeping table lives in `onecore_sync` beside our own state; because drizzle creates
 * that schema before running the first migration, 0000_init.sql says `create schema if not exists`
 * (the one hand edit to generated SQL).
 */
export async function migrateDatabase(pool: Pool): Promise<{ applied: number }> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATE_LOCK]);
    try {
      const before = await countApplied(client);
      await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER, migrationsSchema: 'onecore_sync', migrationsTable: 'migrations' });
      const after = await countApplied(client);
      return { applied: after - before };
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATE_LOCK]);
    }
  } finally {
    client.release();
  }
}

async function countApplied(client: { query: Pool['query'] }): Promise<number> {
  const exists = await client.query<{ t: string | null }>(`select to_regclass('onecore_sync.migrations')::text as t`);
  if (exists.rows[0]?.t == null) return 0;
  const { rows } = await client.query<{ n: string }>('select count(*) as n from onecore_sync.migrations');
  return Number(rows[0]!.n);
}
