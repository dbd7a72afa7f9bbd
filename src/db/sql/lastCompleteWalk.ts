import type { Queryable } from './queryable.js';

/**
 * Records seen by each endpoint's latest walk that went from the first page to the last and
 * succeeded (any mode, no start cursor): the best guess of how many records a full walk reads
 * now, so `sync` can show how far along it is and when it should end.
 */
export async function lastCompleteWalkRecords(db: Queryable, endpoints: string[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ endpoint: string; records: number }>(
    `select distinct on (endpoint) endpoint, records_seen::float8 as records
       from onecore_sync.sync_runs
      where endpoint = any($1) and status = 'succeeded' and cursor_start is null and records_seen > 0
      order by endpoint, id desc`,
    [endpoints],
  );
  return new Map(rows.map((r) => [r.endpoint, r.records]));
}
