import type { Pool } from '../db/createPool.js';
import { pruneSyncRuns } from '../db/sql/pruneRuns.js';
import { advisoryUnlock, tryAdvisoryLock } from '../db/sql/advisoryLock.js';
import type { Logger } from '../log/createLogger.js';

/** One worker at a time prunes; the others find the lock taken and skip. */
const RETENTION_LOCK = 'onecore-sync:retention';

export interface Retention {
  stop(): Promise<void>;
}

/**
 * `sync_runs` grows by a row per walk forever; the worker deletes finished runs older than
 * SYNC_RUNS_RETENTION_DAYS at start and then every `intervalMs` (0 days: keep everything).
 */
export function startRetention(deps: { pool: Pool; days: number; log: Logger; intervalMs?: number }): Retention {
  if (deps.days <= 0) return { stop: async () => undefined };
  let running: Promise<void> | undefined;
  const runOnce = async () => {
    const client = await deps.pool.connect();
    let broken: Error | undefined;
    try {
      if (!(await tryAdvisoryLock(client, RETENTION_LOCK))) return;
      try {
        const deleted = await pruneSyncRuns(client, deps.days);
        if (deleted > 0)
          deps.log.info({ deleted, days: deps.days }, 'old sync runs deleted (SYNC_RUNS_RETENTION_DAYS)');
      } finally {
        await advisoryUnlock(client, RETENTION_LOCK);
      }
    } catch (err) {
      broken = err as Error;
      deps.log.warn({ err: (err as Error).message }, 'deleting old sync runs failed; will try again later');
    } finally {
      client.release(broken);
    }
  };
  const tick = () => void (running ??= runOnce().finally(() => (running = undefined)));
  const timer = setInterval(tick, deps.intervalMs ?? 3_600_000);
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
