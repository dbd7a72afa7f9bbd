import type { Queryable } from './queryable.js';
import type { ClientBase } from 'pg';
import type { Mode } from './checkpoints.js';
import { jsonLines, upsertCtes, upsertRecords, type UpsertCounts } from './upsertRecords.js';
import { recordTable } from '../quoteIdent.js';
import { historyCtes } from './historyCtes.js';

/** A record that could not be stored, kept verbatim in `rejected_records` with the reason. */
export interface Rejection {
  reason: string;
  raw: string;
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
  json: string[];
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
 * Above this many characters of record JSON a page is written in several upsert statements (in
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
export async function storePage(db: PageDb, p: PageWrite, maxBatchChars = MAX_BATCH_CHARS): Promise<UpsertCounts> {
  if (p.history && p.history.modifiedAt.length !== p.ids.length) {
    // A misaligned array would pin one record's date on another's version: refuse, loudly.
    throw new Error(`storePage: ${p.history.modifiedAt.length} modification dates for ${p.ids.length} records`);
  }
  const batches = splitBatches(p.ids, p.json, p.history?.modifiedAt ?? null, maxBatchChars);
  if (batches.length === 1) return pageStatement(db, p, batches[0]!, null, { inserted: 0, updated: 0 });
  await db.query('begin');
  try {
    const before = { inserted: 0, updated: 0 };
    for (const b of batches.slice(0, -1)) {
      const c = p.history ? await upsertHistoryBatch(db, p, b) : await upsertRecords(db, p.endpoint, b.ids, b.json);
      before.inserted += c.inserted;
      before.updated += c.updated;
    }
    const counts = await pageStatement(db, p, batches[batches.length - 1]!, p.ids, before);
    await db.query('commit');
    return counts;
  } catch (err) {
    await db.query('rollback').catch(() => undefined);
    throw err;
  }
}

interface Batch {
  ids: string[];
  json: string[];
  /** History mode: modification date-times aligned with `ids`; null otherwise. */
  modifiedAt: (string | null)[] | null;
}

function splitBatches(ids: string[], json: string[], modifiedAt: (string | null)[] | null, maxChars: number): Batch[] {
  const out: Batch[] = [];
  let start = 0;
  let chars = 0;
  for (let i = 0; i < json.length; i++) {
    const len = json[i]!.length + 1;
    if (i > start && chars + len > maxChars) {
      out.push({ ids: ids.slice(start, i), json: json.slice(start, i), modifiedAt: modifiedAt?.slice(start, i) ?? null });
      start = i;
      chars = 0;
    }
    chars += len;
  }
  out.push(start === 0 ? { ids, json, modifiedAt } : { ids: ids.slice(start), json: json.slice(start), modifiedAt: modifiedAt?.slice(start) ?? null });
  return out;
}

/**
 * The page's one statement. Every CTE runs exactly once whether or not its rows are read; those
 * with nothing to do (no rejections; not a mirror) insert nothing. `seenIds` is the whole page's
 * keys when the batch is only its last part (null: the batch is the page).
 */
async function pageStatement(db: PageDb, p: PageWrite, batch: Batch, seenIds: string[] | null, before: { inserted: number; updated: number }): Promise<UpsertCounts> {
  const history = p.history ? `${historyCtes(p.endpoint, '$1', '$17', '$11')},` : '';
  const { rows } = await db.query<{ inserted: number; updated: number }>({
    name: pageStatementName(p.endpoint, p.history ? 'history' : 'plain'),
    text: `
    with ${upsertCtes(recordTable(p.endpoint), '$1', '$2', { returnRows: Boolean(p.history) })},${history}
    counts as (
      select $15::int + count(*) filter (where is_insert)::int as inserted,
             $16::int + count(*) filter (where not is_insert)::int as updated
        from written
    ),
    rejected as (
      insert into onecore_sync.rejected_records (endpoint, run_id, reason, raw)
      select $5, $11, r.reason, r.raw from unnest($12::text[], $13::text[]) as r(reason, raw)
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
      p.rejections.map((r) => r.reason),
      p.rejections.map((r) => r.raw),
      seenIds,
      before.inserted,
      before.updated,
      ...(p.history ? [batch.modifiedAt] : []),
    ],
  });
  const inserted = rows[0]!.inserted;
  const updated = rows[0]!.updated;
  return { inserted, updated, unchanged: p.ids.length - inserted - updated };
}

/** History mode, a batch before the last of a page too large for one statement (see storePage). */
async function upsertHistoryBatch(db: PageDb, p: PageWrite, batch: Batch): Promise<{ inserted: number; updated: number }> {
  const { rows } = await db.query<{ inserted: number; updated: number }>({
    text: `
    with ${upsertCtes(recordTable(p.endpoint), '$1', '$2', { returnRows: true })},${historyCtes(p.endpoint, '$1', '$3', '$4')}
    select count(*) filter (where is_insert)::int as inserted, count(*) filter (where not is_insert)::int as updated from written`,
    values: [batch.ids, jsonLines(batch.json), batch.modifiedAt, p.runId],
  });
  return rows[0]!;
}

/** A pool or client: the page statement is a named (prepared) one, which needs pg's config form. */
type PageDb = Pick<ClientBase, 'query'>;

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
