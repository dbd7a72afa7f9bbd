import {
  readSetting,
  SYNC_AUTH_CHECK_MS,
  SYNC_AUTH_RETRY_MS,
  SYNC_LOCK_MS,
  SYNC_SCHEDULE_CHECK_MS,
  SYNC_STALLED_INTERVAL_MS,
  type Env,
} from '../config/settings.js';

export interface WorkerSettings {
  /** BullMQ job lock; a job whose worker stops renewing it for this long is stalled and taken over. */
  lockMs: number;
  /** How often workers look for stalled jobs. */
  stalledIntervalMs: number;
  /** How often the schedule owner re-checks the schedules (and others try to become owner). */
  scheduleCheckMs: number;
  /** How often the worker compares the queue's pause with the auth failure in Postgres. */
  authCheckMs: number;
  /** While paused by an authentication failure: how often the fleet tries the held tokens again. */
  authRetryMs: number;
}

/**
 * Timing knobs of the worker, from the environment (declared in src/config/settings.ts). Operators
 * rarely touch them; tests shorten them so a killed worker's job is taken over in seconds instead
 * of half a minute.
 */
export function readWorkerSettings(env: Env = process.env): WorkerSettings {
  return {
    lockMs: readSetting(SYNC_LOCK_MS, env),
    stalledIntervalMs: readSetting(SYNC_STALLED_INTERVAL_MS, env),
    scheduleCheckMs: readSetting(SYNC_SCHEDULE_CHECK_MS, env),
    authCheckMs: readSetting(SYNC_AUTH_CHECK_MS, env),
    authRetryMs: readSetting(SYNC_AUTH_RETRY_MS, env),
  };
}
