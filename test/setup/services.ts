import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}

const HOW = 'set DATABASE_URL (a Postgres 14+ where the user may CREATE DATABASE) and REDIS_URL, e.g. ' +
  'DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm test, ' +
  'or run a Docker engine so testcontainers can start them';

/**
 * Finds the Postgres and Redis the tests talk to, once per run: the URLs from the environment when
 * set; else containers via testcontainers when a Docker engine answers; else stop at once with
 * instructions (never a silent skip: a test run that touched no database proves nothing).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<unknown>> = [];
  let databaseUrl = process.env.DATABASE_URL;
  let redisUrl = process.env.REDIS_URL;
  if (!databaseUrl || !redisUrl) {
    if (!dockerLooksReachable()) {
      throw new Error(`no database for the tests: ${HOW}`);
    }
    const { GenericContainer, Wait } = await import('testcontainers');
    try {
      if (!databaseUrl) {
        const pg = await new GenericContainer('postgres:16-alpine')
          .withEnvironment({ POSTGRES_PASSWORD: 'postgres' })
          .withExposedPorts(5432)
          .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
          .start();
        stops.push(() => pg.stop());
        databaseUrl = `postgres://postgres:postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/postgres`;
      }
      if (!redisUrl) {
        const redis = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
        stops.push(() => redis.stop());
        redisUrl = `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`;
      }
    } catch (err) {
      throw new Error(`could not start test containers (${(err as Error).message}): ${HOW}`);
    }
  }
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl);
  return async () => {
    for (const stop of stops) await stop();
  };
}

function dockerLooksReachable(): boolean {
  if (process.env.DOCKER_HOST) return true;
  return existsSync('/var/run/docker.sock') && canConnect('/var/run/docker.sock');
}

function canConnect(socket: string): boolean {
  // A socket file can outlive its daemon (as on machines with the docker client but no engine);
  // ping the daemon from a short-lived child so this check stays synchronous.
  const probe = spawnSync(process.execPath, ['-e', `
    const s = require('node:net').connect(${JSON.stringify(socket)});
    s.on('connect', () => { s.write('GET /_ping HTTP/1.0\\r\\n\\r\\n'); });
    s.on('data', (d) => process.exit(String(d).includes('200') ? 0 : 1));
    s.on('error', () => process.exit(1));
    setTimeout(() => process.exit(1), 2000);
  `]);
  return probe.status === 0;
}
