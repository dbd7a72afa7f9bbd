import { randomUUID } from 'node:crypto';
import type { Mode } from '../db/sql/checkpoints.js';
import { FANOUT_JOB_OPTIONS, walkJobName, walkJobOptions, type FanoutJobData, type WalkJobData } from './jobData.js';
import type { SyncQueue } from './queueStore.js';

export interface RunRequest {
  mode: Mode;
  /** Endpoint names, already validated; absent or empty means every endpoint (a fanout job). */
  endpoints?: string[];
  /** Backfill only: start cursor. */
  from?: string;
}

/**
 * Enqueues a run now (`trigger`, `backfill`, the admin routes) and returns the job ids. With
 * endpoints: one walk job each (deduplicated: an endpoint already queued in this mode returns the
 * existing job's id). Without: one fanout job that resolves the endpoint list when it runs.
 * A backfill gets a fresh request id, so its retries resume it and it never merges with another.
 */
export async function enqueueRun(queue: SyncQueue, req: RunRequest): Promise<string[]> {
  const requestId = req.mode === 'backfill' ? randomUUID() : undefined;
  const extra = { ...(req.from !== undefined ? { from: req.from } : {}), ...(requestId ? { requestId } : {}) };
  if (!req.endpoints || req.endpoints.length === 0) {
    const data: FanoutJobData = { kind: 'fanout', mode: req.mode, ...extra };
    const job = await queue.add('fanout', data, FANOUT_JOB_OPTIONS);
    return [job.id!];
  }
  const ids: string[] = [];
  for (const endpoint of req.endpoints)
    ids.push(await enqueueWalk(queue, { kind: 'walk', endpoint, mode: req.mode, ...extra }));
  return ids;
}

export async function enqueueWalk(queue: SyncQueue, data: WalkJobData): Promise<string> {
  const job = await queue.add(walkJobName(data), data, walkJobOptions(data));
  return job.id!;
}
