import type { Queryable } from './queryable.js';
import { recordTable } from '../quoteIdent.js';

/**
 * Creates `onecore.<endpoint>` the first time an endpoint is synced. Called under the endpoint's
 * advisory lock, so two walkers never race on `create table`.
 */
export async function ensureRecordTable(db: Queryable, endpoint: string): Promise<void> {
  const table = recordTable(endpoint);
  await db.query(`
    create table if not exists ${table} (
      id text primary key,
      data jsonb not null,
      synced_at timestamptz not null default now(),
      deleted_at timestamptz
    )`);
}
