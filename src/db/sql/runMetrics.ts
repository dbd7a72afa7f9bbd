import type { Queryable } from './queryable.js';

/** What /metrics reports from `sync_runs` and `endpoints` (fleet totals that survive restarts). */
export interface RunTotals {
  endpoint: string;
  mode: string;
  status: string;
  runs: number;
  pages: number;
  records: number;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  rejected: number;
}

/** Walks and their counts, per endpoint, mode and outcome. */
export async function runTotals(db: Queryable): Promise<RunTotals[]> {
  const { rows } = await db.query<RunTotals>(
    `select endpoint, mode, status, count(*)::float8 as runs, sum(pages)::float8 as pages, sum(records_seen)::float8 as records,
            sum(inserted)::float8 as inserted, sum(updated)::float8 as updated, sum(unchanged)::float8 as unchanged,
            sum(deleted)::float8 as deleted, sum(rejected)::float8 as rejected
       from onecore_sync.sync_runs group by endpoint, mode, status order by 1, 2, 3`,
  );
  return rows;
}

/**
 * Per endpoint and mode, the duration of the newest finished run: an index lookup each
 * (sync_runs_endpoint_mode_id), not a sort of the whole history.
 */
export async function lastRunDurations(
  db: Queryable,
): Promise<Array<{ endpoint: string; mode: string; seconds: number }>> {
  const { rows } = await db.query<{ endpoint: string; mode: string; seconds: number }>(
    `select p.endpoint, p.mode, r.seconds
       from (select endpoint, mode from onecore_sync.checkpoints union select name, m from onecore_sync.endpoints, unnest(array['incremental', 'mirror', 'backfill']) m) p
       cross join lateral (
         select extract(epoch from s.finished_at - s.started_at)::float8 as seconds
           from onecore_sync.sync_runs s
          where s.endpoint = p.endpoint and s.mode = p.mode and s.finished_at is not null and s.status <> 'skipped'
          order by s.id desc limit 1) r
      order by 1, 2`,
  );
  return rows;
}

/** Seconds since each endpoint's last successful walk (any mode), kept per endpoint: no scan of the history. */
export async function secondsSinceSuccess(db: Queryable): Promise<Array<{ endpoint: string; seconds: number }>> {
  const { rows } = await db.query<{ endpoint: string; seconds: number }>(
    `select name as endpoint, extract(epoch from now() - last_success_at)::float8 as seconds
       from onecore_sync.endpoints where last_success_at is not null order by 1`,
  );
  return rows;
}
