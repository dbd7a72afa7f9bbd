import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleepUntil } from './helpers/sleepUntil.js';
import { readConfig } from '../src/config/readConfig.js';
import { startStack, type Stack } from './helpers/stack.js';
import { startHostileServer, type HostileServer } from './helpers/hostileServer.js';
import { openTestQueue, startWorker, testQueuePrefix, type TestQueue, type WorkerProcess } from './helpers/worker.js';

/**
 * A refusal that was not the shop's last word (issue #12, item 3): the renew route answers 401
 * JSON for a while (a shop-side outage, a misconfigured gateway), the fleet pauses, and then —
 * without anyone running `token set` — the worker's slow re-try of the tokens it holds finds them
 * accepted again and resumes the queue.
 */
describe('robustness: an authentication pause heals by itself', () => {
  let stack: Stack;
  let hostile: HostileServer;
  let testQueue: TestQueue;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    const prefix = testQueuePrefix();
    stack = await startStack({ sim: { records: 100 } });
    hostile = await startHostileServer(stack.sim.url);
    Object.assign(stack.env, {
      ONECORE_BASE_URL: hostile.url,
      SYNC_QUEUE_PREFIX: prefix,
      ONECORE_ENDPOINTS: 'orders',
      SYNC_INCREMENTAL_CRON: '*/2 * * * * *',
      SYNC_AUTH_CHECK_MS: '300',
      SYNC_AUTH_RETRY_MS: '2000',
    });
    testQueue = await openTestQueue(readConfig(stack.env));
  });
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await testQueue?.close();
    await hostile?.close();
    await stack?.close();
  });

  it('paused by a 401 JSON refusal, resumed by the slow re-try once the shop accepts the token again; no token set', async () => {
    hostile.always('/renewtokens', {
      status: 401,
      headers: { 'content-type': 'application/json' },
      body: '{"message":"Refresh token is invalid"}',
    });
    worker = await startWorker(stack.env);
    await sleepUntil(() => testQueue.queue.isPaused(), { timeoutMs: 60_000, what: 'the queue to pause' });
    const paused = await stack.db.pool.query(`select auth_failed_at from onecore_sync.credentials`);
    expect(paused.rows[0].auth_failed_at).not.toBeNull();

    // Whatever refused us is gone.
    hostile.always('/renewtokens', null);
    await sleepUntil(async () => !(await testQueue.queue.isPaused()), {
      timeoutMs: 60_000,
      what: 'the queue to resume by itself',
    });
    await sleepUntil(
      async () => {
        const { rows } = await stack.db.pool.query(
          `select count(*)::int as n from onecore_sync.sync_runs where status = 'succeeded'`,
        );
        return rows[0].n > 0;
      },
      { timeoutMs: 60_000, what: 'a successful run after the pause' },
    );
    const { rows } = await stack.db.pool.query(`select auth_failed_at from onecore_sync.credentials`);
    expect(rows[0].auth_failed_at).toBeNull();
    expect(worker.logs().some((l) => /accepts the refresh token we hold again/.test(String(l.msg)))).toBe(true);
    expect(worker.child.exitCode).toBeNull();
  }, 180_000);
});
