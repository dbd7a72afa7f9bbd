import type { Queryable } from './queryable.js';

/**
 * Views (and materialized views) of users that are built on `relation` (e.g. `onecore_typed."orders"`):
 * while one exists, Postgres refuses to drop the relation or change a column's type, and we must
 * not do it behind the user's back either. Found through the rewrite rules that reference it.
 */
export async function viewDependents(db: Queryable, relation: string): Promise<string[]> {
  const { rows } = await db.query<{ dependent: string }>(
    `select distinct quote_ident(n.nspname) || '.' || quote_ident(v.relname) as dependent
       from pg_depend d
       join pg_rewrite w on w.oid = d.objid and d.classid = 'pg_rewrite'::regclass
       join pg_class v on v.oid = w.ev_class
       join pg_namespace n on n.oid = v.relnamespace
      where d.refclassid = 'pg_class'::regclass and d.refobjid = to_regclass($1) and v.oid <> d.refobjid
      order by 1`,
    [relation],
  );
  return rows.map((r) => r.dependent);
}
