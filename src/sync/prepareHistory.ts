import type { Logger } from 'pino';
import type { PoolClient } from '../db/createPool.js';
import { historyInStep, markHistoryInStep, markHistoryPaused } from '../db/sql/historyEndpoints.js';
import { reconcileHistory } from '../db/sql/reconcileHistory.js';
import { withTransaction } from '../db/withTransaction.js';

/**
 * Before a walk's first page (under the endpoint's lock). History on: if the history does not yet
 * follow the mirror (just turned on, or off for a while), reconcile it and record that it does,
 * in one transaction — so the seeding happens once, and a crash half-way leaves nothing to undo.
 * History off: record the pause (a no-op for endpoints that never had history).
 */
export async function prepareHistory(
  db: PoolClient,
  endpoint: string,
  history: boolean,
  runId: number,
  log: Logger,
): Promise<void> {
  if (!history) {
    await markHistoryPaused(db, endpoint);
    return;
  }
  if (await historyInStep(db, endpoint)) return;
  const versions = await withTransaction(db, async (tx) => {
    const n = await reconcileHistory(tx, endpoint, runId);
    await markHistoryInStep(tx, endpoint);
    return n;
  });
  if (versions > 0)
    log.info({ endpoint, versions, runId }, 'history seeded from the mirror (history turned on, or back on)');
}
