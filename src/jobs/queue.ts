import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/readConfig.js';
import type { Logger } from '../log/createLogger.js';
import { QUEUE_NAME, type SyncJobData } from './jobData.js';

export type SyncQueue = Queue<SyncJobData, unknown, string>;

/**
 * The queue, on a connection the caller owns (BullMQ does not close a connection it was given).
 * The prefix (`SYNC_QUEUE_PREFIX`) separates deployments sharing one Redis.
 */
export function openQueue(config: Config, connection: Redis, log?: Logger): SyncQueue {
  const queue: SyncQueue = new Queue<SyncJobData, unknown, string>(QUEUE_NAME, { connection, prefix: config.queuePrefix });
  // Without a listener an `error` event would crash the process; connection errors are logged
  // once by the connection itself (see redis.ts).
  queue.on('error', (err) => log?.debug({ err: err.message }, 'queue error'));
  return queue;
}
