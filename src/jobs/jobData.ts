import type { JobsOptions } from 'bullmq';
import type { Mode } from '../db/sql/checkpoints.js';

/** One queue for every kind of job: schedulers, triggers and walks all meet here. */
export const QUEUE_NAME = 'onecore-sync';

/**
 * "Run this mode for every endpoint": what the schedulers and a trigger without `--endpoint`
 * enqueue. The worker resolves the endpoint list when the job runs (so a schedule follows the
 * configuration or discovery of the moment) and enqueues one walk job per endpoint.
 */
export interface FanoutJobData {
  kind: 'fanout';
  mode: Mode;
  /** Backfill only: the cursor every endpoint's walk starts from. */
  from?: string;
  /** Backfill only: shared by the walks this fanout enqueues. */
  requestId?: string;
}

/**
 * One endpoint walked in one mode. Carries names and cursors only: tokens live in Postgres and
 * never travel through Redis.
 */
export interface WalkJobData {
  kind: 'walk';
  endpoint: string;
  mode: Mode;
  from?: string;
  /** Backfill: a retry of the same request resumes its walk; a new request starts a new one. */
  requestId?: string;
  /** How often this job found its endpoint held by another walk (spaces out its next tries). */
  busy?: number;
}

export type SyncJobData = FanoutJobData | WalkJobData;

/** Attempts for a walk whose errors are transient; each retry resumes from the checkpoint. */
export const WALK_ATTEMPTS = 8;

/** Finished jobs are history, not state (that is in Postgres): keep Redis bounded. */
const RETENTION = {
  removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 5000 },
} satisfies JobsOptions;

/**
 * An endpoint/mode is never queued twice: while a walk job for it exists (waiting, active,
 * delayed or between retries) adding another returns the existing one. BullMQ drops the key when
 * the job completes or finally fails. A backfill is its own request, so its id is part of the key.
 * The engine's advisory lock is the hard guarantee; this just keeps the queue free of duplicates.
 */
export function deduplicationId(data: WalkJobData): string {
  return data.mode === 'backfill'
    ? `${data.mode}:${data.endpoint}:${data.requestId ?? ''}`
    : `${data.mode}:${data.endpoint}`;
}

export function walkJobOptions(data: WalkJobData): JobsOptions {
  return {
    ...RETENTION,
    deduplication: { id: deduplicationId(data) },
    attempts: WALK_ATTEMPTS,
    // 5 s, 10 s, 20 s … about 10 minutes over all attempts: long enough to ride out a shop restart.
    backoff: { type: 'exponential', delay: 5_000 },
  };
}

/** A fanout only reads the endpoint list (maybe the OpenAPI document) and enqueues: a few quick retries. */
export const FANOUT_JOB_OPTIONS = {
  ...RETENTION,
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
} satisfies JobsOptions;

export function walkJobName(data: WalkJobData): string {
  return `${data.mode}:${data.endpoint}`;
}
