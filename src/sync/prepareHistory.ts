import type { Logger } from 'pino';
import type { PoolClient } from '../db/createPool.js';
import { historyInStep, markHistoryInStep, markHistoryPaused } from '../db/sql/historyEndpoints.js';
import { reconcileHistory } from '../db/sql/reconcileHistory.js';

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
  await db.query('begin');
  try {
    const versions = await reconcileHistory(db, endpoint, runId);
    await markHistoryInStep(db, endpoint);
    await db.query('commit');
    if (versions > 0)
      log.info({ endpoint, versions, runId }, 'history seeded from the mirror (history turned on, or back on)');
  } catch (err) {
    await db.query('rollback').catch(() => undefined);
    throw err;
  }
}
