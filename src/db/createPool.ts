import pg from 'pg';
import type { Logger } from 'pino';
import { describePgError } from './describePgError.js';

export interface PoolOptions {
  /** Connections at most. */
  max?: number;
  /** Shown in pg_stat_activity (health checks get their own name). */
  applicationName?: string;
  /** `statement_timeout` of every connection, in ms; none when absent. */
  statementTimeoutMs?: number;
  connectionTimeoutMs?: number;
}

/**
 * A pg pool that survives Postgres going away (restart, failover, a terminated session, a cut
 * network). A pg client whose socket dies emits `error`; the pool listens only while a client is
 * idle, and an `error` event nobody listens to ends the process ("Unhandled 'error' event"). So
 * every client gets its own listener the moment the pool creates it, for its whole life: a walk
 * whose connection dies sees its next query fail, fails cleanly, and is retried from its
 * checkpoint; the pool hands out fresh connections once Postgres is back.
 */
export function createPool(connectionString: string, log?: Logger, maxOrOptions: number | PoolOptions = 10): pg.Pool {
  const o: PoolOptions = typeof maxOrOptions === 'number' ? { max: maxOrOptions } : maxOrOptions;
  const pool = new pg.Pool({
    connectionString,
    max: o.max ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: o.connectionTimeoutMs ?? 10_000,
    application_name: o.applicationName ?? 'onecore-sync',
    // Idle connections never keep a finished command alive: a command that failed before it
    // closed its pool would otherwise sit silently until idleTimeoutMillis (30 s) passed.
    allowExitOnIdle: true,
    ...(o.statementTimeoutMs !== undefined ? { statement_timeout: o.statementTimeoutMs } : {}),
  });
  let lastLogged = 0;
  const onLost = (err: Error) => {
    // A restart breaks every connection at once: one line per second is enough.
    if (Date.now() - lastLogged < 1_000) return;
    lastLogged = Date.now();
    log?.warn(
      { err: { message: err.message, code: (err as { code?: string }).code } },
      `postgres connection lost (${describePgError(err)}); will reconnect`,
    );
  };
  pool.on('error', onLost);
  pool.on('connect', (client) => client.on('error', onLost));
  return pool;
}

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
