import pg from 'pg';
import type { Logger } from 'pino';

/**
 * A pg pool whose idle-client errors (Postgres restarted, network cut) are logged instead of
 * crashing the process: the next query gets a fresh connection, and a walk that was using the
 * broken one fails and is retried from its checkpoint.
 */
export function createPool(connectionString: string, log?: Logger, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    application_name: 'onecore-sync',
  });
  pool.on('error', (err) => {
    log?.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'postgres connection lost; will reconnect');
  });
  return pool;
}

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
