import type { Pool, PoolClient } from '../createPool.js';
import { withTransaction } from '../withTransaction.js';
import type { Queryable } from './queryable.js';
import type { Mode } from './checkpoints.js';
import {
  jsonLines,
  recordJsonText,
  upsertCtes,
  upsertRecords,
  type RecordJson,
  type UpsertCounts,
} from './upsertRecords.js';
import { recordTable } from '../quoteIdent.js';
import { historyCtes } from './historyCtes.js';

/** A record that could not be stored, kept verbatim in `rejected_records` with the reason. */
export interface Rejection {
  reason: string;
  raw: string;
  /** Its key when it has a readable one: a mirror counts the record as seen (it exists upstream). */
  key: string | null;
  /** Postgres' own message, when Postgres refused it. */
  detail?: string | null;
}

/** What storing a page did: the upsert's counts, and every record rejected (before or by Postgres). */
export interface PageCounts extends UpsertCounts {
  rejections: Rejection[];
}

export interface PageWrite {
  endpoint: string;
  mode: Mode;
  runId: number;
  /** Mirror walks remember the page's keys under their walk id (for deletions); null otherwise. */
  walkId: number | null;
  /** The page's number within the walk (mirror_seen key). */
  pageNo: number;
  /** Distinct keys and their JSON texts (prepareRecords). */
  ids: string[];
  json: RecordJson[];
  rejections: Rejection[];
  /** Records the page held, rejected and repeated ones included. */
  recordsSeen: number;
  /** The checkpoint after this page. */
  cursorAfter: string | null;
  /**
   * History mode (`onecore_history.<endpoint>`): each record's own modification date-time,
   * aligned with `ids` (null where it carries none). Absent: the endpoint keeps no history, and
   * the page statement is the plain one.
   */
  history?: { modifiedAt: (string | null)[] } | null;
}

/**
 * Above this many characters of record JSON (bytes, for records sent as their own bytes) a page is written in several upsert statements (in
 * one transaction), so that no single parameter grows towards Postgres' 1 GB limit. A page is at
 * most the 128 MB the HTTP client accepts, so this only splits pathological pages.
 */
export const MAX_BATCH_CHARS = 32 * 1024 * 1024;

/**
 * Stores one page: its records (upsert), its rejected records, its keys for the mirror's deletion
 * pass, the checkpoint and the run's counters, atomically, so a crash at any point resumes from
 * the last committed page with nothing lost or doubled.
 *
 * Normally this is ONE statement (data-modifying CTEs), which Postgres runs as its own
 * transaction: one round trip per page instead of begin, five statements and commit. A page whose
 * JSON exceeds MAX_BATCH_CHARS is written as several upserts plus that statement inside an
 * explicit transaction. The caller must not have a transaction open.
 */
export async function storePage(
  db: Pool | PoolClient,
  p: PageWrite,
  maxBatchChars = MAX_BATCH_CHARS,
): Promise<PageCounts> {
  if (p.history && p.history.modifiedAt.length !== p.ids.length) {
    // A misaligned array would pin one record's date on another's version: refuse, loudly.
    throw new Error(`storePage: ${p.history.modifiedAt.length} modification dates for ${p.ids.length} records`);
  }
  const safe = await encodingSafe(db, p);
  try {
    return await storePageOnce(db, safe, maxBatchChars);
  } catch (err) {
    // A record Postgres refuses (a character the database encoding cannot hold, nesting jsonb
    // will not parse, an index entry too large…) must not fail its page: that page would fail
    // on every later run and the endpoint would be stuck for good. Find it and keep it aside.
    if (!isRecordRefusal(err)) throw err;
    return storePageIsolating(db, safe, maxBatchChars, err as Error);
  }
}

