import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import pg from 'pg';
import { createPool, type Pool } from '../../src/db/createPool.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { withDatabase } from '../../src/db/withDatabase.js';

export { withDatabase };

export interface TestDatabase {
  url: string;
  name: string;
  pool: Pool;
  drop(): Promise<void>;
}

/**
 * A fresh database for one test file: our schemas have fixed names (`onecore`, `onecore_sync`),
 * so isolation is a database each, created from the server the run was given and dropped after.
 */
export async function createTestDatabase(opts: { migrate?: boolean; encoding?: string } = {}): Promise<TestDatabase> {
  const baseUrl = inject('databaseUrl');
  const name = `ocs_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    // A non-UTF-8 database (to meet characters its encoding cannot hold) needs template0 and the C locale.
    await admin.query(
      opts.encoding
        ? `create database ${name} encoding '${opts.encoding}' template template0 lc_collate 'C' lc_ctype 'C'`
        : `create database ${name}`,
    );
  } finally {
    await admin.end();
  }
  const url = withDatabase(baseUrl, name);
  const pool = createPool(url, undefined, 5);
  if (opts.migrate !== false) await migrateDatabase(pool);
  return {
    url,
    name,
    pool,
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
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
