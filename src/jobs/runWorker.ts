import { required, type Config } from '../config/readConfig.js';
import { createPool } from '../db/createPool.js';
import { migrateDatabase } from '../db/migrate.js';
import type { Logger } from '../log/createLogger.js';
import { createShopApi } from '../onecore/createShopApi.js';
import { startAdminServer, type AdminServer } from './adminServer.js';
import { startAuthWatch } from './authPause.js';
import { QUEUE_NAME } from './jobData.js';
import { createProcessor, type JobSummary } from './processJob.js';
import { openQueueStore } from './queueStore.js';
import { warnUnlessNoEviction } from './redis.js';
import { startScheduleOwner } from './scheduleOwner.js';
import { startRetention } from './retention.js';
import type { WorkerSettings } from './workerSettings.js';
import { initialWalkers, mostWalkers, startConcurrencyTuning } from './workerConcurrency.js';

/** Stalled jobs are moved back this many times before BullMQ gives up: kills must not fail a walk. */
const MAX_STALLED = 10;

/**
 * `onecore-sync worker`: BullMQ worker, schedules (when this process owns them), the auth pause
 * watch and the admin HTTP server, until SIGTERM/SIGINT. Returns the exit code: 0 after a clean
 * stop; the grace timer exits 1 if walks do not stop in time.
 */
export async function runWorker(config: Config, settings: WorkerSettings, log: Logger): Promise<number> {
  const databaseUrl = required(
    config,
    'databaseUrl',
    'DATABASE_URL',
    'for the worker (a postgres:// connection string)',
  );
  required(config, 'baseUrl', 'ONECORE_BASE_URL', 'for the worker (the shop URL, e.g. https://shop.example.com)');

  // Each walk holds one connection for its whole walk (it carries the endpoint lock) and borrows
  // another now and then; leave room for the admin server and the checks.
  const pool = createPool(databaseUrl, log, Math.max(10, mostWalkers(config) * 2 + 4));
  // Idempotent and serialized by an advisory lock: a fleet starting at once migrates once.
  await migrateDatabase(pool);
  // Health checks and metrics scrapes get a pool of their own, with a statement timeout: however
  // many scrapers there are and however large the history, they cannot take the walks' connections.
  const adminPool = createPool(databaseUrl, log, {
    max: 2,
    applicationName: 'onecore-sync admin',
    statementTimeoutMs: 5_000,
    connectionTimeoutMs: 2_000,
  });
  const retention = startRetention({ pool, days: config.runsRetentionDays, log });
  const shop = createShopApi(config, pool, log);
  const store = await openQueueStore(config, 'worker', log);
  if (store.redis) void warnUnlessNoEviction(store.redis, log);
  const queue = store.openQueue(log);
  const stop = new AbortController();

  const worker = store.createWorker<JobSummary>(
    createProcessor({ config, pool, shop, queue, log, signal: stop.signal }),
    {
      concurrency: initialWalkers(config),
      lockDuration: settings.lockMs,
      stalledInterval: settings.stalledIntervalMs,
      maxStalledCount: MAX_STALLED,
      autorun: false,
    },
  );
  worker.on('error', (err) => log.warn({ err: err.message }, 'worker error'));
  worker.on('stalled', (jobId) =>
    log.warn({ jobId }, 'job stalled (its worker stopped renewing the lock); taken over, resumes from the checkpoint'),
  );
  worker.on('failed', (job, err) => {
    const final = job ? job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === 'UnrecoverableError' : true;
    log[final ? 'error' : 'warn'](
      { jobId: job?.id, job: job?.name, attempt: job?.attemptsMade, err: err.message },
      final ? 'job failed' : 'job failed; will retry from the checkpoint',
    );
  });
  worker.on('completed', (job, result) => log.debug({ jobId: job.id, result }, 'job completed'));

  // Before taking jobs: pause at once if an authentication failure is on record.
  const authWatch = startAuthWatch({
    db: pool,
    queue,
    log,
    intervalMs: settings.authCheckMs,
    retryHeld: () => shop.tokens.retryHeldTokens(settings.authRetryMs),
  });
  await authWatch.check();
  const owner = startScheduleOwner({ databaseUrl, queue, config, log, intervalMs: settings.scheduleCheckMs });

  let admin: AdminServer | undefined;
  try {
    admin = await startAdminServer({
      host: config.adminHost,
      port: config.adminPort,
      token: config.adminToken,
      pool: adminPool,
      store,
      queue,
      log,
      config,
    });
  } catch (err) {
    // Several workers on one host: only one can have the port. The worker is still useful.
    log.error(
      { err: (err as Error).message, host: config.adminHost, port: config.adminPort },
      'admin HTTP server could not start; running without /healthz, /metrics and trigger routes (set ADMIN_PORT)',
    );
  }

  const tuning = startConcurrencyTuning({ worker, config, roundTrips: shop.roundTrips, log });
  const running = worker.run();
  log.info(
    {
      queue: QUEUE_NAME,
      backend: store.kind,
      where: store.where,
      concurrency: config.concurrency ?? 'auto',
      admin: admin?.url ?? null,
      triggers: config.adminToken ? 'on' : 'off',
    },
    'worker started',
  );

  const reason = await new Promise<string>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => resolve(signal);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    running.catch((err: Error) => resolve(`worker stopped unexpectedly: ${err.message}`));
  });

  // A second signal, or walks that do not stop within the grace period, end the process now.
  const force = (why: string) => {
    log.error(
      { graceMs: config.shutdownGraceMs },
      `${why}; exiting without waiting (unfinished walks resume from their checkpoints)`,
    );
    process.exit(1);
  };
  const graceTimer = setTimeout(() => force('shutdown grace period over'), config.shutdownGraceMs);
  process.once('SIGTERM', () => force('second signal'));
  process.once('SIGINT', () => force('second signal'));

  log.info({ reason }, 'shutting down: taking no new jobs; walks stop after the page under way');
  tuning.stop();
  const closing = worker.close();
  stop.abort(new Error('shutdown'));
  await closing;
  await running.catch(() => undefined);
  await owner.stop();
  await authWatch.stop();
  await admin?.close();
  await queue.close().catch(() => undefined);
  await store.close();
  await shop.close().catch(() => undefined);
  await retention.stop();
  await adminPool.end().catch(() => undefined);
  await pool.end().catch(() => undefined);
  clearTimeout(graceTimer);
  log.info('worker stopped');
  return reason.startsWith('SIG') ? 0 : 1;
}
