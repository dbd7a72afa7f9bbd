import pg from 'pg';
import { quoteIdent, recordTable } from '../db/quoteIdent.js';
import { historyTable } from '../db/historyNames.js';
import type { TypedColumnRow } from '../db/sql/typedColumns.js';
import type { ColumnType } from './columnType.js';

export const TYPED_SCHEMA = 'onecore_typed';
/**
 * Typed history views live in a schema of their own, under the endpoint's own name: in
 * `onecore_typed` a suffix could meet a child view (`orders__history` for a list field `history`),
 * in `onecore_history` one could meet another endpoint's table (`orders_typed`).
 */
export const TYPED_HISTORY_SCHEMA = 'onecore_typed_history';

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
  const fields = fieldColumns('r.data', columns);
  return `create or replace view ${typedView(endpoint)} as\nselect r.id, r.synced_at, r.deleted_at${fields}\n  from ${recordTable(endpoint)} r`;
}

/**
 * A child view: one row per element of the list `listKey` of each record, with the record's key
 * (`parent_id`) and the element's place in the list (`position`, from 1).
 */
export function childViewSql(endpoint: string, view: string, listKey: string, columns: TypedColumnRow[]): string {
  const list = `r.data -> ${literal(listKey)}`;
  const fields = fieldColumns('e.value', columns);
  return `create or replace view ${typedView(view)} as\nselect r.id as parent_id, e.position, r.synced_at, r.deleted_at${fields}\n  from ${recordTable(endpoint)} r\n  cross join lateral jsonb_array_elements(case when jsonb_typeof(${list}) = 'array' then ${list} end) with ordinality as e(value, position)`;
}

/** `onecore_typed_history."orders"`. */
export function typedHistoryView(endpoint: string): string {
  return `${TYPED_HISTORY_SCHEMA}.${quoteIdent(endpoint)}`;
}

/**
 * The endpoint's typed history view: every version in `onecore_history.<endpoint>` with its
 * validity and the same typed columns as the endpoint's typed view (same names, types and casts).
 */
export function historyViewSql(endpoint: string, columns: TypedColumnRow[]): string {
  const fields = fieldColumns('h.data', columns);
  return `create or replace view ${typedHistoryView(endpoint)} as\nselect h.id, h.valid_from, h.valid_to, h.change, h.run_id, h.modified_at${fields}\n  from ${historyTable(endpoint)} h`;
}

/** `,\n  <typed expression> as <column>` for each column, reading the fields from `base` (jsonb). */
function fieldColumns(base: string, columns: TypedColumnRow[]): string {
  return columns.map((c) => `,\n  ${extract(base, c.path, c.type)} as ${quoteIdent(c.column)}`).join('');
}

function extract(base: string, path: string[], type: ColumnType): string {
  const parents = path
    .slice(0, -1)
    .map((p) => ` -> ${literal(p)}`)
    .join('');
  const last = literal(path[path.length - 1]!);
  const json = `${base}${parents} -> ${last}`;
  const text = `${base}${parents} ->> ${last}`;
  switch (type) {
    case 'text':
      return text;
    case 'jsonb':
      return `nullif(${json}, 'null'::jsonb)`;
    // Date-times, dates and numbers have faster casts that read the jsonb value too (see the
    // migration that creates their jsonb forms); they give the same results as the text forms.
    case 'timestamptz':
    case 'date':
      return `onecore_sync.typed_${type}(${json}, ${text})`;
    case 'numeric':
      return `onecore_sync.typed_numeric(${json})`;
    default:
      return `onecore_sync.typed_${type}(${text})`;
  }
}

function literal(s: string): string {
  return pg.escapeLiteral(s);
}
