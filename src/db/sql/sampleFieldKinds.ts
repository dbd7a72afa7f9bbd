import type { Queryable } from './queryable.js';
import { recordTable } from '../quoteIdent.js';

/** Tables up to this many live rows are read whole; larger ones through a repeatable sample of about this many. */
export const SAMPLE_ROWS = 5_000;

export interface FieldKindCount {
  /** null: a field of the record; otherwise the key of the list of objects whose elements hold it. */
  list: string | null;
  /** One key, or an object's key and its sub key. Empty: the list's elements themselves. */
  path: string[];
  /** bigint, numeric, boolean, timestamptz, date, text, object, array or null. */
  kind: string;
  count: number;
}

/**
 * What kinds of value each field holds in the stored rows of `endpoint`, two levels deep and also
 * inside lists. A string counts as a date-time or a date when it looks like one (a look-alike that
 * is no real date still counts: the view's cast makes that one value NULL instead of demoting the
 * whole column to text).
 */
export async function sampleFieldKinds(db: Queryable, endpoint: string): Promise<FieldKindCount[]> {
  const table = recordTable(endpoint);
  const n =
    (await db.query<{ n: number }>(`select count(*)::float8 as n from ${table} where deleted_at is null`)).rows[0]?.n ??
    0;
  const sample =
    n <= SAMPLE_ROWS
      ? `select data from ${table} where deleted_at is null`
      : `select data from ${table} tablesample system (${Math.min(100, (100 * SAMPLE_ROWS * 1.2) / n).toFixed(4)}) repeatable (16) where deleted_at is null limit ${SAMPLE_ROWS}`;
  const { rows } = await db.query<{ list: string | null; path: string[]; kind: string; count: number }>(`
    with s as (${sample}),
    top as (select e.key, e.value from s, jsonb_each(s.data) e where jsonb_typeof(s.data) = 'object'),
    sub as (select t.key as k1, e.key as k2, e.value from top t, jsonb_each(t.value) e where jsonb_typeof(t.value) = 'object'),
    el as (select t.key as list, x.value from top t, jsonb_array_elements(t.value) x where jsonb_typeof(t.value) = 'array'),
    el_top as (select el.list, e.key, e.value from el, jsonb_each(el.value) e where jsonb_typeof(el.value) = 'object'),
    el_sub as (select t.list, t.key as k1, e.key as k2, e.value from el_top t, jsonb_each(t.value) e where jsonb_typeof(t.value) = 'object'),
    kinds as (
      select null::text as list, array[key] as path, value from top
      union all select null, array[k1, k2], value from sub
      union all select list, array[]::text[], value from el
      union all select list, array[key], value from el_top
      union all select list, array[k1, k2], value from el_sub
    )
    select list, path, kind, count(*)::float8 as count
      from (select list, path,
              case jsonb_typeof(value)
                when 'number' then case when value::text ~ '^-?[0-9]+$' then 'bigint' else 'numeric' end
                when 'string' then case
                  when value #>> '{}' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}' then 'timestamptz'
                  when value #>> '{}' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' then 'date'
                  else 'text' end
                when 'boolean' then 'boolean'
                else jsonb_typeof(value)
              end as kind
            from kinds) k
     group by list, path, kind`);
  return rows;
}
