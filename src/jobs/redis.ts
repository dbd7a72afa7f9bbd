import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../log/createLogger.js';

/**
 * The three ways we talk to Redis:
 * - `worker`: BullMQ workers must never give up on a command (`maxRetriesPerRequest: null`);
 *   they wait through a Redis restart and carry on.
 * - `client`: CLI commands that enqueue (`trigger`, `backfill`, `schedule`): a few seconds to
 *   connect, then a clear error instead of hanging.
 * - `probe`: `status` and health checks: one quick try, no retries, so a missing Redis costs
 *   about a second and the Postgres part still gets shown.
 */
export type RedisRole = 'worker' | 'client' | 'probe';

export function redisOptions(role: RedisRole): RedisOptions {
  switch (role) {
    case 'worker':
      return { maxRetriesPerRequest: null, enableReadyCheck: true };
    case 'client':
      return {
        maxRetriesPerRequest: 2,
        connectTimeout: 5_000,
        lazyConnect: true,
        retryStrategy: (n) => (n > 3 ? null : 200 * n),
      };
    case 'probe':
      return {
        maxRetriesPerRequest: 0,
        connectTimeout: 1_500,
        lazyConnect: true,
        enableOfflineQueue: false,
        retryStrategy: () => null,
      };
  }
}

/**
 * Opens a connection. `client` and `probe` connections are connected here, so an unreachable
 * Redis fails now with one error rather than inside BullMQ later. Errors are logged (or dropped
 * for probes) instead of crashing the process through an unhandled `error` event.
 */
export async function openRedis(url: string, role: RedisRole, log?: Logger): Promise<Redis> {
  const redis = new Redis(url, redisOptions(role));
  let lastLogged = 0;
  redis.on('error', (err: Error) => {
    if (role === 'probe' || !log) return;
    // A Redis outage makes ioredis report every reconnect attempt; one line every 10 s is plenty.
    if (Date.now() - lastLogged < 10_000) return;
    lastLogged = Date.now();
    log.warn(
      { err: { message: err.message, code: (err as { code?: string }).code } },
      'redis connection error; retrying',
    );
  });
  if (role !== 'worker') {
    try {
      await redis.connect();
    } catch (err) {
      redis.disconnect();
      throw new Error(`Redis at ${redactUrl(url)} is not reachable (${(err as Error).message})`, { cause: err });
    }
  }
  return redis;
}

export async function closeRedis(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

/** For messages: the URL without a password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'REDIS_URL';
  }
}

/**
 * BullMQ keeps jobs and schedules in Redis; a Redis that evicts keys under memory pressure can
 * silently drop them. We only warn: Postgres holds all progress, so the worst case is a lost
 * schedule until the next check re-creates it. Managed Redis often disables CONFIG; that is fine.
 */
export async function warnUnlessNoEviction(redis: Redis, log: Logger): Promise<void> {
  try {
    const reply = (await redis.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
    const policy = reply?.[1];
    if (policy !== undefined && policy !== 'noeviction') {
      log.warn(
        { maxmemoryPolicy: policy },
        `Redis maxmemory-policy is ${policy}; set it to noeviction so Redis never drops queued jobs or schedules`,
      );
    }
  } catch (err) {
    // Managed Redis often disables CONFIG. Say that it was not checked, once, rather than nothing.
    log.warn(
      { err: (err as Error).message },
      'could not check the Redis maxmemory-policy (CONFIG GET refused); make sure it is noeviction, or queued jobs and schedules may be dropped under memory pressure',
    );
  }
}
