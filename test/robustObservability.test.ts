import { readConfig } from '../src/config/readConfig.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { sleepUntil } from './helpers/sleepUntil.js';
import { startStack, type Stack } from './helpers/stack.js';
import { startHostileServer, type HostileServer } from './helpers/hostileServer.js';
import { openTestQueue, startWorker, testQueuePrefix, type TestQueue, type WorkerProcess } from './helpers/worker.js';

/**
 * The worker under a long history and eager scrapers (issue #12, item 8), and a shop that asks for
 * a wait of ten years (item 4).
 */
describe('robustness: history, scrapes and Retry-After', () => {
  let stack: Stack;
  let hostile: HostileServer;
  let testQueue: TestQueue;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    const prefix = testQueuePrefix();
    stack = await startStack({ sim: { records: 200, pageSize: 50 } });
    hostile = await startHostileServer(stack.sim.url);
    Object.assign(stack.env, {
      ONECORE_BASE_URL: hostile.url,
      SYNC_QUEUE_PREFIX: prefix,
      ONECORE_ENDPOINTS: 'orders',
      SYNC_INCREMENTAL_CRON: '0 0 1 1 *',
      SYNC_MIRROR_CRON: '0 0 1 1 *',
    });
    testQueue = await openTestQueue(readConfig(stack.env));
    // 200,000 runs of history, one every ~40 s over 180 days: about half older than 90 days.
    await stack.db.pool.query(
      `insert into onecore_sync.sync_runs (endpoint, mode, status, started_at, finished_at, pages, records_seen)
       select 'orders', 'incremental', 'succeeded', now() - make_interval(secs => i * 77.76), now() - make_interval(secs => i * 77.76 - 1), 1, 10
         from generate_series(1, 200000) i`,
    );
  }, 180_000);
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await testQueue?.close();
    await hostile?.close();
    await stack?.close();
  });

  const count = async (where: string) =>
    (await stack.db.pool.query(`select count(*)::int as n from onecore_sync.sync_runs where ${where}`)).rows[0]
      .n as number;

  it('runs older than SYNC_RUNS_RETENTION_DAYS go; parallel scrapes use their own two connections and never starve health or walks', async () => {
    expect(await count(`started_at < now() - interval '90 days'`)).toBeGreaterThan(90_000);
    worker = await startWorker(stack.env, { SYNC_RUNS_RETENTION_DAYS: '90' });
    await sleepUntil(async () => (await count(`started_at < now() - interval '90 days'`)) === 0, {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: 'retention to delete the old runs',
    });
    expect(await count('true')).toBeGreaterThan(90_000);

    const trig = await runCli(['trigger', 'incremental', '--endpoint', 'orders'], stack.env);
    expect(trig.code, trig.stderr).toBe(0);
    const scrapes = Array.from({ length: 20 }, () =>
      fetch(`${worker!.adminUrl}/metrics`).then(async (r) => ({ status: r.status, text: await r.text() })),
    );
    const health = await fetch(`${worker.adminUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { postgres: string }).postgres).toBe('up');
    const { rows: admin } = await stack.db.pool.query(
      `select count(*)::int as n from pg_stat_activity where datname = $1 and application_name = 'onecore-sync admin'`,
      [stack.db.name],
    );
    expect(admin[0].n).toBeLessThanOrEqual(2);
    const results = await Promise.all(scrapes);
    for (const r of results) {
      expect(r.status).toBe(200);
      expect(r.text).toMatch(/onecore_sync_runs_total\{endpoint="orders",mode="incremental",status="succeeded"\} \d+/);
    }
    await sleepUntil(async () => (await count(`status = 'succeeded' and job_id = '${trig.stdout.trim()}'`)) === 1, {
      timeoutMs: 60_000,
      what: 'the walk triggered during the scrapes',
    });
    const after = await (await fetch(`${worker.adminUrl}/metrics`)).text();
    expect(after).toMatch(/onecore_sync_seconds_since_last_success\{endpoint="orders"\} \d/);
    expect(after).toMatch(/onecore_sync_last_run_duration_seconds\{endpoint="orders",mode="incremental"\} \d/);
  }, 300_000);

  it('Retry-After of ten years: the job is not parked; the run fails naming the request and the cap; a new trigger gets a new job', async () => {
    hostile.always('/orders', {
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': String(10 * 365 * 86400) },
      body: '{"message":"come back later"}',
    });
    const trig = await runCli(['trigger', 'incremental', '--endpoint', 'orders'], stack.env);
    expect(trig.code, trig.stderr).toBe(0);
    const jobId = trig.stdout.trim();
    await sleepUntil(async () => (await testQueue.queue.getJob(jobId))?.isFailed(), {
      timeoutMs: 60_000,
      what: 'the job to fail',
    });
    expect(await (await testQueue.queue.getJob(jobId))!.isDelayed()).toBe(false);
    const { rows } = await stack.db.pool.query(
      `select status, error from onecore_sync.sync_runs where job_id = $1 order by id desc limit 1`,
      [jobId],
    );
    expect(rows[0].status).toBe('failed');
    expect(rows[0].error).toMatch(
      /429 Too Many Requests \(retry after 315360000 s\); the shop asks for longer than ONECORE_MAX_RETRY_AFTER_MS \(900 s\)/,
    );
    hostile.always('/orders', null);
    const again = await runCli(['trigger', 'incremental', '--endpoint', 'orders'], stack.env);
    expect(again.stdout.trim()).not.toBe(jobId);
    await sleepUntil(async () => (await count(`status = 'succeeded' and job_id = '${again.stdout.trim()}'`)) === 1, {
      timeoutMs: 60_000,
      what: 'the next run to succeed',
    });
  }, 180_000);
});
