import type { Queryable } from './queryable.js';

/** Whether a table or view of that (qualified, quoted) name exists. */
export async function relationExists(db: Queryable, relation: string): Promise<boolean> {
  const { rows } = await db.query<{ r: string | null }>(`select to_regclass($1)::text as r`, [relation]);
  return rows[0]?.r != null;
}
