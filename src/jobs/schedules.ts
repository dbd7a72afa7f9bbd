import type { Config } from '../config/readConfig.js';
import type { Logger } from '../log/createLogger.js';
import { FANOUT_JOB_OPTIONS, type FanoutJobData } from './jobData.js';
import type { SyncQueue } from './queueStore.js';

export interface Schedule {
  id: 'incremental' | 'mirror';
  pattern: string;
  tz: string;
}

export interface ScheduleInfo extends Schedule {
  /** Next run, ISO 8601, or null when BullMQ has none queued. */
  next: string | null;
}

/** What the configuration asks for: the incremental schedule and the nightly mirror. */
export function desiredSchedules(config: Config): Schedule[] {
  return [
    { id: 'incremental', pattern: config.incrementalCron, tz: config.tz },
    { id: 'mirror', pattern: config.mirrorCron, tz: config.tz },
  ];
}

/**
 * Upserts both Job Schedulers (BullMQ's replacement for repeatable jobs). The id is the mode, so
 * a changed pattern or time zone replaces the old schedule instead of adding a second one.
 * Each tick enqueues a fanout job for that mode.
 */
export async function upsertSchedules(queue: SyncQueue, config: Config): Promise<void> {
  for (const s of desiredSchedules(config)) {
    const data: FanoutJobData = { kind: 'fanout', mode: s.id };
    await queue.upsertJobScheduler(
      s.id,
      { pattern: s.pattern, tz: s.tz },
      { name: 'fanout', data, opts: FANOUT_JOB_OPTIONS },
    );
  }
}

/**
 * Upserts only what is missing or differs from the configuration, so the periodic check leaves a
 * healthy schedule (and its queued next run) alone, and re-creates it after Redis was wiped.
 * Returns the ids it (re-)created.
 */
export async function ensureSchedules(queue: SyncQueue, config: Config, log: Logger): Promise<string[]> {
  const changed: string[] = [];
  for (const s of desiredSchedules(config)) {
    const current = await queue.getJobScheduler(s.id);
    const mode = (current?.template?.data as FanoutJobData | undefined)?.mode;
    if (
      current &&
      current.pattern === s.pattern &&
      (current.tz ?? 'UTC') === s.tz &&
      mode === s.id &&
      current.next !== undefined
    )
      continue;
    const data: FanoutJobData = { kind: 'fanout', mode: s.id };
    await queue.upsertJobScheduler(
      s.id,
      { pattern: s.pattern, tz: s.tz },
      { name: 'fanout', data, opts: FANOUT_JOB_OPTIONS },
    );
    changed.push(s.id);
    log.info(
      {
        schedule: s.id,
        pattern: s.pattern,
        tz: s.tz,
        was: current ? { pattern: current.pattern, tz: current.tz } : null,
      },
      current ? 'schedule updated' : 'schedule created',
    );
  }
  return changed;
}

export async function listSchedules(queue: SyncQueue): Promise<ScheduleInfo[]> {
  const all = await queue.getJobSchedulers(0, -1, true);
  return all.map((s) => ({
    id: (s.id ?? s.key) as Schedule['id'],
    pattern: s.pattern ?? (s.every ? `every ${s.every} ms` : '?'),
    tz: s.tz ?? 'UTC',
    next: typeof s.next === 'number' && Number.isFinite(s.next) ? new Date(s.next).toISOString() : null,
  }));
}
