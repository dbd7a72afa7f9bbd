import type { Queryable } from './queryable.js';
import { recordTable } from '../quoteIdent.js';

/** The live keys of a parent endpoint, in byte order; throws a clear error when it has never been synced. */
export async function liveParentKeys(db: Queryable, parent: string, child: string): Promise<string[]> {
  try {
    const { rows } = await db.query<{ id: string }>(
      `select id from ${recordTable(parent)} where deleted_at is null order by id collate "C"`,
    );
    return rows.map((r) => r.id);
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') {
      throw new Error(`${child} lists the children of ${parent}, which has not been synced yet; sync ${parent} first`, {
        cause: err,
      });
    }
    throw err;
  }
}

/**
 * Per-parent lists keep the parent's key beside each record. Added once; a table that has the
 * column is not altered (ALTER needs ownership even when there is nothing to do).
 */
export async function ensureParentColumn(db: Queryable, endpoint: string): Promise<void> {
  const { rows } = await db.query<{ present: boolean }>(
    `select exists (select 1 from pg_attribute where attrelid = to_regclass($1) and attname = 'parent_id' and not attisdropped) as present`,
    [recordTable(endpoint)],
  );
  if (rows[0]?.present) return;
  await db.query(`alter table ${recordTable(endpoint)} add column if not exists parent_id text`);
}

/**
 * Sets the parent key of a page's rows (right after the page is stored; a walk of a per-parent list
 * always re-reads every parent, so a row a crash left without it gets it on the next walk).
 */
export async function setParentKey(db: Queryable, endpoint: string, parentId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `update ${recordTable(endpoint)} set parent_id = $1 where id = any($2::text[]) and parent_id is distinct from $1`,
    [parentId, ids],
  );
}
