import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPool } from '../../src/db/createPool.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { withDatabase } from '../../src/db/withDatabase.js';

export interface ScratchDatabase {
  name: string;
  url: string;
  /** Opens no connection until first used, so callers that only hand `url` on pay nothing. */
  pool: pg.Pool;
  /** Ends the pool (if still open) and drops the database, whoever is still connected to it. */
  drop(): Promise<void>;
}

export interface ScratchDatabaseOptions {
  /** The name starts with it (`ocs_test`, `ocs_bench_…`, `ocs_chaos`), so a leftover says who left it. */
  prefix: string;
  /** Appended after the random part, to tell a run's databases apart in pg_stat_activity. */
  tag?: string;
  /** Apply the migrations (default true). */
  migrate?: boolean;
  /** A non-UTF-8 database, to meet characters its encoding cannot hold. */
  encoding?: string;
  /** Connections of `pool` at most (default 5). */
  poolSize?: number;
}

/** Runs `sql` on its own short-lived connection to the server's maintenance database. */
async function onServer(baseUrl: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/**
 * A uniquely named database on the server of `baseUrl`, for one test file, benchmark step or
 * chaos run: our schemas have fixed names (`onecore`, `onecore_sync`), so isolation is a database
 * each, created from the server the run was given and dropped after.
 */
export async function createScratchDatabase(baseUrl: string, opts: ScratchDatabaseOptions): Promise<ScratchDatabase> {
  const name = `${opts.prefix}_${randomBytes(5).toString('hex')}${opts.tag ? `_${opts.tag}` : ''}`;
  // A non-UTF-8 database needs template0 and the C locale.
  await onServer(
    baseUrl,
    opts.encoding
      ? `create database ${name} encoding '${opts.encoding}' template template0 lc_collate 'C' lc_ctype 'C'`
      : `create database ${name}`,
  );
  const url = withDatabase(baseUrl, name);
  const pool = createPool(url, undefined, opts.poolSize ?? 5);
  const drop = async () => {
    if (!pool.ended) await pool.end();
    await onServer(baseUrl, `drop database if exists ${name} with (force)`);
  };
  if (opts.migrate !== false) {
    try {
      await migrateDatabase(pool);
    } catch (err) {
      await drop().catch(() => undefined);
      throw err;
    }
  }
  return { name, url, pool, drop };
}
