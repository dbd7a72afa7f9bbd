import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { sleepUntil } from './helpers/sleepUntil.js';
import { SecretScan } from './helpers/secretScan.js';
import { startStack, type Stack } from './helpers/stack.js';
import { deletePrefixKeys, queueBackends, queueEnv, startWorker, testRedis } from './helpers/worker.js';

/**
 * End to end: a worker and the CLI run through renewals, rotations, faults, a refused token and a
 * failed walk, at debug log level. Then every surface an operator or an attacker could read —
 * worker logs, CLI output, `status --json`, `token status`, BullMQ job data in Redis,
 * `sync_runs.error`, `endpoints.last_error`, `rejected_records` — is scanned for every token value
 * the run ever held. None may appear.
 */
describe('secrets stay secret', () => {
  let stack: Stack;
  // Redis when the run has one (its keys are scanned), else the queue's tables in Postgres.
  const backend = queueBackends()[0]!;
  const qenv = queueEnv(backend);
  const prefix = qenv.SYNC_QUEUE_PREFIX ?? '';
  const redis = backend === 'redis' ? testRedis() : undefined;
  const scan = new SecretScan();

  beforeAll(async () => {
    stack = await startStack({
      sim: {
        records: 300,
        seed: 5,
        accessTokenTtlSeconds: 2,
        rotateAfterSeconds: 1,
        rotationGraceSeconds: 30,
        latencyMs: 5,
        pageSize: 50,
      },
      env: {
        ...qenv,
        ONECORE_ENDPOINTS: 'orders,products,apiusers',
        ONECORE_RETRIES: '2',
        ADMIN_TOKEN: 'admin-token-for-the-secrets-test',
      },
    });
  });
  afterAll(async () => {
    if (redis) {
      await deletePrefixKeys(redis, prefix);
      redis.disconnect();
    }
    await stack.close();
  });

  it('no token value appears in logs, job data, status, errors or run history', async () => {
    scan.token(stack.sim.refreshToken, 'admin-token-for-the-secrets-test');
    const worker = await startWorker(stack.env, {
      LOG_LEVEL: 'debug',
      SYNC_INCREMENTAL_CRON: '*/1 * * * * *',
      SYNC_LOCK_MS: '3000',
    });
    // Collect every token the credentials row holds while renewals and rotations happen.
    const collecting = setInterval(() => void scan.tokensFrom(stack.db.pool).catch(() => undefined), 100);
    try {
      stack.sim.faults.set({ rate: 0.1, kinds: ['429', '500', 'reset', 'truncated'], retryAfter: 1 });
      const trig = await runCli(['trigger', 'mirror'], stack.env);
      scan.text(trig.stdout, trig.stderr);
      await sleepUntil(
        async () =>
          (
            await stack.db.pool.query(
              `select 1 from onecore_sync.sync_runs where mode = 'mirror' and status = 'succeeded' and endpoint = 'orders'`,
            )
          ).rowCount,
        { timeoutMs: 60_000, what: 'a mirror' },
      );
      await sleepUntil(() => stack.sim.stats().rotations >= 2, { timeoutMs: 30_000, what: 'two rotations' });
      stack.sim.faults.clear();
      // A failed walk (its error lands in sync_runs.error) and a refused token (AuthFailed).
      const bad = await runCli(['sync', '--mode', 'backfill', '--endpoint', 'orders', '--from', 'bogus'], {
        ...stack.env,
        LOG_LEVEL: 'debug',
      });
      scan.text(bad.stdout, bad.stderr);
      await scan.tokensFrom(stack.db.pool);
      stack.sim.setRefreshToken('replaced-by-the-operator-elsewhere');
      stack.sim.expireAccessTokens();
      await sleepUntil(
        async () =>
          (await stack.db.pool.query(`select 1 from onecore_sync.credentials where auth_failed_at is not null`))
            .rowCount,
        { timeoutMs: 30_000, what: 'the auth failure' },
      );
      // Job data of every job the queue holds.
      if (!redis) {
        const { rows: tables } = await stack.db.pool.query(
          `select quote_ident(table_name) as table_name from information_schema.tables where table_schema = 'onecore_queue'`,
        );
        for (const t of tables)
          scan.text(
            (await stack.db.pool.query(`select t::text as row from onecore_queue.${t.table_name} t`)).rows
              .map((r) => r.row)
              .join('\n'),
          );
      }
      let cursor = '0';
      while (redis) {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        for (const key of keys) {
          const type = await redis.type(key);
          if (type === 'hash') scan.text(await redis.hgetall(key));
          else if (type === 'string') scan.text(await redis.get(key));
          else if (type === 'list') scan.text(await redis.lrange(key, 0, -1));
          else if (type === 'zset') scan.text(await redis.zrange(key, 0, -1));
          else if (type === 'stream') scan.text(await redis.xrange(key, '-', '+'));
        }
        if (cursor === '0') break;
      }
      const health = await fetch(`${worker.adminUrl}/healthz`);
      scan.text(await health.text());
      const metrics = await fetch(`${worker.adminUrl}/metrics`);
      scan.text(await metrics.text());
    } finally {
      clearInterval(collecting);
      await worker.stop();
    }
    scan.text(worker.stderr());
    const status = await runCli(['status', '--json'], stack.env);
    const plain = await runCli(['status'], stack.env);
    const token = await runCli(['token', 'status', '--json'], stack.env);
    scan.text(status.stdout, status.stderr, plain.stdout, token.stdout, token.stderr);
    const history = await stack.db.pool.query(
      `select error, cursor_start, cursor_end, job_id from onecore_sync.sync_runs`,
    );
    const endpoints = await stack.db.pool.query(`select last_error from onecore_sync.endpoints`);
    const rejected = await stack.db.pool.query(`select reason, raw from onecore_sync.rejected_records`);
    const cred = await stack.db.pool.query(`select auth_failed_reason from onecore_sync.credentials`);
    scan.text(history.rows, endpoints.rows, rejected.rows, cred.rows);

    // The run did what it should have: tokens rotated, errors were recorded, and AuthFailed was reported.
    expect(scan.tokens.size).toBeGreaterThanOrEqual(5);
    expect(history.rows.some((r) => r.error)).toBe(true);
    expect(JSON.stringify(cred.rows)).toMatch(/refresh token was rejected/);
    expect(worker.stderr()).toMatch(/AUTHENTICATION FAILED/);
    expect(scan.leaks()).toEqual([]);
  });
});
