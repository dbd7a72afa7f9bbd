import type { Mode } from '../db/sql/checkpoints.js';
import { walkEndpoint, type WalkDeps, type WalkResult } from './walkEndpoint.js';
import type { EndpointOptions } from '../config/readConfig.js';

export interface RunSyncRequest {
  mode: Mode;
  endpoints: string[];
  from?: string | null;
  requestId?: string | null;
  endpointOptions?: Record<string, EndpointOptions>;
  /** History mode per endpoint (see historyEnabled). */
  history?: (endpoint: string) => boolean;
  /** Endpoints walked at once; each holds one Postgres connection. */
  concurrency?: number;
}

/**
 * Walks several endpoints, a few at a time. One endpoint's failure does not stop the others;
 * each result says how its walk ended.
 */
export async function runSync(req: RunSyncRequest, deps: WalkDeps, onResult?: (result: WalkResult) => void): Promise<WalkResult[]> {
  const queue = [...req.endpoints];
  const results: WalkResult[] = [];
  const workers = Array.from({ length: Math.max(1, Math.min(req.concurrency ?? 2, queue.length)) }, async () => {
    for (let endpoint = queue.shift(); endpoint !== undefined; endpoint = queue.shift()) {
      if (deps.signal?.aborted) return;
      const result = await walkEndpoint(
        { endpoint, mode: req.mode, from: req.from, requestId: req.requestId, keyField: req.endpointOptions?.[endpoint]?.keyField, order: req.endpointOptions?.[endpoint]?.order, history: req.history?.(endpoint) ?? false },
        deps,
      );
      results.push(result);
      onResult?.(result);
    }
  });
  await Promise.all(workers);
  return req.endpoints.map((e) => results.find((r) => r.endpoint === e)).filter((r): r is WalkResult => r !== undefined);
}

/** `sync` exits 0 only when every endpoint succeeded or is forbidden (reported, not a failure). */
export function allSucceeded(results: WalkResult[]): boolean {
  return results.every((r) => r.status === 'succeeded' || r.status === 'forbidden');
}
