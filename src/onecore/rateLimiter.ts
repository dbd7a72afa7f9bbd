import type { Queryable } from '../db/sql/queryable.js';
import { holdTurns, takeTurn } from '../db/sql/rateLimits.js';
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
  pool: Queryable;
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
      const waitMs = Math.ceil(await takeTurn(opts.pool, key, intervalSecs));
      await sleep(waitMs, signal);
      return waitMs;
    },
    async backOff(ms) {
      if (!(ms > 0)) return;
      await holdTurns(opts.pool, key, ms);
    },
  };
}
