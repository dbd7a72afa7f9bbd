import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import type { Config } from '../../src/config/readConfig.js';
import { openQueueStore, type QueueBackendKind, type QueueStore, type SyncQueue } from '../../src/jobs/queueStore.js';
import { spawnCli } from './cli.js';
import { sleepUntil } from './sleepUntil.js';
import { deletePrefixKeys } from './redisKeys.js';

export { deletePrefixKeys };

/** A queue prefix of its own per test file: files share one Redis. */
export function testQueuePrefix(): string {
  return `ocs-test-${randomBytes(5).toString('hex')}`;
}

/** The queue backends this run tests (both when Redis is there, else Postgres only). */
export function queueBackends(): QueueBackendKind[] {
  return inject('queueBackends');
}

/**
 * The environment that puts a test file's queue on `backend`: on Redis under a prefix of its own
 * (files share one Redis), on Postgres in the file's own database (schema onecore_queue).
 */
export function queueEnv(backend: QueueBackendKind): Record<string, string> {
  return backend === 'redis'
    ? { QUEUE_BACKEND: 'redis', REDIS_URL: inject('redisUrl'), SYNC_QUEUE_PREFIX: testQueuePrefix() }
    : { QUEUE_BACKEND: 'postgres', REDIS_URL: '' };
}

export interface WorkerProcess {
  child: ChildProcess;
  /** The admin server's base URL, once the worker said it started. */
  adminUrl: string;
  /** Parsed JSON log lines so far (pino on stderr). */
  logs(): Array<Record<string, unknown>>;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Sends the signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/**
 * Starts `onecore-sync worker` as a real child process with info logs (so we can see what it
 * does), an admin server on a free port, and waits until it reports that it started.
 */
export async function startWorker(
  env: Record<string, string>,
  extra: Record<string, string> = {},
): Promise<WorkerProcess> {
  const child = spawnCli(['worker'], { ...env, ADMIN_PORT: '0', LOG_LEVEL: 'info', ...extra });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const logs = () =>
    stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return {};
        }
      });
  let gone = false;
  void exited.then(() => (gone = true));
  const started = await sleepUntil(
    () => {
      if (gone) throw new Error(`worker exited during start-up:\n${stderr}`);
      return logs().find((l) => l.msg === 'worker started');
    },
    { timeoutMs: 90_000, what: 'the worker to start' },
  ).catch((err: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${err.message}\n${stderr}`);
  });
  return {
    child,
    adminUrl: String(started.admin),
    logs,
    stderr: () => stderr,
    exited,
    async stop(signal = 'SIGTERM') {
      const t0 = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const r = await exited;
      return { code: r.code, signal: r.signal, ms: r.at - t0 };
    },
  };
}

/** The test's Redis, for looking at and wiping one prefix. */
export function testRedis(): Redis {
  return new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
}

export async function postJson(
  url: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch {
    json = { text };
  }
  return { status: res.status, json };
}

export interface TestQueue {
  store: QueueStore;
  queue: SyncQueue;
  /** Redis only: every key of the file's prefix removed, as a wiped Redis would be. */
  wipe(): Promise<number>;
  /** Empties the queue and removes every key of the prefix, then disconnects. */
  close(): Promise<void>;
}

/** The test file's view of its own queue (own prefix or own database), and the clean-up every jobs test needs. */
export async function openTestQueue(config: Config): Promise<TestQueue> {
  const store = await openQueueStore(config, 'client');
  const queue = store.openQueue();
  return {
    store,
    queue,
    async wipe() {
      if (!store.redis) throw new Error('only a Redis queue can be wiped by the test');
      return deletePrefixKeys(store.redis, config.queuePrefix);
    },
    async close() {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      if (store.redis) await deletePrefixKeys(store.redis, config.queuePrefix);
      await store.close();
    },
  };
}
