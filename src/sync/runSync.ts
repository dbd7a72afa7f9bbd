import type { Mode } from '../db/sql/checkpoints.js';
import { walkEndpoint, type WalkDeps, type WalkResult } from './walkEndpoint.js';
import type { EndpointOptions } from '../config/readConfig.js';
import { longestFirst } from './longestFirst.js';

export interface RunSyncRequest {
  mode: Mode;
  endpoints: string[];
  from?: string | null;
  requestId?: string | null;
  endpointOptions?: Record<string, EndpointOptions>;
  /** History mode per endpoint (see historyEnabled). */
  history?: (endpoint: string) => boolean;
  /**
   * Endpoints walked at once; each holds one Postgres connection. A number is fixed; a function
   * is asked again after every page (see walkersToFillBudget), so walkers are added as the
   * measured round trips show the request budget would otherwise sit idle. Default 2.
   */
  concurrency?: number | ((running: number) => number);
}

/**
 * Walks several endpoints, a few at a time, the longest walks first (see longestFirst). One
 * endpoint's failure does not stop the others; each result says how its walk ended.
 */
export async function runSync(
  req: RunSyncRequest,
  deps: WalkDeps,
  onResult?: (result: WalkResult) => void,
): Promise<WalkResult[]> {
  // Per-parent lists read their parents' stored keys: they are walked once the others are done.
  const isChild = (e: string) => req.endpointOptions?.[e.toLowerCase()]?.parent !== undefined;
  const ordered = await longestFirst(deps.pool, req.endpoints);
  const phases = [ordered.filter((e) => !isChild(e)), ordered.filter(isChild)];
  let queue: string[] = [];
  const results: WalkResult[] = [];
  const wanted =
    typeof req.concurrency === 'function' ? req.concurrency : () => (req.concurrency as number | undefined) ?? 2;
  const target = () => Math.max(1, Math.min(wanted(running), req.endpoints.length));
  const walkers: Promise<void>[] = [];
  let running = 0;
  let firstError: { err: unknown } | undefined;

  const walkDeps: WalkDeps = {
    ...deps,
    onProgress: (progress) => {
      deps.onProgress?.(progress);
      startWalkers();
    },
  };
  const walker = async () => {
    try {
      for (let endpoint = queue.shift(); endpoint !== undefined; endpoint = queue.shift()) {
        if (deps.signal?.aborted) return;
        const result = await walkEndpoint(
          {
            endpoint,
            mode: req.mode,
            from: req.from,
            requestId: req.requestId,
            keyField: req.endpointOptions?.[endpoint]?.keyField,
            order: req.endpointOptions?.[endpoint]?.order,
            perParent: isChild(endpoint),
            history: req.history?.(endpoint) ?? false,
          },
          walkDeps,
        );
        results.push(result);
        onResult?.(result);
        // Fewer walkers now fill the budget (the shop answers faster): this one stops here.
        if (running > target()) return;
      }
    } finally {
      running -= 1;
    }
  };
  function startWalkers() {
    while (running < target() && queue.length > 0 && !deps.signal?.aborted && !firstError) {
      running += 1;
      walkers.push(
        walker().catch((err: unknown) => {
          firstError ??= { err };
        }),
      );
    }
  }

  for (const phase of phases) {
    queue = phase;
    startWalkers();
    // Walkers started while waiting are appended, so this waits for them too.
    for (let i = 0; i < walkers.length; i++) await walkers[i];
    if (firstError) throw firstError.err;
  }
  return req.endpoints
    .map((e) => results.find((r) => r.endpoint === e.toLowerCase()))
    .filter((r): r is WalkResult => r !== undefined);
}

/**
 * `sync` exits 0 only when every endpoint succeeded or is forbidden (reported, not a failure); an
 * `incomplete` mirror (deletions refused) is not a success.
 */
export function allSucceeded(results: WalkResult[]): boolean {
  return results.every((r) => r.status === 'succeeded' || r.status === 'forbidden');
}
