import type { Queryable } from './queryable.js';

export interface DailyRuns {
  endpoint: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  /** Records read by the walks that finished that day. */
  records: number;
  /** Mean duration of those walks, seconds. */
  seconds: number;
  runs: number;
}

/** Per endpoint and UTC day over the last `days` days: records synced and walk durations (for the status page's charts). */
export async function readDailyRuns(db: Queryable, days = 30): Promise<DailyRuns[]> {
  const { rows } = await db.query<DailyRuns>(
    `select endpoint, to_char(date_trunc('day', finished_at at time zone 'UTC'), 'YYYY-MM-DD') as day,
            sum(records_seen)::float8 as records, avg(extract(epoch from finished_at - started_at))::float8 as seconds, count(*)::int as runs
       from onecore_sync.sync_runs
      where finished_at >= now() - make_interval(days => $1) and status in ('succeeded', 'failed')
      group by 1, 2 order by 1, 2`,
    [days],
  );
  return rows;
}
