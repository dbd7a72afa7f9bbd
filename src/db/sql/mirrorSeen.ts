import type { Queryable } from './queryable.js';
import { recordTable } from '../quoteIdent.js';
import { historyTable } from '../historyNames.js';

export interface DeletionPlan {
  live: number;
  missing: number;
}

/**
 * Live records the completed walk did not see. Rows written after the walk began are excluded:
 * something (an incremental run between a crash and the resume) saw them upstream meanwhile.
 */
export async function planDeletions(
  db: Queryable,
  endpoint: string,
  walkId: number,
  walkStartedAt: Date,
): Promise<DeletionPlan> {
  const table = recordTable(endpoint);
  const { rows } = await db.query<{ live: number; missing: number }>(
    `with seen as (select distinct unnest(ids) as id from onecore_sync.mirror_seen where walk_id = $1)
     select count(*)::int as live,
            count(*) filter (where s.id is null and r.synced_at < $2)::int as missing
       from ${table} r left join seen s on s.id = r.id
      where r.deleted_at is null`,
    [walkId, walkStartedAt],
  );
  return rows[0]!;
}

/**
 * Marks them. With history on (`history` set), the same statement closes each one's current
 * version and opens its `delete` version (keeping the last content), so the history and the
 * mirror's deletion marks commit together (see markDeletedWithHistory).
 */
export async function markDeleted(
  db: Queryable,
  endpoint: string,
  walkId: number,
  walkStartedAt: Date,
  history?: { runId: number },
): Promise<number> {
  if (history) return markDeletedWithHistory(db, endpoint, walkId, walkStartedAt, history.runId);
  const table = recordTable(endpoint);
  const { rowCount } = await db.query(
    `update ${table} r set deleted_at = now()
      where r.deleted_at is null and r.synced_at < $2
        and not exists (
              select 1 from (select unnest(ids) as id from onecore_sync.mirror_seen where walk_id = $1) s
               where s.id = r.id)`,
    [walkId, walkStartedAt],
  );
  return rowCount ?? 0;
}

async function markDeletedWithHistory(
  db: Queryable,
  endpoint: string,
  walkId: number,
  walkStartedAt: Date,
  runId: number,
): Promise<number> {
  const table = recordTable(endpoint);
  const history = historyTable(endpoint);
  // The count drains history_closed before the first delete version is inserted (see historyCtes).
  const { rows } = await db.query<{ n: number }>(
    `with gone as (
       update ${table} r set deleted_at = now()
        where r.deleted_at is null and r.synced_at < $2
          and not exists (
                select 1 from (select unnest(ids) as id from onecore_sync.mirror_seen where walk_id = $1) s
                 where s.id = r.id)
       returning r.id, r.data
     ),
     history_closed as (
       update ${history} h set valid_to = now() from gone g where h.id = g.id and h.valid_to is null
       returning 1
     ),
     history_opened as (
       insert into ${history} (id, data, valid_from, valid_to, change, run_id)
       select g.id, g.data, now(), null, 'delete', $3::bigint from gone g where (select count(*) from history_closed) >= 0
     )
     select count(*)::int as n from gone`,
    [walkId, walkStartedAt, runId],
  );
  return rows[0]!.n;
}

export async function forgetSeen(db: Queryable, walkId: number): Promise<void> {
  await db.query('delete from onecore_sync.mirror_seen where walk_id = $1', [walkId]);
}
