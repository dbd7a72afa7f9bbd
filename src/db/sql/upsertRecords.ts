import type { Queryable } from './queryable.js';
import { recordTable } from '../quoteIdent.js';

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/**
 * The upsert of one batch, as two CTEs to put in a `WITH` list: `written` returns one row per
 * written record (`is_insert`). The keys arrive as `text[]` (`idsParam`) and the records as ONE
 * text (`jsonParam`): their JSON texts joined by newlines (see `jsonLines`), split and cast to
 * jsonb one by one on the server. Both choices are for speed:
 * - as a `text[]` every record would be escaped into an array literal by the driver (every `"`
 *   doubled) and unescaped by the server, which cost more than the insert itself;
 * - as one JSON array (`jsonb_array_elements`) Postgres parses the page into one big jsonb first,
 *   about three times slower than parsing the records one by one.
 *
 * A row is written only when it is new, its content changed, or it comes back after being marked
 * deleted. Records whose stored row is identical are filtered out BEFORE the insert, so they are
 * not even locked: an unchanged record costs a lookup and a comparison, and writes nothing (no
 * row version, no row lock, no WAL). The `on conflict` clause keeps the same rule for a row that
 * appears between the lookup and the insert. `synced_at` moves only when the content does. Keys
 * must be unique within the batch (the engine keeps the last occurrence).
 */
export function upsertCtes(
  table: string,
  idsParam: string,
  jsonParam: string,
  opts: { returnRows?: boolean } = {},
): string {
  // History mode reads the written rows themselves (historyCtes); otherwise only the flag travels.
  const returning = opts.returnRows ? '(xmax = 0) as is_insert, t.id, t.data' : '(xmax = 0) as is_insert';
  return `
    incoming as materialized (
      select u.id, u.data::jsonb as data
        from rows from (unnest(${idsParam}::text[]), unnest(string_to_array(${jsonParam}::text, E'\n'))) as u(id, data)
    ),
    written as (
      insert into ${table} as t (id, data, synced_at, deleted_at)
      select i.id, i.data, now(), null
        from incoming i left join ${table} cur on cur.id = i.id
       where cur.id is null or cur.data is distinct from i.data or cur.deleted_at is not null
      on conflict (id) do update
         set data = excluded.data,
             synced_at = case when t.data is distinct from excluded.data then excluded.synced_at else t.synced_at end,
             deleted_at = null
       where t.data is distinct from excluded.data or t.deleted_at is not null
      returning ${returning}
    )`;
}

/**
 * A record's JSON: text serialized by the engine, or the UTF-8 bytes of the record as the page
 * sent it (src/sync/rawRecords.ts). Neither ever holds a newline.
 */
export type RecordJson = string | Uint8Array;

/** A record's JSON as text (for what keeps it as text: rejected records). */
export function recordJsonText(json: RecordJson): string {
  return typeof json === 'string' ? json : Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString('utf8');
}

/**
 * Record JSON texts as one text, one record per line, encoded as UTF-8. `JSON.stringify` escapes
 * every control character, and raw records have their newlines between tokens turned into
 * spaces, so a newline never occurs inside a record's JSON: the split is exact.
 * Encoding straight into one buffer (sent as the parameter's bytes; for a `text` parameter the
 * server takes them as the text) skips building the joined string — for any page holding a
 * non-Latin-1 character a two-byte copy of the page — and the driver's second pass to encode it.
 * Raw records are copied as they are.
 */
export function jsonLines(json: RecordJson[]): Buffer {
  let bytes = json.length > 0 ? json.length - 1 : 0;
  for (let i = 0; i < json.length; i++) {
    const j = json[i]!;
    bytes += typeof j === 'string' ? Buffer.byteLength(j, 'utf8') : j.length;
  }
  const buf = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (let i = 0; i < json.length; i++) {
    if (i > 0) buf[offset++] = 0x0a;
    const j = json[i]!;
    if (typeof j === 'string') offset += buf.write(j, offset, 'utf8');
    else {
      buf.set(j, offset);
      offset += j.length;
    }
  }
  return buf;
}

/** One statement for a batch: see `upsertCtes`. */
export async function upsertRecords(
  db: Queryable,
  endpoint: string,
  ids: string[],
  json: RecordJson[],
): Promise<UpsertCounts> {
  if (ids.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  const { rows } = await db.query<{ inserted: number; updated: number }>(
    `
    with ${upsertCtes(recordTable(endpoint), '$1', '$2')}
    select count(*) filter (where is_insert)::int as inserted,
           count(*) filter (where not is_insert)::int as updated
      from written`,
    [ids, jsonLines(json)],
  );
  const inserted = rows[0]!.inserted;
  const updated = rows[0]!.updated;
  return { inserted, updated, unchanged: ids.length - inserted - updated };
}
