import type { Config } from '../config/readConfig.js';
import type { Logger } from '../log/createLogger.js';
import type { RoundTrips } from '../onecore/roundTrips.js';
import { STARTING_WALKERS, walkersToFillBudget } from '../sync/walkerCount.js';

/** How often the worker re-sizes its walker count from the measured round trips. */
const TUNE_EVERY_MS = 2_000;

/** The walks a worker process may run at once: SYNC_CONCURRENCY, or the most it may size itself to. */
export function mostWalkers(config: Pick<Config, 'concurrency' | 'maxConcurrency'>): number {
  return config.concurrency ?? config.maxConcurrency;
}

/** Walks the worker starts with: SYNC_CONCURRENCY, or a small start until round trips are measured. */
export function initialWalkers(config: Pick<Config, 'concurrency' | 'maxConcurrency'>): number {
  return config.concurrency ?? Math.min(STARTING_WALKERS, config.maxConcurrency);
}

/** What BullMQ's Worker offers for this: its concurrency can be changed while it runs. */
export interface ConcurrencyTarget {
  concurrency: number;
}

/**
 * Without SYNC_CONCURRENCY, keeps the worker's concurrency at what fills the shop-wide request
 * budget given the round trips this process measures (see walkersToFillBudget). A lowered count
 * lets running walks finish; it only takes fewer new jobs.
 */
export function startConcurrencyTuning(opts: {
  worker: ConcurrencyTarget;
  config: Pick<Config, 'concurrency' | 'maxConcurrency' | 'maxRps'>;
  roundTrips: RoundTrips;
  log: Logger;
  intervalMs?: number;
}): { stop(): void } {
  const { worker, config, roundTrips, log } = opts;
  if (config.concurrency !== undefined) return { stop: () => undefined };
  const tune = () => {
    const wanted = walkersToFillBudget({
      maxRps: config.maxRps,
      roundTripMs: roundTrips.typicalMs(),
      max: config.maxConcurrency,
      current: worker.concurrency,
      budgetBusy: roundTrips.budgetBusy(),
    });
    if (wanted === worker.concurrency) return;
    log.info(
      {
        from: worker.concurrency,
        to: wanted,
        roundTripMs: Math.round(roundTrips.typicalMs() ?? 0),
        maxRps: config.maxRps,
      },
      'walks at once re-sized to fill the request budget',
    );
    worker.concurrency = wanted;
  };
  tune();
  const timer = setInterval(tune, opts.intervalMs ?? TUNE_EVERY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
