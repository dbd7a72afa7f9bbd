import type { Queryable } from './queryable.js';
import { recordTable } from '../quoteIdent.js';
import { isPermissionDenied } from '../describePgError.js';

/**
 * Creates `onecore.<endpoint>` the first time an endpoint is synced. Called under the endpoint's
 * advisory lock, so two walkers never race on `create table`. A table that exists is not touched
 * (`create table if not exists` would still need the CREATE privilege), so a role that may only
 * read and write runs every endpoint whose table is there.
 */
export async function ensureRecordTable(db: Queryable, endpoint: string): Promise<void> {
  const table = recordTable(endpoint);
  const { rows } = await db.query<{ exists: boolean }>(`select to_regclass($1) is not null as exists`, [table]);
  if (rows[0]?.exists) return;
  try {
    await db.query(`
      create table if not exists ${table} (
        id text primary key,
        data jsonb not null,
        synced_at timestamptz not null default now(),
        deleted_at timestamptz
      )`);
  } catch (err) {
    if (!isPermissionDenied(err)) throw err;
    const who = await db
      .query<{ role: string }>('select current_user as role')
      .catch(() => ({ rows: [{ role: '?' }] }));
    throw new Error(
      `${table} does not exist yet and role "${who.rows[0]!.role}" may not create it (it lacks the CREATE privilege on schema onecore): grant it, or run the first sync of ${endpoint} as the schema's owner`,
      { cause: err },
    );
  }
}
