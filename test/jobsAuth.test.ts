import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncQueue } from '../src/jobs/queueStore.js';
import { runCli } from './helpers/cli.js';
import { sleepUntil } from './helpers/sleepUntil.js';
import { startStack, type Stack } from './helpers/stack.js';
import {
  startWorker,
  type WorkerProcess,
  openTestQueue,
  type TestQueue,
  queueBackends,
  queueEnv,
} from './helpers/worker.js';

/**
 * Failures the worker must handle without a storm: the shop refusing our refresh token pauses
 * the queue (logs, /healthz, status say so) until `token set`; a 429 that outlasts the client's
 * retries reschedules the job instead of failing it; a paging loop fails the job without retries.
 */
describe.each(queueBackends())('jobs on the %s queue: failure handling', (backend) => {
  let stack: Stack;
  let queue: SyncQueue;
  let testQueue: TestQueue | undefined;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    stack = await startStack({
      sim: { records: 200 },
      env: {
        ...queueEnv(backend),
        ONECORE_ENDPOINTS: 'orders',
        SYNC_INCREMENTAL_CRON: '*/2 * * * * *',
        SYNC_AUTH_CHECK_MS: '500',
      },
    });
    testQueue = await openTestQueue(stack.config);
    ({ queue } = testQueue);
    worker = await startWorker(stack.env);
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await testQueue?.close();
    await stack?.close();
  });

  const succeeded = async (mode: string, afterId = 0) =>
    (
      await stack.db.pool.query(
        `select id::int from onecore_sync.sync_runs where mode = $1 and status = 'succeeded' and id > $2`,
        [mode, afterId],
      )
    ).rows;
  const lastRunId = async () =>
    (await stack.db.pool.query(`select coalesce(max(id), 0)::int as id from onecore_sync.sync_runs`)).rows[0]
      .id as number;

  it('AuthFailed pauses the queue loudly; `token set` resumes it', async () => {
    await sleepUntil(async () => (await succeeded('incremental')).length > 0, { what: 'a first scheduled run' });

    // The shop no longer accepts our refresh token, and the access token we hold has expired.
    const newToken = 'sim-refresh-replaced-by-the-shop-0001';
    stack.sim.setRefreshToken(newToken);
    stack.sim.expireAccessTokens();

    await sleepUntil(() => queue.isPaused(), { timeoutMs: 20_000, what: 'the queue to pause' });
    const loud = await sleepUntil(
      () => worker!.logs().find((l) => l.level === 50 && String(l.msg).startsWith('AUTHENTICATION FAILED')),
      { what: 'the loud log line' },
    );
    expect(loud.msg).toMatch(/token set/);

    const health = await fetch(`${worker!.adminUrl}/healthz`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { status: string; authFailed: { reason: string } | null };
    expect(body.status).toBe('degraded');
    expect(body.authFailed?.reason).toMatch(/refresh token was rejected/);

    const st = await runCli(['status'], stack.env);
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout).toMatch(/PAUSED: authentication failed since .*refresh token was rejected/);

    // No storm: while paused, scheduler ticks pile up (deduplicated) instead of asking the shop again.
    const renewCalls = stack.sim.stats().renewCalls;
    // (Redis moves a due tick to waiting; the Postgres queue keeps it delayed while paused.)
    const ticks = async () => {
      const c = await queue.getJobCounts('waiting', 'delayed');
      return (c.waiting ?? 0) + (c.delayed ?? 0);
    };
    await sleepUntil(async () => (await ticks()) > 0, { what: 'a scheduled tick held by the pause' });
    // Two schedule intervals go by without a walk asking the shop for a token.
    const heldSince = Date.now();
    await sleepUntil(() => Date.now() - heldSince > 4_500, { what: 'two schedule intervals' });
    expect(stack.sim.stats().renewCalls).toBe(renewCalls);
    const pausedAt = await lastRunId();

    const set = await runCli(['token', 'set', newToken], stack.env);
    expect(set.code, set.stderr).toBe(0);
    await sleepUntil(async () => !(await queue.isPaused()), { timeoutMs: 10_000, what: 'the queue to resume' });
    await sleepUntil(async () => (await succeeded('incremental', pausedAt)).length > 0, {
      timeoutMs: 20_000,
      what: 'a scheduled run after the new token',
    });
    expect((await fetch(`${worker!.adminUrl}/healthz`)).status).toBe(200);
  });

  it('a 429 that outlasts the client retries reschedules the job after Retry-After, not failed', async () => {
    // From here on, no schedule competes for the endpoint: the tests trigger their own jobs.
    expect((await worker!.stop()).code).toBe(0);
    worker = await startWorker(stack.env, { SYNC_INCREMENTAL_CRON: '0 0 1 1 *' });
    await sleepUntil(async () => (await queue.getJobScheduler('incremental'))?.pattern === '0 0 1 1 *', {
      what: 'the quiet schedule',
    });
    await sleepUntil(
      async () => {
        const c = await queue.getJobCounts('active', 'waiting');
        return (c.active ?? 0) + (c.waiting ?? 0) === 0;
      },
      { what: 'an idle queue' },
    );

    const before = await lastRunId();
    stack.sim.faults.set({ rate: 1, kinds: ['429'], retryAfter: 1 });
    const trig = await runCli(['trigger', 'mirror', '--endpoint', 'orders'], stack.env);
    expect(trig.code, trig.stderr).toBe(0);
    const jobId = trig.stdout.trim();
    await sleepUntil(
      () => worker!.logs().some((l) => l.jobId === jobId && String(l.msg).startsWith('rate limited by the shop')),
      { timeoutMs: 30_000, what: 'the job to be rescheduled' },
    );
    const job = (await queue.getJob(jobId))!;
    expect(job.attemptsMade).toBe(0);
    expect(await job.isFailed()).toBe(false);
    stack.sim.faults.clear();
    await sleepUntil(
      async () =>
        (
          await stack.db.pool.query(
            `select 1 from onecore_sync.sync_runs where job_id = $1 and status = 'succeeded' and id > $2`,
            [jobId, before],
          )
        ).rowCount,
      { timeoutMs: 60_000, what: 'the rescheduled mirror to succeed' },
    );
    // The run's row commits before the job is marked completed: wait for that, too.
    await sleepUntil(async () => (await queue.getJob(jobId))!.isCompleted(), {
      timeoutMs: 60_000,
      what: 'the job to complete',
    });
  });

  it('a paging loop fails the job at once, without retries', async () => {
    // The second page links back to itself.
    stack.sim.faults.once('loop', { endpoint: 'orders', nth: 2 });
    const trig = await runCli(['backfill', '--endpoint', 'orders'], stack.env);
    expect(trig.code, trig.stderr).toBe(0);
    const jobId = trig.stdout.trim();
    await sleepUntil(async () => (await queue.getJob(jobId))?.isFailed(), {
      timeoutMs: 60_000,
      what: 'the job to fail',
    });
    const job = (await queue.getJob(jobId))!;
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/paging loop/i);
  });
});
