import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueRun } from '../src/jobs/enqueue.js';
import type { SyncQueue } from '../src/jobs/queueStore.js';
import { runCli } from './helpers/cli.js';
import { startHostileServer, type HostileServer } from './helpers/hostileServer.js';
import { sleepUntil } from './helpers/sleepUntil.js';
import { startStack, type Stack } from './helpers/stack.js';
import {
  openTestQueue,
  queueBackends,
  queueEnv,
  startWorker,
  type TestQueue,
  type WorkerProcess,
} from './helpers/worker.js';

const DOCUMENT = '/swagger/v2/swagger.json';

/**
 * A fanout job that discovers the endpoints from the shop's OpenAPI document decides by the
 * document's answer as a walk decides by a page's: a 503 is retried, a 403 or 401 is not, and a
 * refused refresh token pauses the queue.
 */
describe.each(queueBackends())('jobs on the %s queue: the OpenAPI document fails', (backend) => {
  let stack: Stack;
  let hostile: HostileServer;
  let env: Record<string, string>;
  let queue: SyncQueue;
  let testQueue: TestQueue | undefined;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    stack = await startStack({
      sim: { records: 20 },
      env: {
        ...queueEnv(backend),
        // No ONECORE_ENDPOINTS: every fanout reads the document. The client does not retry on its
        // own, so each attempt of the job is one request for the document.
        ONECORE_RETRIES: '0',
        SYNC_INCREMENTAL_CRON: '0 0 1 1 *',
        SYNC_MIRROR_CRON: '0 0 1 1 *',
        SYNC_AUTH_CHECK_MS: '500',
      },
    });
    hostile = await startHostileServer(stack.sim.url);
    env = { ...stack.env, ONECORE_BASE_URL: hostile.url };
    testQueue = await openTestQueue(stack.config);
    ({ queue } = testQueue);
    worker = await startWorker(env);
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await testQueue?.close();
    await hostile?.close();
    await stack?.close();
  });

  const fanout = async () => (await enqueueRun(queue, { mode: 'incremental' }))[0]!;
  const failedJob = async (id: string) => {
    await sleepUntil(async () => (await queue.getJob(id))?.isFailed(), { timeoutMs: 90_000, what: 'the job to fail' });
    return (await queue.getJob(id))!;
  };
  const documentRequests = () => hostile.seen.filter((r) => r.path === DOCUMENT).length;

  it('a 503 is retried (every attempt asks again)', async () => {
    hostile.always(DOCUMENT, { status: 503, body: 'down for maintenance' });
    const asked = documentRequests();
    const job = await failedJob(await fanout());
    hostile.always(DOCUMENT, null);
    expect(job.attemptsMade).toBe(3);
    expect(job.failedReason).toMatch(/could not discover endpoints from .*503/);
    expect(documentRequests() - asked).toBe(3);
  });

  it('a 403 fails the job at once', async () => {
    hostile.always(DOCUMENT, { status: 403, body: '{"title":"Forbidden"}' });
    const asked = documentRequests();
    const job = await failedJob(await fanout());
    hostile.always(DOCUMENT, null);
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/could not discover endpoints from .*403 Forbidden/);
    expect(documentRequests() - asked).toBe(1);
    expect(await queue.isPaused()).toBe(false);
  });

  it('a 401 that a renewed access token does not cure fails the job at once', async () => {
    hostile.always(DOCUMENT, { status: 401, body: '{"title":"Unauthorized"}' });
    const job = await failedJob(await fanout());
    hostile.always(DOCUMENT, null);
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/401 Unauthorized, again after renewing/);
    expect(await queue.isPaused()).toBe(false);
  });

  it('a 401 with the refresh token refused fails the job at once and pauses the queue loudly, as a walk does', async () => {
    const newToken = 'sim-refresh-replaced-by-the-shop-0002';
    stack.sim.setRefreshToken(newToken);
    stack.sim.expireAccessTokens();
    hostile.always(DOCUMENT, { status: 401, body: '{"title":"Unauthorized"}' });
    const job = await failedJob(await fanout());
    hostile.always(DOCUMENT, null);
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/refresh token was rejected/);
    expect(job.failedReason).not.toMatch(/set ONECORE_ENDPOINTS/);
    expect(await queue.isPaused()).toBe(true);
    const loud = await sleepUntil(
      () => worker!.logs().find((l) => l.level === 50 && String(l.msg).startsWith('AUTHENTICATION FAILED')),
      { what: 'the loud log line' },
    );
    expect(loud.msg).toMatch(/refresh token was rejected.*token set/);
    const health = (await (await fetch(`${worker!.adminUrl}/healthz`)).json()) as {
      authFailed: { reason: string } | null;
    };
    expect(health.authFailed?.reason).toMatch(/refresh token was rejected/);

    const set = await runCli(['token', 'set', newToken], env);
    expect(set.code, set.stderr).toBe(0);
    await sleepUntil(async () => !(await queue.isPaused()), { timeoutMs: 10_000, what: 'the queue to resume' });
  });
});
