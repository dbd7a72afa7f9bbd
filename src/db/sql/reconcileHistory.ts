import type { Queryable } from './queryable.js';
import { recordTable } from '../quoteIdent.js';
import { historyTable } from '../historyNames.js';

/**
 * Makes the history agree with the mirror before a walk with history on writes its first page,
 * when history is new for the endpoint or was off for a while. Idempotent: it writes only where
 * the two disagree, so running it twice (a crash between it and its bookkeeping) writes nothing
 * more. Returns the versions written.
 *
 * - A mirror row without a current version (history just turned on, or the record arrived while
 *   history was off) gets one from its `synced_at` (when this content was first stored), change
 *   `insert`; a row marked deleted gets that version closed at `deleted_at` and a `delete` version.
 * - A row whose current version differs (changed, deleted or back while history was off) gets
 *   its current version closed and a new one opened now, when the history saw the difference.
 */
export async function reconcileHistory(db: Queryable, endpoint: string, runId: number | null): Promise<number> {
  const table = recordTable(endpoint);
  const history = historyTable(endpoint);
  const { rows } = await db.query<{ n: number }>(
    `with state as materialized (
       select r.id, r.data, r.synced_at, r.deleted_at, h.id is not null as has_current, h.change as current_change, h.data as current_data
         from ${table} r left join ${history} h on h.id = r.id and h.valid_to is null
     ),
     differs as materialized (
       select id, data,
              case when deleted_at is null and current_change = 'delete' then 'undelete'
                   when deleted_at is not null and current_change <> 'delete' then 'delete'
                   when deleted_at is null and current_data is distinct from data then 'update' end as change
         from state where has_current
     ),
     closed as (
       update ${history} h set valid_to = now()
         from differs d where d.change is not null and h.id = d.id and h.valid_to is null
       returning 1
     ),
     opened as (
       insert into ${history} (id, data, valid_from, valid_to, change, run_id)
       select id, data, now(), null, change, $1::bigint from differs where change is not null and (select count(*) from closed) >= 0
       union all
       select id, data, synced_at, case when deleted_at is not null then greatest(deleted_at, synced_at) end, 'insert', $1::bigint
         from state where not has_current
       union all
       select id, data, greatest(deleted_at, synced_at), null, 'delete', $1::bigint
         from state where not has_current and deleted_at is not null
       returning 1
     )
     select count(*)::int as n from opened`,
    [runId],
  );
  return rows[0]!.n;
}
