import { AuthFailed, Forbidden, isTransient, OneCoreError, RateLimited } from '../onecore/errors.js';

/**
 * What the worker does with a walk that failed:
 * - `auth`: the shop refused our credentials; retrying cannot help, an operator must act.
 * - `rateLimited`: a 429 that outlasted the client's own retries; wait as long as the shop asked.
 * - `forbidden`: the API user may not read this endpoint; final, reported.
 * - `retry`: worth another attempt later (5xx, network, Postgres connection trouble); the retry
 *   resumes from the checkpoint.
 * - `final`: will not fix itself (a 400 on a cursor the operator gave, a paging loop, a page of
 *   the wrong shape); fail the job so it shows in `status` and the failed list.
 *
 * An error that wraps an API error (to say what was being done: "could not discover endpoints
 * from …") is decided by the API error in its `cause`: the wrapper adds words, not a decision.
 */
export type FailureKind = 'auth' | 'rateLimited' | 'forbidden' | 'retry' | 'final';

export function classifyFailure(err: unknown): FailureKind {
  const api = apiError(err);
  if (api instanceof AuthFailed) return 'auth';
  if (api instanceof RateLimited) return 'rateLimited';
  if (api instanceof Forbidden) return 'forbidden';
  if (isTransient(api)) return 'retry';
  // Every other API error is a definite answer from the shop.
  if (api !== undefined) return 'final';
  // Not from the API: Postgres or the process. Connection trouble, deadlocks and the like pass;
  // anything else (a bug, a constraint) is still retried a bounded number of times, in case it
  // was the database's passing state rather than ours.
  return 'retry';
}

/** The API error that decides: `err` itself, or the first one down its chain of causes. */
export function apiError(err: unknown): OneCoreError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof OneCoreError) return e;
  }
  return undefined;
}
