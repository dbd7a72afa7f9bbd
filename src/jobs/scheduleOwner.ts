import pg from 'pg';
import { tryAdvisoryLock } from '../db/sql/advisoryLock.js';
import { ping } from '../db/sql/ping.js';
import type { Config } from '../config/readConfig.js';
import type { Logger } from '../log/createLogger.js';
import { ensureSchedules, upsertSchedules } from './schedules.js';
import type { SyncQueue } from './queueStore.js';

export interface ScheduleOwner {
  /** Whether this process currently owns the schedules. */
  readonly owner: boolean;
  /** Runs one check now (the timer runs it periodically). */
  check(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The schedules are written by one process at a time, not raced by every worker at boot: the
 * owner holds a Postgres session advisory lock (one per queue prefix) on its own connection.
 * Every `intervalMs` the owner makes sure both schedules exist as configured, so they come back
 * by themselves after Redis was wiped; the others try the lock, so a new owner takes over within
 * one interval when the old one dies (Postgres drops the lock with its connection).
 */
export function startScheduleOwner(deps: {
  databaseUrl: string;
  queue: SyncQueue;
  config: Config;
  log: Logger;
  intervalMs: number;
}): ScheduleOwner {
  const { queue, config, log } = deps;
  let client: pg.Client | undefined;
  let owner = false;
  let upsertedOnce = false;
  let running: Promise<void> | undefined;
  let stopped = false;

  const drop = (err?: unknown) => {
    if (err) log.warn({ err: (err as Error).message }, 'schedule ownership check failed; will try again');
    owner = false;
    client?.end().catch(() => undefined);
    client = undefined;
  };

  async function connect(): Promise<pg.Client> {
    const c = new pg.Client({
      connectionString: deps.databaseUrl,
      application_name: 'onecore-sync schedules',
      connectionTimeoutMillis: 10_000,
    });
    // A checked-out connection that dies emits `error`; without a listener that would crash us.
    c.on('error', (err) => {
      if (client === c) drop(err);
    });
    await c.connect();
    return c;
  }

  async function checkOnce(): Promise<void> {
    try {
      if (!owner) {
        client ??= await connect();
        if (!(await tryAdvisoryLock(client, `onecore-sync:schedules:${config.queuePrefix}`))) {
          // Someone else owns them; do not keep a connection open just to wait.
          drop();
          return;
        }
        owner = true;
        log.info('this worker owns the schedules');
      } else {
        // The lock lives as long as this connection: make sure it still does.
        await ping(client!);
      }
      if (!upsertedOnce) {
        // First time as owner: write both, so changed settings replace the old schedules.
        await upsertSchedules(queue, config);
        upsertedOnce = true;
        log.info(
          { incremental: config.incrementalCron, mirror: config.mirrorCron, tz: config.tz },
          'schedules upserted',
        );
      } else {
        const recreated = await ensureSchedules(queue, config, log);
        if (recreated.length > 0)
          log.warn(
            { schedules: recreated },
            'schedules were missing in Redis (wiped or evicted?) and have been re-created',
          );
      }
    } catch (err) {
      drop(err);
    }
  }

  const check = () => (running ??= checkOnce().finally(() => (running = undefined)));
  const timer = setInterval(() => {
    if (!stopped) void check();
  }, deps.intervalMs);
  timer.unref();
  void check();

  return {
    get owner() {
      return owner;
    },
    check,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
      // Ending the connection releases the lock for the next owner.
      await client?.end().catch(() => undefined);
      client = undefined;
      owner = false;
    },
  };
}
