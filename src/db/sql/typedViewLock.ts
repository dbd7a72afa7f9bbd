import type { Queryable } from './queryable.js';

/**
 * One refresher of an endpoint's typed views at a time (a sync and a worker may finish together):
 * a transaction-level advisory lock, released at commit or rollback.
 */
export async function lockTypedViews(tx: Queryable, endpoint: string): Promise<void> {
  await tx.query(`select pg_advisory_xact_lock(hashtext('onecore_typed:' || $1))`, [endpoint]);
}
