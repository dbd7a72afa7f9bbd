import type { Queryable } from './queryable.js';
import { historyTable } from '../historyNames.js';

/**
 * ONECORE_HISTORY_KEEP_DAYS: drops versions that ended more than `days` ago. Current versions
 * (a live record's, or a deletion's) are always kept, so the present and the recent past stay
 * exact; an as-of query older than the retention sees only what was kept.
 */
export async function dropOldVersions(db: Queryable, endpoint: string, days: number): Promise<number> {
  const { rowCount } = await db.query(
    `delete from ${historyTable(endpoint)} where valid_to is not null and valid_to < now() - make_interval(days => $1::int)`,
    [days],
  );
  return rowCount ?? 0;
}
