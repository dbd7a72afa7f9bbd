import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    /** Empty when the run has no Redis: the jobs tests then run on the Postgres queue only. */
    redisUrl: string;
    /** The queue backends the jobs tests run on. */
    queueBackends: Array<'redis' | 'postgres'>;
  }
}

/** Where Postgres and Redis listen on a developer's machine with default settings. */
const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL_REDIS = 'redis://127.0.0.1:6379';

const HOW =
  'set DATABASE_URL (a Postgres 14+ where the user may CREATE DATABASE) and, for the Redis queue, REDIS_URL, e.g. ' +
  `DATABASE_URL=${LOCAL_POSTGRES} REDIS_URL=${LOCAL_REDIS} npm test, ` +
  'or run a Docker engine so testcontainers can start them';

/**
 * Finds the Postgres and Redis the tests talk to, once per run, in this order: the URLs from the
 * environment; else the default local ports (`postgres@127.0.0.1:5432` with trust authentication,
 * `127.0.0.1:6379`) when they answer; else containers via testcontainers when a Docker engine
 * answers. Postgres is required (stop at once with instructions: a test run that touched no
 * database proves nothing). Redis is not: without it the jobs tests run on the Postgres queue.
 * The first line of the run says what was used.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<unknown>> = [];
  let databaseUrl = process.env.DATABASE_URL;
  let redisUrl = process.env.REDIS_URL;
  let pgFrom = 'DATABASE_URL';
  let redisFrom = 'REDIS_URL';
  if (!databaseUrl && (await postgresAnswers(LOCAL_POSTGRES))) {
    databaseUrl = LOCAL_POSTGRES;
    pgFrom = 'the default local port';
  }
  if (!redisUrl && (await redisAnswers(LOCAL_REDIS))) {
    redisUrl = LOCAL_REDIS;
    redisFrom = 'the default local port';
  }
  if ((!databaseUrl || !redisUrl) && dockerLooksReachable()) {
    const { GenericContainer, Wait } = await import('testcontainers');
    try {
      if (!databaseUrl) {
        const c = await new GenericContainer('postgres:16-alpine')
          .withEnvironment({ POSTGRES_PASSWORD: 'postgres' })
          .withExposedPorts(5432)
          .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
          .start();
        stops.push(() => c.stop());
        databaseUrl = `postgres://postgres:postgres@${c.getHost()}:${c.getMappedPort(5432)}/postgres`;
        pgFrom = 'a container';
      }
      if (!redisUrl) {
        const c = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
        stops.push(() => c.stop());
        redisUrl = `redis://${c.getHost()}:${c.getMappedPort(6379)}`;
        redisFrom = 'a container';
      }
    } catch (err) {
      if (!databaseUrl)
        throw new Error(`could not start test containers (${(err as Error).message}): ${HOW}`, { cause: err });
    }
  }
  if (!databaseUrl) throw new Error(`no database for the tests: ${HOW}`);

  const queueBackends: Array<'redis' | 'postgres'> = redisUrl ? ['redis', 'postgres'] : ['postgres'];
  process.stdout.write(
    `tests use Postgres ${redact(databaseUrl)} (from ${pgFrom}), ` +
      (redisUrl
        ? `Redis ${redact(redisUrl)} (from ${redisFrom})`
        : 'no Redis (REDIS_URL unset, nothing on the default port)') +
      `; the jobs tests run on the ${queueBackends.join(' and ')} queue${queueBackends.length > 1 ? 's' : ''}\n`,
  );
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl ?? '');
  project.provide('queueBackends', queueBackends);
  return async () => {
    for (const stop of stops) await stop();
  };
}

async function postgresAnswers(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function redisAnswers(url: string): Promise<boolean> {
  const r = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_500,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

function dockerLooksReachable(): boolean {
  if (process.env.DOCKER_HOST) return true;
  return existsSync('/var/run/docker.sock') && canConnect('/var/run/docker.sock');
}

function canConnect(socket: string): boolean {
  // A socket file can outlive its daemon (as on machines with the docker client but no engine);
  // ping the daemon from a short-lived child so this check stays synchronous.
  const probe = spawnSync(process.execPath, [
    '-e',
    `
    const s = require('node:net').connect(${JSON.stringify(socket)});
    s.on('connect', () => { s.write('GET /_ping HTTP/1.0\\r\\n\\r\\n'); });
    s.on('data', (d) => process.exit(String(d).includes('200') ? 0 : 1));
    s.on('error', () => process.exit(1));
    setTimeout(() => process.exit(1), 2000);
  `,
  ]);
  return probe.status === 0;
}
