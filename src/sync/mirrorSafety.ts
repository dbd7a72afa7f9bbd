/**
 * When a completed mirror may mark records deleted. A listing can end early (`hasNext: false`
 * too soon, a page of a broken or overloaded shop) and a mirror must not take that for the truth.
 * The rule, checked after the walk completed, before anything is marked:
 *
 * 1. **Listing ended early.** The keys of the last records (up to 100, in listing order) the
 *    previous complete walk of the endpoint reached — an incremental run or an accepted mirror —
 *    are remembered. Of those still live, if this mirror missed an unbroken run at the end — all of
 *    them, or at least the last 10 — it stopped before where the previous walk got to (a listing
 *    cut short loses a tail; real deletions are scattered): nothing is marked deleted.
 * 2. **The cap, across runs.** The most live records an accepted mirror has left is remembered
 *    (the high-water mark). A mirror may mark records deleted only while the records left live
 *    stay at or above (1 − MIRROR_MAX_DELETE_SHARE) × max(high-water mark, live records now). The
 *    mark moves only up, so repeated short listings (or repeated deletions under the cap) cannot
 *    ratchet the table down: together they are held to the same share as one run.
 *
 * Either refusal makes the run `incomplete` (its pages are stored; `sync` exits 1; `status` and the
 * log say why). MIRROR_MAX_DELETE_SHARE=1 accepts whatever the mirror found, for one run after a
 * large, real deletion upstream, and resets the mark to what that run left.
 */
export interface MirrorFacts {
  /** Live records now, and those the walk did not see (candidates for deletion). */
  live: number;
  missing: number;
  liveHighWater: number | null;
  /** The last keys the previous complete walk reached that are still live, in listing order: did this walk miss each? */
  lastKeys: Array<{ id: string; missing: boolean }>;
  maxDeleteShare: number;
}

export interface MirrorVerdict {
  /** Why nothing may be marked deleted; null when the deletions may go ahead. */
  refused: string | null;
  /** The new high-water mark to remember (null: leave it). */
  newHighWater: number | null;
}

export function judgeMirror(f: MirrorFacts): MirrorVerdict {
  const liveAfter = f.live - f.missing;
  if (f.maxDeleteShare >= 1) return { refused: null, newHighWater: liveAfter };
  const tail = missingTail(f.lastKeys);
  if (tail > 0 && tail >= Math.min(TAIL_MIN, f.lastKeys.length)) {
    return {
      refused:
        `listing ended early: the mirror did not see the last ${tail} of the ${f.lastKeys.length} live records the previous complete walk ` +
        `reached last (e.g. key ${JSON.stringify(f.lastKeys[f.lastKeys.length - 1]!.id)}), so the API's listing stopped short; nothing was marked deleted ` +
        `(${f.missing} of ${f.live} live records were not listed). If they really are gone, run one mirror with MIRROR_MAX_DELETE_SHARE=1`,
      newHighWater: null,
    };
  }
  const reference = Math.max(f.liveHighWater ?? f.live, f.live);
  if (f.missing > 0 && liveAfter < (1 - f.maxDeleteShare) * reference) {
    const mark =
      f.liveHighWater !== null && f.liveHighWater > f.live
        ? `, and the most a complete mirror has left is ${f.liveHighWater}`
        : '';
    return {
      refused:
        `deletions refused: the mirror would mark ${f.missing} of ${f.live} live records deleted, leaving ${liveAfter}, fewer than ` +
        `(1 − MIRROR_MAX_DELETE_SHARE=${f.maxDeleteShare}) × ${reference}${mark}; nothing was marked. If they really are gone, run one mirror with MIRROR_MAX_DELETE_SHARE=1`,
      newHighWater: null,
    };
  }
  return { refused: null, newHighWater: f.liveHighWater === null || liveAfter > f.liveHighWater ? liveAfter : null };
}

/** A missed run at the end this long (or the whole remembered tail) means the listing ended early. */
const TAIL_MIN = 10;

function missingTail(keys: Array<{ missing: boolean }>): number {
  let n = 0;
  for (let i = keys.length - 1; i >= 0 && keys[i]!.missing; i--) n++;
  return n;
}
