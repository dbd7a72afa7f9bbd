import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { Pool } from './createPool.js';
import type { Queryable } from './sql/queryable.js';
import { isPermissionDenied } from './describePgError.js';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Arbitrary but fixed: every onecore-sync process migrating this database takes the same lock. */
const MIGRATE_LOCK = 7_418_150_011;

/**
 * Applies the drizzle-kit migrations in `migrations/`. Two processes migrating at once would both
 * try `create schema`; the session advisory lock makes the second wait and then find nothing to do.
 * drizzle's bookkeeping table lives in `onecore_sync` beside our own state; because drizzle creates
 * that schema before running the first migration, 0000_init.sql says `create schema if not exists`
 * (the one hand edit to generated SQL).
 *
 * Every command migrates first, but only when something is pending: a database that is current is
 * only read, so a role that may read and write the schemas (no DDL rights) runs every command but
 * `migrate` itself. When something is pending and the role may not apply it, the error says which
 * privilege, which role, and what to do.
 */
export async function migrateDatabase(pool: Pool): Promise<{ applied: number }> {
  if (await isCurrent(pool)) return { applied: 0 };
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATE_LOCK]);
    try {
      const before = await countApplied(client);
      await migrate(drizzle(client), {
        migrationsFolder: MIGRATIONS_FOLDER,
        migrationsSchema: 'onecore_sync',
        migrationsTable: 'migrations',
      });
      const after = await countApplied(client);
      return { applied: after - before };
    } catch (err) {
      if (isPermissionDenied(err)) {
        const { rows } = await client.query<{ role: string; db: string }>(
          'select current_user as role, current_database() as db',
        );
        throw new MigrationNotAllowed(rows[0]!.role, rows[0]!.db, permissionMessage(err));
      }
      throw err;
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATE_LOCK]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}

export class MigrationNotAllowed extends Error {
  override name = 'MigrationNotAllowed';
  constructor(
    readonly role: string,
    database: string,
    cause: string,
  ) {
    super(
      `the database schema needs migrating and role "${role}" may not do it (${cause}: the CREATE privilege on database "${database}" and ownership of the schemas onecore and onecore_sync are needed). Run \`onecore-sync migrate\` once as the owner, then run this command again`,
    );
  }
}

/** The driver's own words ("permission denied for database x"), not the wrapper's query dump. */
function permissionMessage(err: unknown): string {
  for (let e = err, depth = 0; e instanceof Error && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === '42501') return e.message;
  }
  return (err as Error).message;
}

let latest: number | undefined;

/** The newest migration in the journal (drizzle stores its `when` as `created_at`). */
function latestMigration(): number {
  if (latest === undefined) {
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
      entries: Array<{ when: number }>;
    };
    latest = Math.max(0, ...journal.entries.map((e) => e.when));
  }
  return latest;
}

async function isCurrent(db: Queryable): Promise<boolean> {
  const exists = await db.query<{ t: string | null }>(`select to_regclass('onecore_sync.migrations')::text as t`);
  if (exists.rows[0]?.t == null) return false;
  const { rows } = await db.query<{ last: number | null }>(
    'select max(created_at)::float8 as last from onecore_sync.migrations',
  );
  return rows[0]?.last != null && rows[0].last >= latestMigration();
}

async function countApplied(client: Queryable): Promise<number> {
  const exists = await client.query<{ t: string | null }>(`select to_regclass('onecore_sync.migrations')::text as t`);
  if (exists.rows[0]?.t == null) return 0;
  const { rows } = await client.query<{ n: number }>('select count(*)::float8 as n from onecore_sync.migrations');
  return rows[0]?.n ?? 0;
}
