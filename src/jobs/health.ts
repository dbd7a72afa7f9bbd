import type { Redis } from 'ioredis';
import type { Pool } from '../db/createPool.js';
import { readAuthFailure } from './authPause.js';

export interface Health {
  status: 'ok' | 'degraded';
  postgres: 'up' | 'down';
  redis: 'up' | 'down';
  authFailed: { at: string; reason: string } | null;
}

/** Answers within ~2 s whatever is down, so a probe never hangs on a dead dependency. */
export async function checkHealth(pool: Pool, redis: Redis, timeoutMs = 2_000): Promise<Health> {
  const [pg, auth, rd] = await Promise.all([
    within(pool.query('select 1'), timeoutMs).then(() => true, () => false),
    within(readAuthFailure(pool), timeoutMs).catch(() => null),
    // A worker connection queues commands while Redis is away; ask only when it is connected.
    redis.status === 'ready' ? within(redis.ping(), timeoutMs).then(() => true, () => false) : Promise.resolve(false),
  ]);
  const authFailed = auth ? { at: new Date(auth.at).toISOString(), reason: auth.reason } : null;
  return { status: pg && rd && !authFailed ? 'ok' : 'degraded', postgres: pg ? 'up' : 'down', redis: rd ? 'up' : 'down', authFailed };
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), ms);
    }),
  ]);
}
