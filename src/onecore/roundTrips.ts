/**
 * Round-trip times of the shop's answers (request sent → body read and parsed), as this process
 * sees them. The walker count is sized from them: a shop 200 ms away needs more walkers than one
 * on the same network to use the same request budget, since each walk waits for one answer at a
 * time (its next cursor is in the answer).
 */
export interface RoundTrips {
  record(ms: number): void;
  /** The typical round trip of the recent answers, ms; undefined before the first. */
  typicalMs(): number | undefined;
}

/** The median of the last `window` answers: one slow answer (a retry, a GC pause) does not swing it. */
export function createRoundTrips(window = 32): RoundTrips {
  const recent: number[] = [];
  let next = 0;
  return {
    record(ms) {
      if (!(ms >= 0)) return;
      if (recent.length < window) recent.push(ms);
      else recent[next] = ms;
      next = (next + 1) % window;
    },
    typicalMs() {
      if (recent.length === 0) return undefined;
      const sorted = [...recent].sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)];
    },
  };
}
