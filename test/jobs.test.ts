import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncQueue } from '../src/jobs/queueStore.js';
import { runCli } from './helpers/cli.js';
import { sleepUntil } from './helpers/sleepUntil.js';
import { startStack, type Stack } from './helpers/stack.js';
import {
  postJson,
  startWorker,
  type WorkerProcess,
  openTestQueue,
  type TestQueue,
  queueBackends,
  queueEnv,
} from './helpers/worker.js';

/**
 * The scheduled jobs layer end to end: real worker processes on a queue prefix of their own, the
 * simulator, Postgres and Redis. Schedules run by themselves; `trigger`/`backfill` and the admin
 * routes enqueue work that runs; Redis wiped under a stopped worker loses nothing. Once per queue
 * backend (Redis, and the queue in Postgres).
 */
const ADMIN_TOKEN = 'test-admin-token-0123456789';
const ENDPOINTS = ['orders', 'products'];

describe.each(queueBackends())('jobs on the %s queue: schedules, triggers, admin server, Redis wiped', (backend) => {
  let stack: Stack;
  let queue: SyncQueue;
  let testQueue: TestQueue | undefined;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    stack = await startStack({
      sim: { records: 300 },
      env: {
        ...queueEnv(backend),
        ONECORE_ENDPOINTS: ENDPOINTS.join(','),
        SYNC_INCREMENTAL_CRON: '*/2 * * * * *',
        ADMIN_TOKEN,
        SYNC_SCHEDULE_CHECK_MS: '1000',
      },
    });
    testQueue = await openTestQueue(stack.config);
    ({ queue } = testQueue);
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await testQueue?.close();
    await stack?.close();
  });

  const runs = async (where: string, params: unknown[] = []) =>
    (
      await stack.db.pool.query(
        `select id::int, endpoint, mode, status, job_id, pages, cursor_start, started_at from onecore_sync.sync_runs where ${where} order by id`,
        params,
      )
    ).rows;

  it('runs incremental syncs by itself on a seconds-level schedule', async () => {
    worker = await startWorker(stack.env);
    // Several ticks, each an incremental walk of every endpoint.
    await sleepUntil(
      async () => {
        const rows = await runs(`mode = 'incremental' and status = 'succeeded'`);
        return ENDPOINTS.every((e) => rows.filter((r) => r.endpoint === e).length >= 3);
      },
      { timeoutMs: 30_000, what: 'three scheduled incremental runs per endpoint' },
    );
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.pattern]).sort()).toEqual([
      ['incremental', '*/2 * * * * *'],
      ['mirror', '0 2 * * *'],
    ]);
    // The first walk read everything; the scheduled ones after it re-read at most the last page.
    const later = (await runs(`mode = 'incremental' and status = 'succeeded'`)).filter((r) => r.cursor_start !== null);
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((r) => r.pages <= 1)).toBe(true);
  });

  it('trigger and backfill from the command line print job ids that run', async () => {
    const trig = await runCli(['trigger', 'mirror', '--endpoint', 'orders'], stack.env);
    expect(trig.code, trig.stderr).toBe(0);
    const [mirrorJob] = trig.stdout.trim().split('\n');
    expect(mirrorJob).toMatch(/^\d+$/);
    await sleepUntil(
      async () => (await runs(`job_id = $1 and status = 'succeeded' and mode = 'mirror'`, [mirrorJob])).length === 1,
      { what: 'the triggered mirror' },
    );

    // Without --endpoint: one fanout job, which enqueues a walk per endpoint.
    const all = await runCli(['backfill'], stack.env);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout.trim().split('\n')).toHaveLength(1);
    await sleepUntil(async () => (await runs(`mode = 'backfill' and status = 'succeeded'`)).length >= 2, {
      what: 'backfills of every endpoint',
    });
    expect(new Set((await runs(`mode = 'backfill' and status = 'succeeded'`)).map((r) => r.endpoint))).toEqual(
      new Set(ENDPOINTS),
    );

    // From a given cursor: the walk starts exactly there.
    const { rows } = await stack.db.pool.query(
      `select cursor from onecore_sync.checkpoints where endpoint = 'products' and mode = 'incremental'`,
    );
    const from = rows[0].cursor as string;
    const back = await runCli(['backfill', '--endpoint', 'products', '--from', from], stack.env);
    expect(back.code, back.stderr).toBe(0);
    const backJob = back.stdout.trim();
    const [run] = await sleepUntil(
      async () => {
        const r = await runs(`job_id = $1 and status = 'succeeded'`, [backJob]);
        return r.length > 0 ? r : undefined;
      },
      { what: 'the backfill from a cursor' },
    );
    expect(run!.mode).toBe('backfill');
    expect(run!.cursor_start).toBe(from);
  });

  it('refuses bad flags with exit 2 and one line', async () => {
    const cases = [
      ['trigger', 'weekly'],
      ['trigger'],
      ['trigger', 'mirror', '--from', 'abc'],
      ['trigger', 'incremental', '--endpoint', 'no such/endpoint'],
      ['backfill', '--from', ''],
    ];
    const results = await Promise.all(cases.map((args) => runCli(args, stack.env)));
    for (const [i, r] of results.entries()) {
      expect(r.code, `${cases[i]!.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });

  it('admin server: trigger routes with the token enqueue runs; without or with a wrong one 401', async () => {
    const base = worker!.adminUrl;
    const ok = await postJson(`${base}/trigger/incremental`, { endpoints: ['orders'] }, ADMIN_TOKEN);
    expect(ok.status).toBe(202);
    const [incJob] = ok.json.jobs as string[];
    await sleepUntil(async () => (await runs(`job_id = $1 and status = 'succeeded'`, [incJob])).length === 1, {
      what: 'the incremental run triggered over HTTP',
    });

    const mirror = await postJson(`${base}/trigger/mirror`, '', ADMIN_TOKEN);
    expect(mirror.status).toBe(202);
    const bf = await postJson(`${base}/backfill`, { endpoints: ['products'] }, ADMIN_TOKEN);
    expect(bf.status).toBe(202);
    const [bfJob] = bf.json.jobs as string[];
    await sleepUntil(
      async () => (await runs(`job_id = $1 and status = 'succeeded' and mode = 'backfill'`, [bfJob])).length === 1,
      { what: 'the backfill triggered over HTTP' },
    );
    await sleepUntil(
      async () => (await runs(`mode = 'mirror' and status = 'succeeded' and endpoint = 'products'`)).length >= 1,
      { what: 'the mirror fanout triggered over HTTP' },
    );

    const refusedFrom = Date.now();
    expect((await postJson(`${base}/trigger/mirror`, {})).status).toBe(401);
    expect((await postJson(`${base}/trigger/mirror`, {}, 'wrong-token-wrong-token')).status).toBe(401);
    expect((await postJson(`${base}/backfill`, {}, ADMIN_TOKEN.slice(0, -1))).status).toBe(401);
    expect((await postJson(`${base}/backfill`, '{not json', ADMIN_TOKEN)).status).toBe(400);
    expect((await postJson(`${base}/trigger/mirror`, { from: 'x' }, ADMIN_TOKEN)).status).toBe(400);
    expect((await postJson(`${base}/backfill`, { endpoints: ['BAD NAME'] }, ADMIN_TOKEN)).status).toBe(400);
    // Nothing refused was enqueued: since then only the incremental schedule added jobs.
    const since = (await queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'])).filter(
      (j) => j.timestamp >= refusedFrom,
    );
    expect(since.filter((j) => j.data.mode !== 'incremental').map((j) => j.name)).toEqual([]);
  });

  it('admin server: bull-board at /queues behind ADMIN_TOKEN (bearer, or ?token= once then a cookie)', async () => {
    const base = worker!.adminUrl;
    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, { headers, redirect: 'manual' });
    const bearer = { authorization: `Bearer ${ADMIN_TOKEN}` };
    expect((await get('/queues')).status).toBe(401);
    expect((await get('/queues', { authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);
    expect((await get('/queues/api/queues', { authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}` })).status).toBe(401);
    const page = await get('/queues', bearer);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/<html/i);

    // A browser: the token once in the query, then the cookie; the cookie holds a digest, not the token.
    expect((await get('/queues?token=wrong-token-wrong-token')).status).toBe(401);
    const signIn = await get(`/queues?token=${encodeURIComponent(ADMIN_TOKEN)}`);
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/queues');
    const setCookie = signIn.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\/queues/);
    expect(setCookie).not.toContain(ADMIN_TOKEN);
    const cookie = setCookie.split(';')[0]!;
    expect(cookie).toMatch(/=[0-9a-f]{64}$/);
    expect((await get('/queues', { cookie })).status).toBe(200);
    expect(
      (
        await get('/queues', {
          cookie: `${cookie.slice(0, -1)}0` === cookie ? `${cookie.slice(0, -1)}1` : `${cookie.slice(0, -1)}0`,
        })
      ).status,
    ).toBe(401);

    // bull-board's own API lists our queue.
    const api = await get('/queues/api/queues', { cookie });
    expect(api.status).toBe(200);
    const { queues } = (await api.json()) as { queues: { name: string }[] };
    expect(queues.map((q) => q.name)).toContain('onecore-sync');
    expect(worker!.stderr()).not.toContain(ADMIN_TOKEN);
  });

  it('admin server: /healthz and /metrics', async () => {
    const health = await fetch(`${worker!.adminUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: 'ok',
      postgres: 'up',
      queue: 'up',
      ...(backend === 'redis' ? { redis: 'up' } : {}),
      authFailed: null,
    });
    const metrics = await (await fetch(`${worker!.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/^onecore_sync_records_total\{endpoint="orders",mode="incremental"\} \d+$/m);
    expect(metrics).toMatch(/^onecore_sync_pages_total\{endpoint="orders",mode="mirror"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^onecore_sync_errors_total\{endpoint="orders",mode="incremental"\} 0$/m);
    expect(metrics).toMatch(/^onecore_sync_seconds_since_last_success\{endpoint="products"\} [\d.e-]+$/m);
    expect(metrics).toMatch(/^onecore_sync_last_run_duration_seconds\{endpoint="orders",mode="mirror"\} [\d.e-]+$/m);
    expect(metrics).toMatch(/^onecore_sync_queue_jobs\{state="delayed"\} \d+$/m);
    expect(metrics).toMatch(/^onecore_sync_queue_up 1$/m);
    expect(metrics).toMatch(/^# TYPE onecore_sync_records_total counter$/m);
  });

  it('status shows the queue and the schedules, and works without Redis', async () => {
    const st = await runCli(['status'], stack.env);
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout).toMatch(new RegExp(`queue .*onecore-sync \\(${backend}\\): \\d+ waiting`));
    expect(st.stdout).toMatch(
      /queue .*onecore-sync \(\w+\): \d+ waiting, \d+ active, \d+ delayed, \d+ failed, \d+ completed/,
    );
    expect(st.stdout).toMatch(/schedule incremental: \*\/2 \* \* \* \* \* \(UTC\) next \d{4}-/);
    expect(st.stdout).toMatch(/schedule mirror: 0 2 \* \* \* \(UTC\) next \d{4}-/);
    const json = JSON.parse((await runCli(['status', '--json'], stack.env)).stdout);
    expect(json.queue.reachable).toBe(true);
    expect(json.queue.paused).toBe(false);

    if (backend !== 'redis') return;
    // Without Redis it still answers (runCli kills a hung child, which would fail the exit code).
    const offline = await runCli(['status'], { ...stack.env, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout).toContain('orders');
    expect(offline.stdout).toMatch(/Redis not reachable/);
  });

  it('changed settings replace the schedules; trigger routes are off without ADMIN_TOKEN', async () => {
    const stopped = await worker!.stop();
    expect(stopped.code).toBe(0);
    const { ADMIN_TOKEN: _off, ...env } = stack.env;
    worker = await startWorker(env, { SYNC_MIRROR_CRON: '30 3 * * *', SYNC_TZ: 'Europe/Berlin' });
    await sleepUntil(async () => (await queue.getJobScheduler('mirror'))?.pattern === '30 3 * * *', {
      what: 'the mirror schedule to change',
    });
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.pattern, s.tz]).sort()).toEqual([
      ['incremental', '*/2 * * * * *', 'Europe/Berlin'],
      ['mirror', '30 3 * * *', 'Europe/Berlin'],
    ]);
    const off = await postJson(`${worker.adminUrl}/trigger/mirror`, {}, ADMIN_TOKEN);
    expect(off.status).toBe(404);
    expect(String(off.json.error)).toMatch(/ADMIN_TOKEN/);
    const board = await fetch(`${worker.adminUrl}/queues`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(board.status).toBe(404);
    expect(await board.text()).toMatch(/ADMIN_TOKEN/);

    // `schedule` puts the environment's settings back explicitly and prints them. (With the
    // worker stopped: a running owner would put its own settings back within a check interval.)
    expect((await worker.stop()).code).toBe(0);
    worker = undefined;
    const sch = await runCli(['schedule'], stack.env);
    expect(sch.code, sch.stderr).toBe(0);
    expect(sch.stdout).toMatch(/^incremental\t\*\/2 \* \* \* \* \*\tUTC\tnext \d{4}-/m);
    expect(sch.stdout).toMatch(/^mirror\t0 2 \* \* \*\tUTC\tnext \d{4}-/m);
    expect((await queue.getJobScheduler('mirror'))?.pattern).toBe('0 2 * * *');
  });

  // Redis only: a Postgres queue is in the database that holds the cursors, not wiped on its own.
  it.skipIf(backend !== 'redis')(
    'Redis wiped (every key of the prefix): schedules return at restart and by themselves, cursors intact',
    async () => {
      const cursors = async () =>
        (
          await stack.db.pool.query(
            `select endpoint, mode, cursor, completed_at from onecore_sync.checkpoints order by 1, 2`,
          )
        ).rows;
      const before = await cursors();
      expect(before.filter((c) => c.mode === 'incremental' && c.cursor !== null)).toHaveLength(ENDPOINTS.length);
      const lastRun = (await runs('true')).at(-1)!.id;

      expect(await testQueue!.wipe()).toBeGreaterThan(0);
      expect(await queue.getJobSchedulers()).toEqual([]);

      worker = await startWorker(stack.env);
      await sleepUntil(async () => (await queue.getJobSchedulers()).length === 2, { what: 'the schedules to return' });
      expect((await queue.getJobSchedulers()).map((s) => [s.key, s.pattern]).sort()).toEqual([
        ['incremental', '*/2 * * * * *'],
        ['mirror', '0 2 * * *'],
      ]);
      expect(await cursors()).toEqual(before);

      // The next incremental runs continue from the stored cursors: one page each, not a re-read.
      const after = await sleepUntil(
        async () => {
          const r = await runs(`id > $1 and mode = 'incremental' and status = 'succeeded'`, [lastRun]);
          return ENDPOINTS.every((e) => r.some((x) => x.endpoint === e)) ? r : undefined;
        },
        { timeoutMs: 20_000, what: 'incremental runs after the wipe' },
      );
      for (const r of after) {
        expect(r.pages).toBeLessThanOrEqual(1);
        expect(r.cursor_start).toBe(before.find((c) => c.endpoint === r.endpoint && c.mode === 'incremental')!.cursor);
      }

      // Wiped again under the running worker: the schedule owner notices and re-creates them.
      const lastBeforeSecondWipe = (await runs('true')).at(-1)!.id;
      expect(await testQueue!.wipe()).toBeGreaterThan(0);
      await sleepUntil(async () => (await queue.getJobSchedulers()).length === 2, {
        timeoutMs: 10_000,
        what: 'the schedules to come back by themselves',
      });
      await sleepUntil(
        async () =>
          (await runs(`id > $1 and mode = 'incremental' and status = 'succeeded'`, [lastBeforeSecondWipe])).length >=
          ENDPOINTS.length,
        { timeoutMs: 20_000, what: 'scheduled runs after the second wipe' },
      );
      expect(worker!.logs().some((l) => String(l.msg).startsWith('schedules were missing in Redis'))).toBe(true);

      expect((await worker!.stop()).code).toBe(0);
      worker = undefined;
    },
  );
});
