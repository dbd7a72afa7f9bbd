import type { Queryable } from './queryable.js';

export type EndpointStatus = 'active' | 'forbidden';

/** Remembers what the last walk learned of an endpoint (forbidden, last success, last error). */
export async function markEndpoint(
  db: Queryable,
  endpoint: string,
  status: EndpointStatus,
  error: string | null,
): Promise<void> {
  await db.query(
    `insert into onecore_sync.endpoints as e (name, status, source, last_error, last_success_at, updated_at)
     values ($1, $2, 'sync', $3, case when $3::text is null then now() end, now())
     on conflict (name) do update
        set status = excluded.status, last_error = excluded.last_error,
            last_success_at = coalesce(excluded.last_success_at, e.last_success_at), updated_at = now()`,
    [endpoint, status, error],
  );
}

export async function rememberEndpoints(db: Queryable, names: string[], source: 'config' | 'discovery'): Promise<void> {
  if (names.length === 0) return;
  await db.query(
    `insert into onecore_sync.endpoints (name, source) select unnest($1::text[]), $2
     on conflict (name) do update set source = excluded.source, updated_at = now()`,
    [names, source],
  );
}
