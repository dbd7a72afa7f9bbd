import { isTransient } from './errors.js';

/**
 * How long to wait before trying again. Exponential backoff with full jitter (a random wait
 * between 0 and base·2^attempt, capped): when many workers hit the same overloaded shop at once,
 * their retries spread out instead of arriving together again.
 */
export interface RetryPolicy {
  /** Retries after the first attempt (so `retries + 1` attempts in all). */
  retries: number;
  baseMs: number;
  capMs: number;
  /**
   * The longest Retry-After we sleep out inside a request. A longer one ends the request with
   * RateLimited at once, so the job layer can reschedule it rather than hold a worker for an hour.
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 6, baseMs: 250, capMs: 10_000, maxRetryAfterMs: 60_000 };

export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

export interface RetryOptions {
  policy: RetryPolicy;
  /** Aborting ends the wait at once, and a failure after the abort is not retried. */
  signal?: AbortSignal;
  /**
   * How long to wait before the next attempt, given our own backoff for it: the shop's
   * Retry-After, say. May throw instead, when the wait asked for is longer than we wait.
   */
  waitFor?: (err: unknown, backoffMs: number) => number | Promise<number>;
  /** Out of retries: what to throw (default the last failure itself). */
  exhausted?: (err: unknown, attempts: number, waitMs: number) => unknown;
  /** Told before each wait (for a log line); `attempt` counts the retries from 1. */
  onRetry?: (err: unknown, attempt: number, waitMs: number) => void;
}

export interface Retries {
  /**
   * After a failed attempt: throws when there is to be no other (not transient, aborted, out of
   * retries), else waits out the delay and returns, for the caller's loop to try again.
   */
  after(err: unknown): Promise<void>;
}

/**
 * The retry loop's one decision, shared by the API client and the token service: each keeps its
 * own `for (;;)` (what an attempt is differs), and calls `after(err)` in its `catch`.
 */
export function startRetries(o: RetryOptions): Retries {
  let retries = 0;
  return {
    async after(err) {
      if (o.signal?.aborted) throw o.signal.reason ?? err;
      if (!isTransient(err)) throw err;
      const backoffMs = backoffDelay(retries, o.policy);
      const waitMs = o.waitFor ? await o.waitFor(err, backoffMs) : backoffMs;
      if (retries >= o.policy.retries) throw o.exhausted ? o.exhausted(err, retries + 1, waitMs) : err;
      retries += 1;
      o.onRetry?.(err, retries, waitMs);
      await sleep(waitMs, o.signal);
    },
  };
}

/**
 * Retry-After in milliseconds: delta-seconds (`2`) or an HTTP-date; undefined when absent or
 * unreadable (then our own backoff applies). A date in the past means "now".
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
