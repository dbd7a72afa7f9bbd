import { inject } from 'vitest';
import type pg from 'pg';
import type { Pool } from '../../src/db/createPool.js';
import { withDatabase } from '../../src/db/withDatabase.js';
import { createScratchDatabase, type ScratchDatabase } from './scratchDatabase.js';

export { withDatabase };

export type TestDatabase = ScratchDatabase;

/** A fresh database for one test file, on the server the run was given (see scratchDatabase.ts). */
export function createTestDatabase(opts: { migrate?: boolean; encoding?: string } = {}): Promise<TestDatabase> {
  return createScratchDatabase(inject('databaseUrl'), { prefix: 'ocs_test', ...opts });
}

export async function withTransaction<T>(pool: Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback');
    throw err;
  } finally {
    client.release();
  }
}
