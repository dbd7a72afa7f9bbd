import type { PoolClient } from '../db/createPool.js';

/**
 * One walker per endpoint across every process and machine: a session advisory lock held on the
 * connection that also writes the walk's pages. If that connection dies, Postgres releases the
 * lock, so a crashed walker never blocks the endpoint.
 */
export async function tryLockEndpoint(client: PoolClient, endpoint: string): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>(
    `select pg_try_advisory_lock(hashtextextended('onecore-sync:endpoint:' || $1, 0)) as locked`,
    [endpoint],
  );
  return rows[0]!.locked;
}

export async function unlockEndpoint(client: PoolClient, endpoint: string): Promise<void> {
  await client.query(`select pg_advisory_unlock(hashtextextended('onecore-sync:endpoint:' || $1, 0))`, [endpoint]);
}
