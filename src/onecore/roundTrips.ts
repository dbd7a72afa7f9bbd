/**
 * Round-trip times of the shop's answers (request sent → body read and parsed), as this process
 * sees them. The walker count is sized from them: a shop 200 ms away needs more walkers than one
 * on the same network to use the same request budget, since each walk waits for one answer at a
 * time (its next cursor is in the answer).
 */
export interface RoundTrips {
  /** An answer's round trip, ms, and how long its request first waited for a turn in the budget. */
  record(ms: number, waitedMs?: number): void;
  /** The typical round trip of the recent answers, ms; undefined before the first. */
  typicalMs(): number | undefined;
  /**
   * Most recent requests had to wait for their turn: the shared budget is in full use, and another
   * walker would only take turns from the ones running (whatever the round trip says — on a busy
   * machine it includes this process's own delays, which grow with the walkers).
   */
  budgetBusy(): boolean;
}

/** The median of the last `window` answers: one slow answer (a retry, a GC pause) does not swing it. */
export function createRoundTrips(window = 32): RoundTrips {
  const recent: number[] = [];
  const waited: boolean[] = [];
  let next = 0;
  return {
    record(ms, waitedMs = 0) {
      if (!(ms >= 0)) return;
      if (recent.length < window) {
        recent.push(ms);
        waited.push(waitedMs > 0);
      } else {
        recent[next] = ms;
        waited[next] = waitedMs > 0;
      }
      next = (next + 1) % window;
    },
    budgetBusy() {
      return waited.length > 0 && waited.filter(Boolean).length * 2 >= waited.length;
    },
    typicalMs() {
      if (recent.length === 0) return undefined;
      const sorted = [...recent].sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)];
    },
  };
}