async function storePageOnce(db: Pool | PoolClient, p: PageWrite, maxBatchChars: number): Promise<PageCounts> {
  const batches = splitBatches(p.ids, p.json, p.history?.modifiedAt ?? null, maxBatchChars);
  const seen = seenKeys(p, p.ids);
  if (batches.length === 1) return pageStatement(db, p, batches[0]!, seen, { inserted: 0, updated: 0 });
  return withTransaction(db, async (tx) => {
    const before = { inserted: 0, updated: 0 };
    for (const b of batches.slice(0, -1)) {
      const c = p.history ? await upsertHistoryBatch(tx, p, b) : await upsertRecords(tx, p.endpoint, b.ids, b.json);
      before.inserted += c.inserted;
      before.updated += c.updated;
    }
    return pageStatement(tx, p, batches[batches.length - 1]!, seen ?? p.ids, before);
  });
}

/**
 * The page again, in one transaction: each batch is upserted under a savepoint and, when Postgres
 * refuses it, split in halves until the refused records stand alone (a few dozen statements for
 * one bad record in a page of 100). The records Postgres accepts, the refused ones (as
 * rejections, with Postgres' message) and the checkpoint then commit together as usual.
 */
async function storePageIsolating(
  db: Pool | PoolClient,
  p: PageWrite,
  maxBatchChars: number,
  first: Error,
): Promise<PageCounts> {
  try {
    return await withTransaction(db, async (tx) => {
      const found: Isolated = { ids: [], inserted: 0, updated: 0, refused: [] };
      for (const b of splitBatches(p.ids, p.json, p.history?.modifiedAt ?? null, maxBatchChars))
        await isolate(tx, p, b, found);
      const refused: Rejection[] = found.refused.map((r) => ({
        reason: REFUSED_REASON,
        raw: recordJsonText(r.json),
        key: r.id,
        detail: describePgError(r.error),
      }));
      const write = await encodingSafe(tx, {
        ...p,
        ids: found.ids,
        json: [],
        rejections: [...p.rejections, ...refused],
      });
      const none: Batch = { ids: [], json: [], modifiedAt: p.history ? [] : null };
      return pageStatement(tx, write, none, seenKeys(write, found.ids) ?? found.ids, found);
    });
  } catch (err) {
    // Nothing isolated: the page itself is the problem (say what Postgres said the first time).
    if (err !== first && isRecordRefusal(err)) throw first;
    throw err;
  }
}

export const REFUSED_REASON = 'refused by PostgreSQL';

interface Isolated {
  /** Keys written (inserted, updated or unchanged). */
  ids: string[];
  inserted: number;
  updated: number;
  refused: Array<{ id: string; json: RecordJson; error: unknown }>;
}

async function isolate(db: Queryable, p: PageWrite, b: Batch, out: Isolated): Promise<void> {
  if (b.ids.length === 0) return;
  await db.query('savepoint ocs_isolate');
  try {
    const c = p.history ? await upsertHistoryBatch(db, p, b) : await upsertRecords(db, p.endpoint, b.ids, b.json);
    await db.query('release savepoint ocs_isolate');
    out.inserted += c.inserted;
    out.updated += c.updated;
    for (const id of b.ids) out.ids.push(id);
  } catch (err) {
    await db.query('rollback to savepoint ocs_isolate');
    await db.query('release savepoint ocs_isolate');
    if (!isRecordRefusal(err)) throw err;
    if (b.ids.length === 1) {
      out.refused.push({ id: b.ids[0]!, json: b.json[0]!, error: err });
      return;
    }
    const mid = b.ids.length >> 1;
    const half = (from: number, to?: number): Batch => ({
      ids: b.ids.slice(from, to),
      json: b.json.slice(from, to),
      modifiedAt: b.modifiedAt?.slice(from, to) ?? null,
    });
    await isolate(db, p, half(0, mid), out);
    await isolate(db, p, half(mid), out);
  }
}

/**
 * Postgres refused the data, not the statement or the connection: SQLSTATE class 22 (data
 * exception: untranslatable character, invalid text, …) or 54 (program limit exceeded: index row
 * too large, stack depth of deeply nested jsonb).
 */
export function isRecordRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('54'));
}

function describePgError(err: unknown): string {
  const e = err as { message?: string; code?: string; detail?: string };
  return `${e.message ?? String(err)}${e.code ? ` (SQLSTATE ${e.code})` : ''}${e.detail ? `: ${e.detail}` : ''}`;
}

