import type { Queryable } from './queryable.js';
import { recordTable } from '../quoteIdent.js';

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/**
 * One statement per page: every record goes in through `unnest`, and a row is written only when
 * it is new, its content changed, or it comes back after being marked deleted. An identical
 * record costs a comparison and no new row version. `synced_at` moves only when the content does.
 * Keys must be unique within the batch (the engine keeps the last occurrence).
 */
export async function upsertRecords(db: Queryable, endpoint: string, ids: string[], json: string[]): Promise<UpsertCounts> {
  if (ids.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  const table = recordTable(endpoint);
  const { rows } = await db.query<{ inserted: number; updated: number }>(
    `
    with written as (
      insert into ${table} as t (id, data, synced_at, deleted_at)
      select id, data::jsonb, now(), null
        from unnest($1::text[], $2::text[]) as u(id, data)
      on conflict (id) do update
         set data = excluded.data,
             synced_at = case when t.data is distinct from excluded.data then excluded.synced_at else t.synced_at end,
             deleted_at = null
       where t.data is distinct from excluded.data or t.deleted_at is not null
      returning (xmax = 0) as is_insert
    )
    select count(*) filter (where is_insert)::int as inserted,
           count(*) filter (where not is_insert)::int as updated
      from written`,
    [ids, json],
  );
  const inserted = rows[0]!.inserted;
  const updated = rows[0]!.updated;
  return { inserted, updated, unchanged: ids.length - inserted - updated };
}
