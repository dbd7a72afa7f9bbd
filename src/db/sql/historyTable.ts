import type { Queryable } from './queryable.js';
import { asOfFunction, currentIndexName, historyTable } from '../historyNames.js';
import { isPermissionDenied } from '../describePgError.js';

/**
 * Creates `onecore_history.<endpoint>` and its as-of function the first time an endpoint is walked
 * with history on. Called under the endpoint's advisory lock (like ensureRecordTable).
 *
 * One row per version: `valid_from` (when the sync stored it) to `valid_to` (when the next version
 * replaced it; NULL while current). `change` says how the version began: `insert` (first seen),
 * `update` (content changed), `delete` (a completed mirror no longer saw it: the row keeps the last
 * content and stays current until the record comes back), `undelete` (came back). The partial
 * unique index is the hard guarantee of at most one current version per key, and the lookup the
 * page statement uses to close it.
 */
export async function ensureHistoryTable(db: Queryable, endpoint: string): Promise<void> {
  const table = historyTable(endpoint);
  // What exists is not touched: a role that may only read and write (no CREATE on the schema)
  // runs every endpoint whose history table and function are there (as ensureRecordTable).
  const { rows } = await db.query<{ ready: boolean }>(
    `select to_regclass($1) is not null and to_regprocedure($2) is not null as ready`,
    [table, `${asOfFunction(endpoint)}(timestamptz)`],
  );
  if (rows[0]?.ready) return;
  try {
    await createHistoryTable(db, endpoint);
  } catch (err) {
    if (!isPermissionDenied(err)) throw err;
    const who = await db
      .query<{ role: string }>('select current_user as role')
      .catch(() => ({ rows: [{ role: '?' }] }));
    throw new Error(
      `${table} does not exist yet and role "${who.rows[0]!.role}" may not create it (it lacks the CREATE privilege on schema onecore_history): grant it, or run the first sync of ${endpoint} with history on as the schema's owner`,
      { cause: err },
    );
  }
}

async function createHistoryTable(db: Queryable, endpoint: string): Promise<void> {
  const table = historyTable(endpoint);
  await db.query(`
    create table if not exists ${table} (
      id text not null,
      data jsonb not null,
      valid_from timestamptz not null,
      valid_to timestamptz,
      change text not null check (change in ('insert', 'update', 'delete', 'undelete')),
      run_id bigint,
      modified_at timestamptz,
      check (valid_to is null or valid_to >= valid_from)
    )`);
  await db.query(
    `create unique index if not exists ${currentIndexName(endpoint)} on ${table} (id) where valid_to is null`,
  );
  // `setof` the table's row type: the versions that were current at `at`, deletions left out.
  await db.query(`
    create or replace function ${asOfFunction(endpoint)}(at timestamptz) returns setof ${table}
    language sql stable as $$
      select * from ${table} h
       where h.valid_from <= at and (h.valid_to is null or h.valid_to > at) and h.change <> 'delete'
    $$`);
}
