import type { Config } from '../config/readConfig.js';
import type { Pool } from '../db/createPool.js';
import { readAuthFailure } from '../db/sql/authFailure.js';
import { QUEUE_NAME } from './jobData.js';
import { openQueueStore, QUEUE_SCHEMA, type QueueBackendKind } from './queueStore.js';
import { listSchedules } from './schedules.js';
import { readQueueCounts, type QueueCounts } from './queueCounts.js';

export interface QueueStatus {
  reachable: true;
  name: string;
  backend: QueueBackendKind;
  counts: QueueCounts;
  paused: boolean;
  pauseReason: string | null;
  schedulers: Array<{ id: string; pattern: string; tz: string; next: string | null }>;
}

/**
 * The queue's side of `status`. The queue's store gets one quick try (about a second, no
 * retries): when it does not answer, `status` still shows everything Postgres knows and says the
 * queue is unreachable.
 * A pause caused by an authentication failure is reported with its reason from Postgres, even
 * when Redis was wiped since (the workers pause again at their next check).
 */
export async function readQueueStatus(
  config: Config,
  pool: Pool,
): Promise<QueueStatus | { reachable: false; error: string }> {
  const auth = await readAuthFailure(pool).catch(() => null);
  let store;
  try {
    store = await openQueueStore(config, 'probe');
  } catch (err) {
    return { reachable: false, error: (err as Error).message };
  }
  const queue = store.openQueue();
  try {
    const counts = await readQueueCounts(queue);
    const paused = await queue.isPaused();
    return {
      reachable: true,
      name: store.kind === 'redis' ? `${config.queuePrefix}:${QUEUE_NAME}` : `${QUEUE_SCHEMA}.${QUEUE_NAME}`,
      backend: store.kind,
      counts,
      paused: paused || auth !== null,
      pauseReason: auth
        ? `authentication failed since ${auth.at.toISOString()}: ${auth.reason}`
        : paused
          ? `the queue is paused in ${store.kind === 'redis' ? 'Redis' : 'Postgres'}`
          : null,
      schedulers: await listSchedules(queue),
    };
  } catch (err) {
    return { reachable: false, error: (err as Error).message };
  } finally {
    await queue.close().catch(() => undefined);
    await store.close();
  }
}