/**
 * The keys a mirror counts as seen: the stored ones and those of rejected records with a readable
 * key (they exist upstream; marking them deleted would be false). Null when that is just the
 * page's keys (the statement then reuses its key parameter).
 */
function seenKeys(p: PageWrite, stored: string[]): string[] | null {
  if (p.walkId === null) return null;
  const extra = p.rejections.filter((r) => r.key !== null).map((r) => r.key!);
  return extra.length === 0 ? null : [...stored, ...extra];
}

const utf8Servers = new WeakMap<object, boolean>();

/**
 * Rejections as the database can hold them. A UTF-8 database holds any text (prepareRecords has
 * escaped NUL); in one with another encoding a rejected record often holds exactly the character
 * the encoding lacks, so its raw text, key and message are written with every non-ASCII character
 * as a JSON `\uXXXX` escape (the same JSON, losslessly), and keys that are not ASCII are not
 * counted as seen (such a key cannot be a stored row's key there either).
 */
async function encodingSafe(db: Queryable, p: PageWrite): Promise<PageWrite> {
  if (p.rejections.length === 0) return p;
  let utf8 = utf8Servers.get(db);
  if (utf8 === undefined) {
    const { rows } = await db.query<{ e: string }>(`select current_setting('server_encoding') as e`);
    utf8 = rows[0]!.e.toUpperCase() === 'UTF8';
    utf8Servers.set(db, utf8);
  }
  if (utf8) return p;
  return {
    ...p,
    rejections: p.rejections.map((r) => ({
      reason: r.reason,
      raw: asciiEscape(r.raw),
      key: r.key !== null && NON_ASCII.test(r.key) ? null : r.key,
      detail: r.detail == null ? null : asciiEscape(r.detail),
    })),
  };
}

const NON_ASCII = /[\u0080-\uffff]/;

