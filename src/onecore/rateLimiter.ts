import type { Pool } from '../db/createPool.js';
import { sleep } from './retry.js';

/**
 * `ONECORE_MAX_RPS` caps requests to the shop as a whole: every worker process on every machine
 * shares one schedule, so adding workers never multiplies the load on the shop.
 *
 * The schedule is a GCRA ("virtual scheduling") kept in one Postgres row: `next_at` is the
 * earliest moment the next request may go. Taking a turn is one atomic statement that reserves
 * the slot `greatest(next_at, now)` and moves `next_at` one interval past it; the caller then
 * sleeps until its slot. The row lock is held for that statement only, and the waiting happens
 * in the process, so a thousand waiting requests hold no connections or locks. Times are
 * computed by Postgres, so the clocks of the worker machines do not matter.
 */
export interface RateLimiter {
  /** Waits for this request's turn in the shop-wide schedule; resolves with the ms it slept. */
  acquire(signal?: AbortSignal): Promise<number>;
  /** The shop answered 429 with Retry-After: push the shared schedule back, so every process waits. */
  backOff(ms: number): Promise<void>;
}

/** `maxRps = 0`: no cap and no database round trip (benchmarks, tests). */
export const noRateLimit: RateLimiter = {
  acquire: async (signal) => {
    signal?.throwIfAborted();
    return 0;
  },
  backOff: async () => undefined,
};

export interface RateLimiterOptions {
  pool: Pick<Pool, 'query'>;
  maxRps: number;
  /** Schedules are per key; one shop is one key. */
  key?: string;
}

export function createRateLimiter(opts: RateLimiterOptions): RateLimiter {
  if (!(opts.maxRps > 0)) return noRateLimit;
  const intervalSecs = 1 / opts.maxRps;
  const key = opts.key ?? 'shop';
  return {
    async acquire(signal) {
      signal?.throwIfAborted();
      // Committed without waiting for the WAL flush (synchronous_commit off, for this statement's
      // transaction only): every request takes a turn, and a flush per turn would add a disk sync
      // to every request's round trip. A crash loses at most the last few turns' reservations,
      // which only lets the next requests go a few intervals early once.
      const { rows } = await opts.pool.query<{ wait_ms: number }>(
        `insert into onecore_sync.rate_limits as r (key, next_at)
              select $1, clock_timestamp() + make_interval(secs => $2)
                from (select set_config('synchronous_commit', 'off', true)) as async_commit
         on conflict (key) do update
              set next_at = greatest(r.next_at, clock_timestamp()) + make_interval(secs => $2)
         returning greatest(0, extract(epoch from (r.next_at - make_interval(secs => $2) - clock_timestamp())) * 1000)::float8 as wait_ms`,
        [key, intervalSecs],
      );
      const waitMs = Math.ceil(rows[0]!.wait_ms);
      await sleep(waitMs, signal);
      return waitMs;
    },
    async backOff(ms) {
      if (!(ms > 0)) return;
      await opts.pool.query(
        `insert into onecore_sync.rate_limits as r (key, next_at)
              values ($1, clock_timestamp() + make_interval(secs => $2))
         on conflict (key) do update set next_at = greatest(r.next_at, clock_timestamp() + make_interval(secs => $2))`,
        [key, ms / 1000],
      );
    },
  };
}
