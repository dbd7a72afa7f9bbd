import { describe, expect, it } from 'vitest';
import { NetworkError, NotFound, RateLimited } from '../src/onecore/errors.js';
import { startRetries, type RetryPolicy } from '../src/onecore/retry.js';

const policy: RetryPolicy = { retries: 2, baseMs: 1, capMs: 1, maxRetryAfterMs: 1_000 };

/** Runs `attempt` in the loop the client and the token service share; returns what it ended with. */
async function loop(
  attempt: (n: number) => unknown,
  o: Partial<Parameters<typeof startRetries>[0]> = {},
): Promise<{ value?: unknown; error?: unknown; calls: number; waits: number[] }> {
  const waits: number[] = [];
  const retry = startRetries({ policy, onRetry: (_err, _attempt, waitMs) => waits.push(waitMs), ...o });
  let calls = 0;
  for (;;) {
    try {
      const value = attempt(++calls);
      return { value, calls, waits };
    } catch (err) {
      try {
        await retry.after(err);
      } catch (final) {
        return { error: final, calls, waits };
      }
    }
  }
}

describe('the shared retry loop', () => {
  it('retries a transient failure and returns what the next attempt gives', async () => {
    const r = await loop((n) => {
      if (n < 3) throw new NetworkError({ endpoint: 'orders', reason: 'reset' });
      return 'page';
    });
    expect(r).toMatchObject({ value: 'page', calls: 3 });
    expect(r.waits).toHaveLength(2);
  });

  it('gives up after the policy’s retries with the last failure; a lasting one is thrown at once', async () => {
    const transient = await loop(() => {
      throw new NetworkError({ endpoint: 'orders', reason: 'reset' });
    });
    expect(transient.calls).toBe(3);
    expect(transient.error).toBeInstanceOf(NetworkError);
    const lasting = await loop(() => {
      throw new NotFound({ endpoint: 'orders' });
    });
    expect(lasting.calls).toBe(1);
    expect(lasting.error).toBeInstanceOf(NotFound);
  });

  it("waits what the caller says (the shop's Retry-After), and lets the caller name the final error", async () => {
    const r = await loop(
      () => {
        throw new RateLimited({ endpoint: 'orders', retryAfterMs: 5 });
      },
      {
        waitFor: (err) => (err as RateLimited).retryAfterMs,
        exhausted: (_err, attempts) => new Error(`still limited after ${attempts} attempts`),
      },
    );
    expect(r.waits).toEqual([5, 5]);
    expect((r.error as Error).message).toBe('still limited after 3 attempts');
  });

  it('an aborted signal ends the loop with its reason', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stopping'));
    const r = await loop(
      () => {
        throw new NetworkError({ endpoint: 'orders', reason: 'reset' });
      },
      { signal: ac.signal },
    );
    expect((r.error as Error).message).toBe('stopping');
    expect(r.calls).toBe(1);
  });
});
