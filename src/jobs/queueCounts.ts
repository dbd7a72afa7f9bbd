import type { SyncQueue } from './queueStore.js';

/** BullMQ's job states that a queue of ours holds; /metrics reports each raw. */
export const QUEUE_STATES = [
  'waiting',
  'prioritized',
  'waiting-children',
  'active',
  'delayed',
  'failed',
  'completed',
] as const;

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

/**
 * Jobs by the states people ask about. Prioritized jobs and parents waiting for their children
 * are waiting too (and a paused queue's jobs count as waiting), so `status` and the status page
 * agree on one number.
 */
export async function readQueueCounts(queue: SyncQueue): Promise<QueueCounts> {
  const c = await queue.getJobCounts(...QUEUE_STATES);
  return {
    waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0),
    active: c.active ?? 0,
    delayed: c.delayed ?? 0,
    failed: c.failed ?? 0,
    completed: c.completed ?? 0,
  };
}
