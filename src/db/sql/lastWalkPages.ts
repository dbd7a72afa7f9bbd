import type { Queryable } from './queryable.js';

/**
 * Pages of each endpoint's last complete mirror walk (every run of that walk added together: a
 * walk resumed after a crash spans several runs). Endpoints never mirrored to the end are absent.
 */
export async function lastWalkPages(db: Queryable, endpoints: string[]): Promise<Map<string, number>> {
  if (endpoints.length === 0) return new Map();
  const { rows } = await db.query<{ endpoint: string; pages: number }>(
    `select e.endpoint,
            (select coalesce(sum(x.pages), 0)::int from onecore_sync.sync_runs x
              where x.endpoint = e.endpoint and x.walk_id = last.walk_id) as pages
       from unnest($1::text[]) as e(endpoint)
       cross join lateral (
             select r.walk_id from onecore_sync.sync_runs r
              where r.endpoint = e.endpoint and r.mode = 'mirror' and r.status = 'succeeded' and r.walk_id is not null
              order by r.started_at desc
              limit 1) last`,
    [endpoints],
  );
  return new Map(rows.map((r) => [r.endpoint, r.pages]));
}
