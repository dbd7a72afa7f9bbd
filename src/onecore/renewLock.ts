import type { Pool } from '../db/createPool.js';
import { advisoryUnlock, tryAdvisoryLock } from '../db/sql/advisoryLock.js';

/**
 * Single flight of token renewal across every process: a session advisory lock, taken with
 * `pg_try_advisory_lock` on a connection of its own and released when the renewal is written.
 * Session-level, not a row lock, because a row lock needs an open transaction, and no transaction
 * may be open while we wait for the shop (see tokenService.ts). If the lock's connection dies,
 * Postgres drops the lock; the write that follows a renewal is guarded by a compare-and-set on the
 * refresh token, so even then nothing is lost or overwritten.
 */
export interface RenewLock {
  release(): Promise<void>;
}

const LOCK = 'onecore-sync:renew-tokens';

/** The lock, or null when another session holds it (the caller waits and looks again). */
export async function acquireRenewLock(pool: Pool): Promise<RenewLock | null> {
  const client = await pool.connect();
  let locked: boolean;
  try {
    locked = await tryAdvisoryLock(client, LOCK);
  } catch (err) {
    client.release(err as Error);
    throw err;
  }
  if (!locked) {
    client.release();
    return null;
  }
  return {
    async release() {
      try {
        await advisoryUnlock(client, LOCK);
        client.release();
      } catch (err) {
        // A broken connection has lost the lock anyway; do not return it to the pool.
        client.release(err as Error);
      }
    },
  };
}
