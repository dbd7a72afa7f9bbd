import {
  assertSchemaCompatibility,
  createPostgresBackend,
  LATEST_SCHEMA_VERSION,
  Queue,
  runMigrations,
  SchemaMigrationRequiredError,
  Worker,
  type IQueueBackend,
  type PostgresConnectionOptions,
  type PostgresQueueBackend,
  type Processor,
  type WorkerOptions,
} from 'bullmq';
import pg from 'pg';
import { ping } from '../db/sql/ping.js';
import type { Redis } from 'ioredis';
import type { Config } from '../config/readConfig.js';
import { ConfigError } from '../config/ConfigError.js';
import type { Logger } from '../log/createLogger.js';
import { QUEUE_NAME, type SyncJobData } from './jobData.js';
import { closeRedis, openRedis, redactUrl, type RedisRole } from './redis.js';

/**
 * The one queue, whichever store holds it. Typed over the backend interface, so the code that
 * enqueues, schedules and reads counts is the same for Redis and for Postgres.
 */
export type SyncQueue = Queue<SyncJobData, unknown, string, SyncJobData, unknown, string, IQueueBackend, unknown>;
export type SyncWorker<R> = Worker<SyncJobData, R, string, IQueueBackend>;

/** Where BullMQ keeps its tables when the queue lives in Postgres (in the DATABASE_URL database). */
export const QUEUE_SCHEMA = 'onecore_queue';

export type QueueBackendKind = 'redis' | 'postgres';

/**
 * The store that holds the queue, opened once per process: Redis (one ioredis connection that
 * every queue object of the process shares) or Postgres (BullMQ 6's PostgreSQL backend on a pool
 * of its own, its tables in the schema `onecore_queue`).
 */
export interface QueueStore {
  kind: QueueBackendKind;
  /** For logs and status: where the queue is, without a password. */
  where: string;
  openQueue(log?: Logger): SyncQueue;
  createWorker<R>(
    processor: Processor<SyncJobData, R, string>,
    opts: Omit<WorkerOptions, 'connection' | 'prefix'>,
  ): SyncWorker<R>;
  /** Whether the store answers now; never waits long (health checks). */
  ping(timeoutMs?: number): Promise<boolean>;
  /** The Redis connection, for Redis-only checks (eviction policy); absent on Postgres. */
  redis?: Redis;
  close(): Promise<void>;
}

/**
 * Opens the store `QUEUE_BACKEND` names. `role` says how patient to be (see redis.ts): a worker
 * waits through outages, a command fails within seconds, a probe within about one.
 */
export async function openQueueStore(config: Config, role: RedisRole, log?: Logger): Promise<QueueStore> {
  return config.queueBackend === 'postgres' ? openPostgresStore(config, role, log) : openRedisStore(config, role, log);
}

async function openRedisStore(config: Config, role: RedisRole, log?: Logger): Promise<QueueStore> {
  const redis = await openRedis(config.redisUrl, role, log);
  return {
    kind: 'redis',
    where: `${redactUrl(config.redisUrl)} prefix ${config.queuePrefix}`,
    redis,
    openQueue: (qlog) =>
      watchErrors(
        new Queue<SyncJobData, unknown, string>(QUEUE_NAME, {
          connection: redis,
          prefix: config.queuePrefix,
        }) as unknown as SyncQueue,
        qlog,
      ),
    createWorker: <R>(
      processor: Processor<SyncJobData, R, string>,
      opts: Omit<WorkerOptions, 'connection' | 'prefix'>,
    ) =>
      new Worker<SyncJobData, R, string>(QUEUE_NAME, processor, {
        ...opts,
        connection: redis,
        prefix: config.queuePrefix,
      }) as unknown as SyncWorker<R>,
    // A worker connection queues commands while Redis is away; ask only when it is connected.
    ping: (timeoutMs = 2_000) =>
      redis.status === 'ready'
        ? within(redis.ping(), timeoutMs).then(
            () => true,
            () => false,
          )
        : Promise.resolve(false),
    close: () => closeRedis(redis),
  };
}

async function openPostgresStore(config: Config, role: RedisRole, log?: Logger): Promise<QueueStore> {
  if (config.databaseUrl === undefined) {
    throw new ConfigError(
      'QUEUE_BACKEND=postgres needs DATABASE_URL (the queue lives in that database); or set REDIS_URL for a Redis queue',
    );
  }
  // Our own small pool creates BullMQ's tables and answers health checks. Each queue object gets
  // a pool of its own from BullMQ (the config form: the only one in which BullMQ pins the schema),
  // and a worker one more connection for LISTEN.
  const connection = (max: number) => ({
    connectionString: config.databaseUrl,
    schema: QUEUE_SCHEMA,
    max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: role === 'probe' ? 1_500 : 10_000,
    application_name: 'onecore-sync queue',
  });
  const { schema: _schema, ...plain } = connection(2);
  const pool = new pg.Pool(plain);
  pool.on('error', (err) =>
    log?.warn({ err: { message: err.message } }, 'queue postgres connection lost; will reconnect'),
  );
  try {
    // BullMQ does not create its tables by itself. Its migrator takes a lock and alters its ledger
    // table even when nothing is pending, so it runs only when the schema is missing or behind: a
    // `status` or a `trigger` by a role that may read the queue but not alter it must work.
    const client = await pool.connect();
    try {
      if ((await queueSchemaVersion(client)) < LATEST_SCHEMA_VERSION) await runMigrations(client, QUEUE_SCHEMA);
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(
      `the queue's Postgres (${redactUrl(config.databaseUrl)}) is not usable: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  return {
    kind: 'postgres',
    where: `${redactUrl(config.databaseUrl)} schema ${QUEUE_SCHEMA}`,
    openQueue: (qlog) =>
      watchErrors(
        new Queue<
          SyncJobData,
          unknown,
          string,
          SyncJobData,
          unknown,
          string,
          PostgresQueueBackend,
          PostgresConnectionOptions
        >(QUEUE_NAME, { connection: connection(4) }, createPostgresBackend) as unknown as SyncQueue,
        qlog,
      ),
    createWorker: <R>(
      processor: Processor<SyncJobData, R, string>,
      opts: Omit<WorkerOptions, 'connection' | 'prefix'>,
    ) =>
      new Worker<SyncJobData, R, string, PostgresQueueBackend, never, PostgresConnectionOptions>(
        QUEUE_NAME,
        processor as never,
        { ...opts, connection: connection((opts.concurrency ?? 1) + 3) },
        createPostgresBackend,
      ) as unknown as SyncWorker<R>,
    ping: (timeoutMs = 2_000) =>
      within(ping(pool), timeoutMs).then(
        () => true,
        () => false,
      ),
    close: () => pool.end().catch(() => undefined),
  };
}

/** Without a listener an `error` event would crash the process; connection errors are logged by the connection itself. */
function watchErrors(queue: SyncQueue, log?: Logger): SyncQueue {
  queue.on('error', (err) => log?.debug({ err: err.message }, 'queue error'));
  return queue;
}

export function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), ms);
    }),
  ]);
}

/** The queue schema's version, 0 when it does not exist yet; throws when it is too new for this BullMQ. */
async function queueSchemaVersion(client: pg.PoolClient): Promise<number> {
  try {
    return await assertSchemaCompatibility(client, QUEUE_SCHEMA);
  } catch (err) {
    if (err instanceof SchemaMigrationRequiredError) return 0;
    throw err;
  }
}
