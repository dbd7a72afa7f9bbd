import type { TypedColumnRow } from '../db/sql/typedColumns.js';
import { widen, type ColumnType } from './columnType.js';
import { pathColumnName, uniqueName } from './columnName.js';
import type { FieldShape } from './recordShape.js';

/** A column a view should have: where its value sits and what type the source gives it. */
export interface WantedColumn {
  path: string[];
  type: ColumnType;
  description?: string;
  /** Typed by the shop's OpenAPI document (authoritative), not inferred from rows (which only widen). */
  declared: boolean;
  /** A list of objects: the fields of its elements (the child view). */
  items?: FieldShape[];
}

export interface ViewPlan {
  view: string;
  /** Every column, in view order: kept, added and those whose field vanished (they stay). */
  columns: TypedColumnRow[];
  added: string[];
  retyped: Array<{ column: string; from: ColumnType; to: ColumnType }>;
}

/** The fixed columns of a view, before the fields; a field never takes one of these names. */
export const PARENT_COLUMNS = ['id', 'synced_at', 'deleted_at'] as const;
export const CHILD_COLUMNS = ['parent_id', 'position', 'synced_at', 'deleted_at'] as const;
/** The fixed columns of a typed history view (`onecore_typed_history.<endpoint>`). */
export const HISTORY_COLUMNS = ['id', 'valid_from', 'valid_to', 'change', 'run_id', 'modified_at'] as const;

/**
 * The typed view's columns as the typed history view has them: the same names and types, except
 * that a field whose column meets a fixed history column (a field `modifiedAt` is `modified_at`)
 * takes the next free `_2`, `_3`… there rather than being left out.
 */
export function historyViewColumns(columns: TypedColumnRow[]): TypedColumnRow[] {
  const taken = new Set<string>([...HISTORY_COLUMNS, ...columns.map((c) => c.column)]);
  return columns.map((c) => {
    if (!(HISTORY_COLUMNS as readonly string[]).includes(c.column)) return c;
    const column = uniqueName(c.column, taken);
    taken.add(column);
    return { ...c, column };
  });
}

/** The columns of a record shape: scalars as they are, objects one level down as `key__sub`. */
export function wantedColumns(fields: FieldShape[], skipKey?: string): WantedColumn[] {
  const out: WantedColumn[] = [];
  for (const f of fields) {
    if (skipKey !== undefined && f.key.toLowerCase() === skipKey.toLowerCase()) continue;
    if (f.fields) {
      for (const s of f.fields)
        out.push({ path: [f.key, s.key], type: s.type, description: s.description, declared: s.declared === true });
    } else {
      out.push({
        path: [f.key],
        type: f.type,
        description: f.description,
        declared: f.declared === true,
        ...(f.items ? { items: f.items } : {}),
      });
    }
  }
  return out;
}

/**
 * Matches what a view should have with what it has had: a known field keeps its name and place;
 * a new field gets a snake_case name no other column has (`_2`, `_3`… on a collision) and goes at
 * the end; a field no longer seen keeps its column. A type inferred from rows only ever widens
 * (a sample without decimals does not turn numeric back into bigint); a declared type is taken as
 * declared. Whether a retype may happen is the caller's decision (dependent views).
 */
export function planView(
  view: string,
  reserved: readonly string[],
  wanted: WantedColumn[],
  stored: TypedColumnRow[],
): ViewPlan {
  const byPath = new Map(stored.map((c) => [JSON.stringify(c.path), { ...c }]));
  const taken = new Set<string>([...reserved, ...stored.map((c) => c.column)]);
  let next = stored.reduce((m, c) => Math.max(m, c.position), 0) + 1;
  const plan: ViewPlan = { view, columns: [], added: [], retyped: [] };
  for (const w of wanted) {
    const id = JSON.stringify(w.path);
    const have = byPath.get(id);
    if (have) {
      const type = w.declared ? w.type : widen(have.type, w.type);
      if (type !== have.type) plan.retyped.push({ column: have.column, from: have.type, to: type });
      have.type = type;
      if (w.description !== undefined) have.description = w.description;
      continue;
    }
    const column = uniqueName(pathColumnName(w.path), taken);
    taken.add(column);
    byPath.set(id, {
      view,
      path: w.path,
      column,
      type: w.type,
      position: next++,
      description: w.description ?? null,
      childView: null,
    });
    plan.added.push(column);
  }
  plan.columns = [...byPath.values()].sort((a, b) => a.position - b.position);
  return plan;
}
