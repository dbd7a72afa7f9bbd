import type { Logger } from 'pino';
import type { Config } from '../config/readConfig.js';
import type { Pool } from '../db/createPool.js';
import type { WalkResult } from '../sync/walkEndpoint.js';
import { refreshAfterWalks } from './refreshAfterWalks.js';

export interface ViewRefresher {
  /** Queue a refresh for these walks' endpoints; returns at once. */
  after(results: Pick<WalkResult, 'endpoint' | 'mode' | 'status'>[]): void;
  /** Resolves when every queued refresh has run (tests, shutdown). */
  idle(): Promise<void>;
}

/**
 * The worker's view refreshes, one at a time, behind the jobs rather than inside them: a walk job
 * completes as soon as its pages are committed, and the next walk does not wait for the views of
 * the last one. Nothing is refreshed once `signal` aborts (shutdown).
 */
export function createViewRefresher(deps: {
  pool: Pool;
  config: Config;
  log: Logger;
  fetchJson?: (url: string) => Promise<unknown>;
  signal?: AbortSignal;
}): ViewRefresher {
  let chain: Promise<void> = Promise.resolve();
  return {
    after(results) {
      chain = chain
        .then(async () => {
          if (deps.signal?.aborted) return;
          await refreshAfterWalks(deps, results);
        })
        // refreshAfterWalks reports its own failures; nothing here may become an unhandled rejection.
        .catch(() => undefined);
    },
    idle: () => chain,
  };
}
