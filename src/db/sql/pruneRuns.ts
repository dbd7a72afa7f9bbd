import type { Queryable } from './queryable.js';

/**
 * Deletes finished runs older than `days`, oldest first, in batches so no statement holds locks
 * for long. Rejected records keep their rows (their run_id becomes NULL; indexed, so that is
 * cheap). Returns the rows deleted.
 */
export async function pruneSyncRuns(db: Queryable, days: number, batch = 5_000): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query(
      `delete from onecore_sync.sync_runs
        where id in (select id from onecore_sync.sync_runs
                      where started_at < now() - make_interval(days => $1) and status <> 'running'
                      order by id limit $2)`,
      [days, batch],
    );
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < batch) return total;
  }
}
