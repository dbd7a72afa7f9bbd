import type { PoolClient } from '../db/createPool.js';
import { advisoryUnlock, tryAdvisoryLock } from '../db/sql/advisoryLock.js';

/**
 * One walker per endpoint across every process and machine: a session advisory lock held on the
 * connection that also writes the walk's pages. If that connection dies, Postgres releases the
 * lock, so a crashed walker never blocks the endpoint.
 */
export function tryLockEndpoint(client: PoolClient, endpoint: string): Promise<boolean> {
  return tryAdvisoryLock(client, `onecore-sync:endpoint:${endpoint}`);
}

export function unlockEndpoint(client: PoolClient, endpoint: string): Promise<void> {
  return advisoryUnlock(client, `onecore-sync:endpoint:${endpoint}`);
}
