import type { Pool } from '../db/createPool.js';
import { readAuthFailure } from '../db/sql/authFailure.js';
import { ping } from '../db/sql/ping.js';
import { within, type QueueStore } from './queueStore.js';

export interface Health {
  status: 'ok' | 'degraded';
  postgres: 'up' | 'down';
  /** The queue's store (Redis, or the queue's tables in Postgres). */
  queue: 'up' | 'down';
  /** Present when the queue lives in Redis (the same as `queue`). */
  redis?: 'up' | 'down';
  authFailed: { at: string; reason: string } | null;
}

/** Answers within ~2 s whatever is down, so a probe never hangs on a dead dependency. */
export async function checkHealth(
  pool: Pool,
  store: Pick<QueueStore, 'kind' | 'ping'>,
  timeoutMs = 2_000,
): Promise<Health> {
  const [pg, auth, queueUp] = await Promise.all([
    within(ping(pool), timeoutMs).then(
      () => true,
      () => false,
    ),
    within(readAuthFailure(pool), timeoutMs).catch(() => null),
    store.ping(timeoutMs),
  ]);
  const authFailed = auth ? { at: new Date(auth.at).toISOString(), reason: auth.reason } : null;
  const queue = queueUp ? 'up' : 'down';
  return {
    status: pg && queueUp && !authFailed ? 'ok' : 'degraded',
    postgres: pg ? 'up' : 'down',
    queue,
    ...(store.kind === 'redis' ? { redis: queue } : {}),
    authFailed,
  };
}
