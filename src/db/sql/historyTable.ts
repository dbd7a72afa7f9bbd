import type { Queryable } from './queryable.js';
import { asOfFunction, currentIndexName, historyTable } from '../historyNames.js';

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
  await db.query(`create unique index if not exists ${currentIndexName(endpoint)} on ${table} (id) where valid_to is null`);
  // `setof` the table's row type: the versions that were current at `at`, deletions left out.
  await db.query(`
    create or replace function ${asOfFunction(endpoint)}(at timestamptz) returns setof ${table}
    language sql stable as $$
      select * from ${table} h
       where h.valid_from <= at and (h.valid_to is null or h.valid_to > at) and h.change <> 'delete'
    $$`);
}
