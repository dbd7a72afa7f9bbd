import type { Queryable } from './queryable.js';

/** Drops a view (qualified, quoted name): what changing a column's type takes. */
export async function dropView(db: Queryable, relation: string): Promise<void> {
  await db.query(`drop view ${relation}`);
}
