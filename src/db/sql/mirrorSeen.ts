import type { Queryable } from './queryable.js';
import { recordTable } from '../quoteIdent.js';

export interface DeletionPlan {
  live: number;
  missing: number;
}

/**
 * Live records the completed walk did not see. Rows written after the walk began are excluded:
 * something (an incremental run between a crash and the resume) saw them upstream meanwhile.
 */
export async function planDeletions(db: Queryable, endpoint: string, walkId: number, walkStartedAt: Date): Promise<DeletionPlan> {
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

export async function markDeleted(db: Queryable, endpoint: string, walkId: number, walkStartedAt: Date): Promise<number> {
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

export async function forgetSeen(db: Queryable, walkId: number): Promise<void> {
  await db.query('delete from onecore_sync.mirror_seen where walk_id = $1', [walkId]);
}
