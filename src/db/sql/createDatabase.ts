import { quoteIdent } from '../quoteIdent.js';
import type { Queryable } from './queryable.js';

/** Creates the database unless it exists (connected to another database of the server). */
export async function createDatabaseIfMissing(db: Queryable, name: string): Promise<void> {
  const exists = await db.query(`select 1 from pg_database where datname = $1`, [name]);
  if (exists.rowCount === 0) await db.query(`create database ${quoteIdent(name)}`);
}
