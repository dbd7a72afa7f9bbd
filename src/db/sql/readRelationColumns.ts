import type { Queryable } from './queryable.js';

export interface RelationColumn {
  relation: string;
  column: string;
  /** As Postgres names it: `bigint`, `timestamp with time zone`, … */
  type: string;
  /** `comment on column`, if any. */
  comment: string | null;
}

/** The columns of every table or view in `schema`, in their order. */
export async function readRelationColumns(db: Queryable, schema: string): Promise<RelationColumn[]> {
  const { rows } = await db.query<RelationColumn>(
    `select c.relname as relation, a.attname as "column", format_type(a.atttypid, a.atttypmod) as type,
            col_description(c.oid, a.attnum) as comment
       from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm')
      order by c.relname, a.attnum`,
    [schema],
  );
  return rows;
}