function asciiEscape(text: string): string {
  return text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

interface Batch {
  ids: string[];
  json: RecordJson[];
  /** History mode: modification date-times aligned with `ids`; null otherwise. */
  modifiedAt: (string | null)[] | null;
}

function splitBatches(
  ids: string[],
  json: RecordJson[],
  modifiedAt: (string | null)[] | null,
  maxChars: number,
): Batch[] {
  const out: Batch[] = [];
  let start = 0;
  let chars = 0;
  for (let i = 0; i < json.length; i++) {
    const len = json[i]!.length + 1;
    if (i > start && chars + len > maxChars) {
      out.push({
        ids: ids.slice(start, i),
        json: json.slice(start, i),
        modifiedAt: modifiedAt?.slice(start, i) ?? null,
      });
      start = i;
      chars = 0;
    }
    chars += len;
  }
  out.push(
    start === 0
      ? { ids, json, modifiedAt }
      : { ids: ids.slice(start), json: json.slice(start), modifiedAt: modifiedAt?.slice(start) ?? null },
  );
  return out;
}

/**
 * The page's one statement. Every CTE runs exactly once whether or not its rows are read; those
 * with nothing to do (no rejections; not a mirror) insert nothing. `seenIds` is the whole page's
 * keys when the batch is only its last part (null: the batch is the page).
 */
async function pageStatement(
  db: Queryable,
  p: PageWrite,
  batch: Batch,
  seenIds: string[] | null,
  before: { inserted: number; updated: number },
): Promise<PageCounts> {
  const history = p.history ? `${historyCtes(p.endpoint, '$1', '$19', '$11')},` : '';
  // The same record twice in one page is one row (the run still counts both).
  const distinct = p.rejections.length < 2 ? p.rejections : [...new Map(p.rejections.map((r) => [r.raw, r])).values()];
  const { rows } = await db.query<{ inserted: number; updated: number }>({
    name: pageStatementName(p.endpoint, p.history ? 'history' : 'plain'),
    text: `
    with ${upsertCtes(recordTable(p.endpoint), '$1', '$2', { returnRows: Boolean(p.history) })},${history}
    counts as (
      select $15::int + count(*) filter (where is_insert)::int as inserted,
             $16::int + count(*) filter (where not is_insert)::int as updated
        from written
    ),
    rejected_in as (
      select r.reason, r.raw, r.record_key, r.detail, r.n
        from unnest($12::text[], $13::text[], $17::text[], $18::text[]) with ordinality as r(reason, raw, record_key, detail, n)
    ),
    rejected_again as (
      update onecore_sync.rejected_records x set last_seen_at = now()
        from rejected_in r
       where x.endpoint = $5 and md5(x.raw) = md5(r.raw)
    ),
    rejected as (
      insert into onecore_sync.rejected_records (endpoint, run_id, reason, raw, record_key, detail)
      select $5, $11, r.reason, r.raw, r.record_key, r.detail from rejected_in r
       where not exists (select 1 from onecore_sync.rejected_records x where x.endpoint = $5 and md5(x.raw) = md5(r.raw))
       order by r.n
    ),
    seen as (
      insert into onecore_sync.mirror_seen (walk_id, page, ids)
      select $3::bigint, $4::int, coalesce($14::text[], $1::text[]) where $3::bigint is not null
      on conflict (walk_id, page) do update set ids = excluded.ids
    ),
    checkpoint as (
      update onecore_sync.checkpoints
         set cursor = $7, pages = pages + 1, records = records + $8::int, updated_at = now()
       where endpoint = $5 and mode = $6
    ),
    run as (
      update onecore_sync.sync_runs r
         set pages = r.pages + 1, records_seen = r.records_seen + $8::int, inserted = r.inserted + c.inserted,
             updated = r.updated + c.updated, unchanged = r.unchanged + ($9::int - c.inserted - c.updated),
             rejected = r.rejected + $10::int, cursor_end = $7
        from counts c
       where r.id = $11
    )
    select inserted, updated from counts`,
    values: [
      batch.ids,
      jsonLines(batch.json),
      p.mode === 'mirror' ? p.walkId : null,
      p.pageNo,
      p.endpoint,
      p.mode,
      p.cursorAfter,
      p.recordsSeen,
      p.ids.length,
      p.rejections.length,
      p.runId,
      distinct.map((r) => r.reason),
      distinct.map((r) => r.raw),
      seenIds,
      before.inserted,
      before.updated,
      distinct.map((r) => r.key),
      distinct.map((r) => r.detail ?? null),
      ...(p.history ? [batch.modifiedAt] : []),
    ],
  });
  const inserted = rows[0]!.inserted;
  const updated = rows[0]!.updated;
  return { inserted, updated, unchanged: p.ids.length - inserted - updated, rejections: p.rejections };
}

/** History mode, a batch before the last of a page too large for one statement (see storePage). */
async function upsertHistoryBatch(
  db: Queryable,
  p: PageWrite,
  batch: Batch,
): Promise<{ inserted: number; updated: number }> {
  const { rows } = await db.query<{ inserted: number; updated: number }>({
    text: `
    with ${upsertCtes(recordTable(p.endpoint), '$1', '$2', { returnRows: true })},${historyCtes(p.endpoint, '$1', '$3', '$4')}
    select count(*) filter (where is_insert)::int as inserted, count(*) filter (where not is_insert)::int as updated from written`,
    values: [batch.ids, jsonLines(batch.json), batch.modifiedAt, p.runId],
  });
  return rows[0]!;
}

const statementNames = new Map<string, string>();

/**
 * The page statement is prepared once per connection (a named statement) rather than parsed and
 * planned for every page: planning it cost as much as executing it for a page of 100 records.
 * One name per endpoint (its text names the endpoint's table), short enough for Postgres' 63-byte
 * limit whatever the endpoint is called.
 */
function pageStatementName(endpoint: string, variant: 'plain' | 'history'): string {
  const key = variant === 'plain' ? endpoint : `${endpoint}\u0000history`;
  let name = statementNames.get(key);
  if (name === undefined) {
    name = `ocs_store_page_${statementNames.size + 1}`;
    statementNames.set(key, name);
  }
  return name;
}
