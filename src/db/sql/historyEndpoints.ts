import type { Queryable } from './queryable.js';

/**
 * True when the endpoint's history is known to agree with the mirror: history has been on for it
 * and no walk has run with history off since. Otherwise the walk reconciles first.
 */
export async function historyInStep(db: Queryable, endpoint: string): Promise<boolean> {
  const { rows } = await db.query(
    `select 1 from onecore_sync.history_endpoints where endpoint = $1 and paused_at is null`,
    [endpoint],
  );
  return rows.length > 0;
}

/** After a reconciliation (same transaction): the history agrees with the mirror from now on. */
export async function markHistoryInStep(db: Queryable, endpoint: string): Promise<void> {
  await db.query(
    `insert into onecore_sync.history_endpoints (endpoint) values ($1)
     on conflict (endpoint) do update set reconciled_at = now(), paused_at = null`,
    [endpoint],
  );
}

/**
 * A walk with history off on an endpoint that had it: the history stops following the mirror
 * here, and the next walk with history on reconciles. A no-op for endpoints that never had it.
 */
export async function markHistoryPaused(db: Queryable, endpoint: string): Promise<void> {
  await db.query(
    `update onecore_sync.history_endpoints set paused_at = now() where endpoint = $1 and paused_at is null`,
    [endpoint],
  );
}
