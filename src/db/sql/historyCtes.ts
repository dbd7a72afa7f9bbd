import { historyTable } from '../historyNames.js';
import { recordTable } from '../quoteIdent.js';

/**
 * The history writes of a page, as CTEs that follow `upsertCtes(…, { returnRows: true })` in the
 * same statement, so a page's versions commit with its rows or not at all: a crash can leave
 * neither a version without its row nor a row change without its version, and a page retried
 * (after a crash, or in halves) writes a version only for what its own upsert changed — an
 * unchanged record is not in `written`, so it writes nothing here either.
 *
 * - `history_changes`: one row per written record and how its version begins. The record table
 *   read here is the state before this statement (every part of one statement sees the same
 *   snapshot), so a written row that was marked deleted is an `undelete`; it is looked up only
 *   for rows that were not inserted (a first mirror pays no lookup).
 * - `history_closed`: ends the current version of updated and un-deleted records.
 * - `history_opened`: the new current versions. The uncorrelated `(select count(*) …)` runs once,
 *   before the first row is inserted, and drains `history_closed`: the old current version is
 *   closed before the new one meets the unique index of current versions (the order of CTEs is
 *   otherwise unspecified).
 *
 * `modifiedParam` is a `timestamptz[]` aligned with `idsParam`: the record's own modification
 * date-time where it carries one (see src/history/modifiedAt.ts).
 */
export function historyCtes(endpoint: string, idsParam: string, modifiedParam: string, runParam: string): string {
  const table = recordTable(endpoint);
  const history = historyTable(endpoint);
  return `
    history_changes as materialized (
      select w.id, w.data,
             case when w.is_insert then 'insert'
                  when (select cur.deleted_at from ${table} cur where cur.id = w.id) is not null then 'undelete'
                  else 'update' end as change
        from written w
    ),
    history_closed as (
      update ${history} h set valid_to = now()
        from history_changes c
       where c.change <> 'insert' and h.id = c.id and h.valid_to is null
      returning 1
    ),
    history_opened as (
      insert into ${history} (id, data, valid_from, valid_to, change, run_id, modified_at)
      select c.id, c.data, now(), null, c.change, ${runParam}::bigint, m.modified_at
        from history_changes c
        left join unnest(${idsParam}::text[], ${modifiedParam}::timestamptz[]) as m(id, modified_at) on m.id = c.id
       where (select count(*) from history_closed) >= 0
    )`;
}
