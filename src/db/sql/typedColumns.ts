import type { Queryable } from './queryable.js';
import type { ColumnType } from '../../views/columnType.js';
import type { typedColumns } from '../schema.js';

export type TypedColumnRow = Omit<typeof typedColumns.$inferSelect, 'type' | 'createdAt'> & { type: ColumnType };

/** The columns given so far to the views of `endpoint` (its own view and its child views). */
export async function readTypedColumns(db: Queryable, views: string[]): Promise<TypedColumnRow[]> {
  const { rows } = await db.query<TypedColumnRow>(
    `select view, path, "column", type, position, description, child_view as "childView"
       from onecore_sync.typed_columns where view = any($1::text[]) order by view, position`,
    [views],
  );
  return rows;
}

/** Adds new columns and records new types, descriptions and child views of existing ones. */
export async function saveTypedColumns(db: Queryable, rows: TypedColumnRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `insert into onecore_sync.typed_columns (view, path, "column", type, position, description, child_view)
     select r.view, array(select jsonb_array_elements_text(r.path)), r."column", r.type, r.position, r.description, r.child_view
       from jsonb_to_recordset($1::jsonb) as r(view text, path jsonb, "column" text, type text, position int, description text, child_view text)
     on conflict (view, path) do update
       set type = excluded.type, description = excluded.description, child_view = coalesce(excluded.child_view, typed_columns.child_view)
       where (typed_columns.type, typed_columns.description, typed_columns.child_view) is distinct from (excluded.type, excluded.description, coalesce(excluded.child_view, typed_columns.child_view))`,
    [
      JSON.stringify(
        rows.map((r) => ({
          view: r.view,
          path: r.path,
          column: r.column,
          type: r.type,
          position: r.position,
          description: r.description,
          child_view: r.childView,
        })),
      ),
    ],
  );
}

/** Endpoints that have a table in `onecore` (synced at least once), in name order. */
export async function listRecordTables(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'onecore' and c.relkind in ('r', 'p') order by 1`,
  );
  return rows.map((r) => r.name);
}
