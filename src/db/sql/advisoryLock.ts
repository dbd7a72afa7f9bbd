import type { Queryable } from './queryable.js';

/**
 * Session advisory locks, named (`onecore-sync:…`) and hashed the same way everywhere. Held by the
 * connection that took it until unlocked or until that connection ends (Postgres then drops it,
 * so a crashed holder never blocks anyone): callers hold a connection of their own for them.
 */
export async function tryAdvisoryLock(db: Queryable, name: string): Promise<boolean> {
  const { rows } = await db.query<{ locked: boolean }>(
    `select pg_try_advisory_lock(hashtextextended($1, 0)) as locked`,
    [name],
  );
  return rows[0]?.locked === true;
}

export async function advisoryUnlock(db: Queryable, name: string): Promise<void> {
  await db.query(`select pg_advisory_unlock(hashtextextended($1, 0))`, [name]);
}
