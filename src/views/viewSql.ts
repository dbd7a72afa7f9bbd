import pg from 'pg';
import { quoteIdent, recordTable } from '../db/quoteIdent.js';
import type { TypedColumnRow } from '../db/sql/typedColumns.js';
import type { ColumnType } from './columnType.js';

export const TYPED_SCHEMA = 'onecore_typed';

/** `onecore_typed."orders"`. */
export function typedView(view: string): string {
  return `${TYPED_SCHEMA}.${quoteIdent(view)}`;
}

/**
 * The endpoint's typed view: every stored row (live and deleted, `deleted_at` says which) with the
 * key, when it was stored, and one column per field. Every cast goes through a helper that gives
 * NULL for a value that does not fit (see the migration that creates onecore_sync.typed_*), so no
 * row can make a query on the view fail.
 */
export function parentViewSql(endpoint: string, columns: TypedColumnRow[]): string {
  const fields = columns.map((c) => `,\n  ${extract('r.data', c.path, c.type)} as ${quoteIdent(c.column)}`).join('');
  return `create or replace view ${typedView(endpoint)} as\nselect r.id, r.synced_at, r.deleted_at${fields}\n  from ${recordTable(endpoint)} r`;
}

/**
 * A child view: one row per element of the list `listKey` of each record, with the record's key
 * (`parent_id`) and the element's place in the list (`position`, from 1).
 */
export function childViewSql(endpoint: string, view: string, listKey: string, columns: TypedColumnRow[]): string {
  const list = `r.data -> ${literal(listKey)}`;
  const fields = columns.map((c) => `,\n  ${extract('e.value', c.path, c.type)} as ${quoteIdent(c.column)}`).join('');
  return `create or replace view ${typedView(view)} as\nselect r.id as parent_id, e.position, r.synced_at, r.deleted_at${fields}\n  from ${recordTable(endpoint)} r\n  cross join lateral jsonb_array_elements(case when jsonb_typeof(${list}) = 'array' then ${list} end) with ordinality as e(value, position)`;
}

function extract(base: string, path: string[], type: ColumnType): string {
  const parents = path.slice(0, -1).map((p) => ` -> ${literal(p)}`).join('');
  const last = literal(path[path.length - 1]!);
  const text = `${base}${parents} ->> ${last}`;
  switch (type) {
    case 'text':
      return text;
    case 'jsonb':
      return `nullif(${base}${parents} -> ${last}, 'null'::jsonb)`;
    default:
      return `onecore_sync.typed_${type}(${text})`;
  }
}

function literal(s: string): string {
  return pg.escapeLiteral(s);
}
