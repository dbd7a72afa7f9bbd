/** Walkers before any round trip has been measured: what a fixed default used to be. */
export const STARTING_WALKERS = 2;

export interface WalkerCountInput {
  /** ONECORE_MAX_RPS: requests per second for the whole shop; 0 = no cap. */
  maxRps: number;
  /** The typical round trip to the shop, ms (see RoundTrips); undefined before the first answer. */
  roundTripMs: number | undefined;
  /** Never more than this (SYNC_MAX_CONCURRENCY, and what the connection pool allows). */
  max: number;
  /** Walkers now, and whether recent requests waited for a turn (see RoundTrips.budgetBusy). */
  current?: number;
  budgetBusy?: boolean;
}

/**
 * How many endpoints to walk at once so that the shop-wide request budget is used, not idle.
 *
 * A walk waits for each answer before asking for the next page (the cursor is in the answer), so
 * one walker makes at most 1000 / roundTripMs requests per second; filling `maxRps` takes
 * ⌈maxRps × roundTrip⌉ walkers (at least the starting two). Not more: the shared budget hands out
 * turns first come, first served, so walkers beyond that only queue for the same budget, and the
 * longest walk — which sets how long the whole run takes — gets a smaller share of it. The budget is shared across processes through Postgres (rateLimiter.ts), so several
 * processes each sized this way may start more walkers than needed, but never overshoot the cap.
 * Without a cap (ONECORE_MAX_RPS=0) there is no budget to fill: the starting count, as before —
 * switching the cap off must not turn into many more requests at once to the shop.
 */
export function walkersToFillBudget({ maxRps, roundTripMs, max, current, budgetBusy }: WalkerCountInput): number {
  const top = Math.max(1, Math.floor(max));
  if (!(maxRps > 0) || roundTripMs === undefined) return Math.min(STARTING_WALKERS, top);
  let needed = Math.max(STARTING_WALKERS, Math.ceil((maxRps * roundTripMs) / 1000));
  // The budget is already full: grow no further (the round trip may be inflated by our own load).
  if (budgetBusy && current !== undefined) needed = Math.min(needed, Math.max(STARTING_WALKERS, current));
  return Math.max(1, Math.min(needed, top));
}
