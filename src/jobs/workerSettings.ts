import { ConfigError } from '../config/ConfigError.js';
import { positiveInteger } from '../config/validators.js';

type Env = Record<string, string | undefined>;

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
 * Timing knobs of the worker, from the environment. Operators rarely touch them; tests shorten
 * them so a killed worker's job is taken over in seconds instead of half a minute.
 */
export function readWorkerSettings(env: Env = process.env): WorkerSettings {
  const ms = (name: string, fallback: number, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = positiveInteger(name, raw, { max: 3_600_000 });
    if (value < min) throw new ConfigError(`${name} must be at least ${min} (milliseconds), got ${raw}`);
    return value;
  };
  const lockMs = ms('SYNC_LOCK_MS', 30_000, 1_000);
  return {
    lockMs,
    stalledIntervalMs: ms('SYNC_STALLED_INTERVAL_MS', lockMs, 500),
    scheduleCheckMs: ms('SYNC_SCHEDULE_CHECK_MS', 30_000, 500),
    authCheckMs: ms('SYNC_AUTH_CHECK_MS', 5_000, 200),
    authRetryMs: ms('SYNC_AUTH_RETRY_MS', 600_000, 1_000),
  };
}
