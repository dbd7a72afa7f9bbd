import type { Pool, PoolClient } from './createPool.js';

/**
 * Runs `fn` in one transaction: begin, then commit, or roll back when `fn` throws (the error goes
 * on as it was). Given a pool, a connection is checked out for it, and one that saw an error is
 * destroyed rather than returned to the pool (it may be the thing that broke). Given a connection
 * the caller holds (under its session locks), the transaction runs on that one, which must not
 * have a transaction open; savepoints inside `fn` stay `fn`'s own business.
 */
export async function withTransaction<T>(db: Pool | PoolClient, fn: (tx: PoolClient) => Promise<T>): Promise<T> {
  if (!isHeld(db)) {
    const client = await db.connect();
    try {
      const out = await withTransaction(client, fn);
      client.release();
      return out;
    } catch (err) {
      client.release(err instanceof Error ? err : true);
      throw err;
    }
  }
  await db.query('begin');
  try {
    const out = await fn(db);
    await db.query('commit');
    return out;
  } catch (err) {
    await db.query('rollback').catch(() => undefined);
    throw err;
  }
}

/** A checked-out connection (it has `release`), not the pool. */
function isHeld(db: Pool | PoolClient): db is PoolClient {
  return typeof (db as Partial<PoolClient>).release === 'function';
}
