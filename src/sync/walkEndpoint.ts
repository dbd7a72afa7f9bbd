import type { Logger } from 'pino';
import type { Pool, PoolClient } from '../db/createPool.js';
import { ensureRecordTable } from '../db/sql/ensureRecordTable.js';
import { storePage } from '../db/sql/storePage.js';
import {
  beginWalk,
  completeWalk,
  forgetWalk,
  readCheckpoint,
  setCursor,
  type Checkpoint,
  type Mode,
} from '../db/sql/checkpoints.js';
import { closeAbandonedRuns, finishRun, startRun, type RunCounts, type RunStatus } from '../db/sql/syncRuns.js';
import { forgetSeen, markDeleted, planDeletions } from '../db/sql/mirrorSeen.js';
import {
  LAST_KEYS,
  lastKeysMissing,
  readBaseline,
  rememberLastKeys,
  setLiveHighWater,
} from '../db/sql/mirrorBaselines.js';
import { judgeMirror } from './mirrorSafety.js';
import { markEndpoint } from '../db/sql/endpointState.js';
import { BadRequest, Forbidden } from '../onecore/errors.js';
import type { Page } from '../onecore/page.js';
import { prepareRecords, type PreparedPage } from './prepareRecords.js';
import { readAhead } from './readAhead.js';
import { tryLockEndpoint, unlockEndpoint } from './endpointLock.js';
import { describeError } from './describeError.js';
import { detectKeyField } from './detectKeyField.js';
import { detectOrder, type ListOrder } from './detectOrder.js';
import { dateTimeNormalizer } from './naiveTimeZone.js';
import { ensureParentColumn, setParentKey } from '../db/sql/parentKeys.js';
import { ProtocolError } from '../onecore/errors.js';
import { ensureHistoryTable } from '../db/sql/historyTable.js';
import { prepareHistory } from './prepareHistory.js';
import { withTransaction } from '../db/withTransaction.js';
import { dropOldVersions } from '../db/sql/historyRetention.js';

/** Pages fetched and prepared ahead of the one being written (see walkPages). */
const PAGES_AHEAD = 2;

/** Pages of one endpoint from a cursor (null = the beginning), in order. */
export type PageSource = (endpoint: string, from: string | null, signal: AbortSignal) => AsyncIterable<Page>;

export interface WalkRequest {
  endpoint: string;
  mode: Mode;
  /** Backfill: start here instead of the beginning. */
  from?: string | null;
  /**
   * Backfill: identifies this backfill, so that a retry of the same request resumes its walk and a
   * new request starts a new one. Absent means a new walk.
   */
  requestId?: string | null;
  keyField?: string;
  /** The listing's order from the config file; detected when absent. */
  order?: ListOrder;
  /** A per-parent list (config `path` + `parent`): every walk covers every parent; rows keep `parent_id`. */
  perParent?: boolean;
  jobId?: string | null;
  /** History mode: every version of every record in `onecore_history.<endpoint>` (ONECORE_HISTORY). */
  history?: boolean;
}

/**
 * How an incremental walk treats the listing. Newest-first listings put new records on the first
 * page, where an `after` cursor never looks again: such a walk starts at the head and stops at the
 * first page whose records are all stored unchanged. It keeps a walk in its incremental checkpoint
 * (walk id, completed or not), so a run that stopped half-way is resumed before the head is
 * walked again, and so the order is remembered between runs.
 */
interface ListingPlan {
  newestFirst: boolean;
  /** Per-parent list: incremental runs walk every parent (new children can appear under any), with no early stop. */
  perParent: boolean;
  /** Judge the order from the pages (not configured). */
  detect: boolean;
}

/** The listing turned out newest-first while walking from a stored cursor: walk from the head instead. */
class NewestFirstDetected extends Error {
  override name = 'NewestFirstDetected';
}

export interface WalkDeps {
  pool: Pool;
  pages: PageSource;
  log: Logger;
  maxDeleteShare: number;
  /** ONECORE_HISTORY_KEEP_DAYS: after a mirror, closed history versions older than this are dropped. */
  historyKeepDays?: number;
  signal?: AbortSignal;
  onProgress?: (progress: WalkProgress) => void;
  /** IANA zone of date-times without an offset (ONECORE_NAIVE_TZ); default UTC. */
  naiveTimeZone?: string;
}

export interface WalkProgress {
  endpoint: string;
  mode: Mode;
  pages: number;
  records: number;
}

/** How a walk ended, with the counts it also wrote to `sync_runs`. */
export interface WalkResult extends RunCounts {
  endpoint: string;
  mode: Mode;
  runId: number;
  status: Exclude<RunStatus, 'running'>;
  cursorStart: string | null;
  cursorEnd: string | null;
  /** Why it failed, was skipped, or (mirror) why deletions were refused. */
  message?: string;
  /** Per-parent lists: parents that answered 404 and were skipped. */
  parentsGone?: number;
  error?: unknown;
}

/**
 * Walks one endpoint in one mode, from its checkpoint, and stores every page. For each page the
 * upserts, rejected records, run counters and the checkpoint commit in ONE transaction (one
 * statement, see storePage), so a crash at any point resumes from the last committed page with
 * nothing lost or doubled. The next pages are fetched and prepared while this one is written.
 *
 * Never throws for the endpoint's own outcome (failure, 403, already running): the result says.
 * It throws only if the signal aborts before the walk finished (shutdown), after committing the
 * page under way.
 */
export async function walkEndpoint(req: WalkRequest, deps: WalkDeps): Promise<WalkResult> {
  const { pool, log } = deps;
  const endpoint = req.endpoint.toLowerCase();
  // Configured, or undefined: then detected from the first page (detectKeyField).
  const keyField = req.keyField;
  const lockClient = await pool.connect();
  let broken: Error | undefined;
  try {
    if (!(await tryLockEndpoint(lockClient, endpoint))) {
      const runId = await startRun(pool, {
        endpoint,
        mode: req.mode,
        status: 'skipped',
        walkId: null,
        jobId: req.jobId ?? null,
        cursorStart: null,
      });
      const message = `${endpoint} is already being walked by another process; skipped`;
      await finishRun(pool, runId, 'skipped', { error: message });
      log.warn({ endpoint, mode: req.mode }, message);
      return emptyResult(endpoint, req.mode, runId, 'skipped', message);
    }
    try {
      await closeAbandonedRuns(lockClient, endpoint);
      await ensureRecordTable(lockClient, endpoint);
      if (req.history) await ensureHistoryTable(lockClient, endpoint);
      return await walkLocked(lockClient, endpoint, keyField, req, deps);
    } finally {
      await unlockEndpoint(lockClient, endpoint).catch((err: Error) => {
        broken = err;
      });
    }
  } catch (err) {
    broken = err as Error;
    throw err;
  } finally {
    // A connection that failed mid-walk is destroyed rather than returned to the pool.
    lockClient.release(broken);
  }
}

async function walkLocked(
  db: PoolClient,
  endpoint: string,
  keyField: string | undefined,
  req: WalkRequest,
  deps: WalkDeps,
): Promise<WalkResult> {
  const { log } = deps;
  const mode = req.mode;
  const existing = mode === 'incremental' ? await readCheckpoint(db, endpoint, 'incremental') : undefined;
  const plan: ListingPlan = {
    // Configured, or remembered from an earlier walk (only newest-first walks keep a walk id here).
    newestFirst:
      mode === 'incremental' && (req.order === 'newest-first' || (req.order === undefined && existing?.walkId != null)),
    detect: mode === 'incremental' && req.order === undefined && !req.perParent,
    perParent: req.perParent === true,
  };
  if (plan.perParent) await ensureParentColumn(db, endpoint);
  let checkpoint = await startingPoint(db, endpoint, req, plan.newestFirst || plan.perParent);
  let runId = await startRun(db, {
    endpoint,
    mode,
    walkId: checkpoint.walkId,
    jobId: req.jobId ?? null,
    cursorStart: checkpoint.cursor,
  });
  const result: WalkResult = {
    ...emptyResult(endpoint, mode, runId, 'succeeded'),
    cursorStart: checkpoint.cursor,
    cursorEnd: checkpoint.cursor,
  };
  const history = req.history === true;
  await prepareHistory(db, endpoint, history, runId, log);
  log.info(
    { endpoint, mode, runId, walkId: checkpoint.walkId, resumed: checkpoint.pages > 0 },
    checkpoint.cursor === null ? 'walk starting from the beginning' : 'walk resuming from checkpoint',
  );

  let restarted = false;
  /** Ends this run as failed with `message` and starts a new run on the walk `fresh` begins (a walk restarts at most once). */
  const restartWalk = async (message: string, fresh: () => Promise<Checkpoint>): Promise<void> => {
    restarted = true;
    log.warn({ endpoint, mode, runId }, message);
    await finishRun(deps.pool, runId, 'failed', { error: message });
    checkpoint = await fresh();
    runId = await startRun(db, {
      endpoint,
      mode,
      walkId: checkpoint.walkId,
      jobId: req.jobId ?? null,
      cursorStart: null,
    });
    Object.assign(result, emptyResult(endpoint, mode, runId, 'succeeded'));
  };
  // The keys of the last records this walk reached (see mirrorSafety.ts).
  const lastKeys: string[] = [];
  for (;;) {
    try {
      await walkPages(db, endpoint, keyField, history, checkpoint, runId, result, deps, plan, lastKeys);
      if (
        plan.detect &&
        !plan.newestFirst &&
        checkpoint.cursor !== null &&
        (await headLooksNewestFirst(endpoint, keyField, deps))
      )
        throw new NewestFirstDetected();
      break;
    } catch (err) {
      if (err instanceof NewestFirstDetected && !restarted) {
        plan.newestFirst = true;
        plan.detect = false;
        await restartWalk(
          `${endpoint} lists its newest records first; walking it from the start until a page holds nothing new (set "order": "newest-first" in ONECORE_CONFIG_FILE to skip this check)`,
          () => beginWalk(db, endpoint, 'incremental', null, null),
        );
        continue;
      }
      if (deps.signal?.aborted) {
        await finishRun(deps.pool, runId, 'failed', {
          error: 'stopped by shutdown; resumes from the checkpoint',
        }).catch(() => undefined);
        throw err;
      }
      // A stored cursor the API no longer accepts would fail every run forever: start over once.
      if (
        err instanceof BadRequest &&
        checkpoint.cursor !== null &&
        !restarted &&
        !(mode === 'backfill' && req.from && result.pages === 0 && checkpoint.cursor === req.from)
      ) {
        await restartWalk(
          `the API rejected the stored ${mode} cursor (400); restarting ${endpoint} from the beginning`,
          () =>
            mode === 'incremental' && !plan.newestFirst
              ? resetIncremental(db, endpoint)
              : beginWalk(db, endpoint, mode, null, req.requestId ?? null),
        );
        continue;
      }
      return await failed(deps, endpoint, mode, runId, result, err);
    }
  }

  if (result.recordsSeen > 0 && result.rejected === result.recordsSeen && result.cursorStart === null) {
    // Nothing usable arrived: a wrong assumption about the records, never a success. Only for a
    // walk from the beginning: an incremental run re-reading a last page that holds nothing but a
    // rejected record must not fail every run until the shop appends more.
    const err = new ProtocolError(
      `every one of the ${result.recordsSeen} records of this walk was rejected (reasons in onecore_sync.rejected_records)`,
      { endpoint },
    );
    return await failed(deps, endpoint, mode, runId, result, err);
  }
  if (result.parentsGone) {
    const gone = `${result.parentsGone} parent(s) gone (404) were skipped`;
    result.message = result.message ? `${result.message}; ${gone}` : gone;
  }
  if (mode === 'mirror') {
    await finishMirror(db, endpoint, history, checkpoint, runId, result, deps, lastKeys);
    if (history && deps.historyKeepDays !== undefined) {
      const dropped = await dropOldVersions(db, endpoint, deps.historyKeepDays);
      if (dropped > 0)
        log.info(
          { endpoint, dropped, keepDays: deps.historyKeepDays },
          'history versions older than ONECORE_HISTORY_KEEP_DAYS dropped',
        );
    }
  } else if (mode === 'backfill' || (mode === 'incremental' && (plan.newestFirst || plan.perParent))) {
    await completeWalk(db, endpoint, mode);
  } else {
    await rememberLastKeys(db, endpoint, lastKeys);
  }
  await finishRun(db, runId, result.status, {
    deleted: result.deleted,
    error: result.message ?? null,
    cursorEnd: result.cursorEnd,
  });
  if (result.status === 'incomplete') {
    await markEndpoint(db, endpoint, 'active', result.message ?? null);
    log.error(
      { ...summary(result), reason: result.message },
      `mirror incomplete: its pages are stored, but nothing was marked deleted`,
    );
  } else {
    await markEndpoint(db, endpoint, 'active', null);
    log.info(summary(result), `walk succeeded`);
  }
  return result;
}

async function walkPages(
  db: PoolClient,
  endpoint: string,
  keyField: string | undefined,
  history: boolean,
  checkpoint: Checkpoint,
  runId: number,
  result: WalkResult,
  deps: WalkDeps,
  plan: ListingPlan,
  lastKeys: string[],
): Promise<void> {
  const mode = checkpoint.mode;
  const abort = new AbortController();
  const onAbort = () => abort.abort(deps.signal?.reason);
  deps.signal?.addEventListener('abort', onAbort, { once: true });
  let pageNo = checkpoint.pages;
  try {
    // The next pages are fetched AND prepared (checked, dates normalized, serialized) while this
    // one is written: the CPU work of pages N+1 and N+2 overlaps Postgres' work on page N, and the
    // shop's time to answer is hidden behind both. Two ahead, not one: with one, the request for
    // N+2 would only go out once page N had committed, and every page would wait for the shop.
    // A newest-first incremental stops early: it reads no page ahead, so it asks for none it will not use.
    const ahead = plan.newestFirst && !plan.perParent && mode === 'incremental' ? 0 : PAGES_AHEAD;
    for await (const { page, recordCount, prepared, order } of readAhead(
      preparePages(
        deps.pages(endpoint, checkpoint.cursor, abort.signal),
        endpoint,
        keyField,
        history,
        deps.log,
        dateTimeNormalizer(deps.naiveTimeZone),
        () => plan.detect,
      ),
      ahead,
    )) {
      if (plan.detect && order !== undefined) {
        plan.detect = false;
        if (order === 'newest-first' && !plan.newestFirst) {
          // From a stored cursor this page is old news: start again at the head (nothing stored yet).
          if (checkpoint.cursor !== null) throw new NewestFirstDetected();
          deps.log.warn(
            { endpoint },
            `${endpoint} lists its newest records first; incremental runs walk from the start until a page holds nothing new`,
          );
          plan.newestFirst = true;
          await beginWalk(db, endpoint, 'incremental', null, null);
        } else if (order === 'oldest-first' && plan.newestFirst) {
          deps.log.warn(
            { endpoint },
            `${endpoint} now lists its oldest records first; incremental runs follow the after cursor again`,
          );
          plan.newestFirst = false;
          await forgetWalk(db, endpoint, 'incremental');
        }
      }
      // Incremental keeps the cursor that fetched the last page, so the next run re-reads it
      // and follows anything appended after it; mid-walk the checkpoint is the next page's cursor.
      const cursorAfter = page.hasNext ? page.next : page.cursor;
      // Upserts, rejected records, the mirror's seen keys, the checkpoint and the run's counters
      // commit together (one statement, see storePage).
      const counts = await storePage(db, {
        endpoint,
        mode,
        runId,
        walkId: mode === 'mirror' ? checkpoint.walkId! : null,
        pageNo,
        ids: prepared.ids,
        json: prepared.json,
        rejections: prepared.rejections,
        recordsSeen: recordCount,
        cursorAfter,
        history: history ? { modifiedAt: prepared.modifiedAt! } : null,
      });
      keepLastKeys(lastKeys, prepared.ids);
      pageNo += 1;
      result.pages += 1;
      result.recordsSeen += recordCount;
      result.inserted += counts.inserted;
      result.updated += counts.updated;
      result.unchanged += counts.unchanged;
      result.rejected += counts.rejections.length;
      result.cursorEnd = cursorAfter;
      if (counts.rejections.length > 0) {
        deps.log.warn(
          {
            endpoint,
            mode,
            runId,
            rejected: counts.rejections.length,
            reasons: [...new Set(counts.rejections.map((r) => (r.detail ? `${r.reason}: ${r.detail}` : r.reason)))],
          },
          'records rejected (kept in onecore_sync.rejected_records)',
        );
      }
      deps.onProgress?.({ endpoint, mode, pages: result.pages, records: result.recordsSeen });
      if (page.parentId !== undefined) await setParentKey(db, endpoint, page.parentId, prepared.ids);
      if (page.parentGone) {
        result.parentsGone = (result.parentsGone ?? 0) + 1;
        deps.log.warn({ endpoint, parent: page.parentId }, 'parent gone (404); skipped');
      }
      // Newest-first: a page with nothing new or changed means everything after it is stored too.
      // A page with rejected records proves nothing (they may be new, and Postgres' own refusals
      // show only in the counts), so the walk goes on to the next clean page.
      if (
        plan.newestFirst &&
        !plan.perParent &&
        mode === 'incremental' &&
        recordCount > 0 &&
        counts.inserted === 0 &&
        counts.updated === 0 &&
        counts.rejections.length === 0
      )
        break;
      // Shutdown: the page under way has committed; stop before the next one.
      if (deps.signal?.aborted) throw deps.signal.reason ?? new Error('aborted');
    }
  } finally {
    deps.signal?.removeEventListener('abort', onAbort);
    abort.abort();
  }
}

/** `last` becomes the last LAST_KEYS of its keys followed by `ids`. */
function keepLastKeys(last: string[], ids: string[]): void {
  const from = Math.max(0, ids.length - LAST_KEYS);
  for (let i = from; i < ids.length; i++) last.push(ids[i]!);
  if (last.length > LAST_KEYS) last.splice(0, last.length - LAST_KEYS);
}

/**
 * Pages with their rows prepared as soon as each page arrives (see walkPages). The parsed records
 * are dropped once prepared: only their rows are needed from then on, and holding two parsed
 * pages besides their rows would only raise the peak memory.
 */
// `detecting` says whether the walk still wants the listing's order: only an incremental walk
// without a configured order asks, and only until a page settles it (plan.detect only goes from
// true to false), so other pages skip detectOrder's per-record date and key parsing.
async function* preparePages(
  pages: AsyncIterable<Page>,
  endpoint: string,
  configuredKey: string | undefined,
  history: boolean,
  log: Logger,
  normalize: (s: string) => string,
  detecting: () => boolean,
): AsyncGenerator<{ page: Page; recordCount: number; prepared: PreparedPage; order: ListOrder | undefined }> {
  let keyField: string | undefined;
  for await (const page of pages) {
    if (keyField === undefined) {
      // Decided once per walk, on the first page with records: a wrong key fails the walk before
      // anything is stored, rather than rejecting every record.
      keyField = detectKeyField(endpoint, page.records, configuredKey);
      if (keyField !== undefined && configuredKey === undefined && keyField !== 'id') {
        log.warn(
          { endpoint, keyField },
          `records have no "id"; keyed by "${keyField}" (set keyField in ONECORE_CONFIG_FILE to make it explicit)`,
        );
      }
    }
    const prepared = prepareRecords(page.records, keyField ?? configuredKey ?? 'id', {
      modifiedAt: history,
      normalize,
      exactNumbers: page.exactNumbers === true,
      raw: page.raw,
    });
    const recordCount = page.records.length;
    const order = detecting() ? detectOrder(page.records, keyField ?? configuredKey ?? 'id') : undefined;
    page.records = [];
    // Records written as their own bytes keep the body alive through `prepared`; nothing else needs it.
    page.raw = undefined;
    yield { page, recordCount, prepared, order };
  }
}

/**
 * After a completed walk: mark live records the walk did not see as deleted, unless the listing
 * ended early or that would break the cap (mirrorSafety.ts: an API glitch that returns too little
 * must not wipe the mirror, at once or over several runs); then the run is `incomplete`. Either
 * way, move the incremental cursor to where the mirror ended: everything before it has been seen.
 */
async function finishMirror(
  db: PoolClient,
  endpoint: string,
  history: boolean,
  checkpoint: Checkpoint,
  runId: number,
  result: WalkResult,
  deps: WalkDeps,
  lastKeys: string[],
): Promise<void> {
  const walkId = checkpoint.walkId!;
  const walkStartedAt = checkpoint.walkStartedAt!;
  await withTransaction(db, async (tx) => {
    const plan = await planDeletions(tx, endpoint, walkId, walkStartedAt);
    const baseline = await readBaseline(tx, endpoint);
    const reached = await lastKeysMissing(tx, endpoint, walkId, walkStartedAt, baseline.lastKeys);
    const verdict = judgeMirror({
      live: plan.live,
      missing: plan.missing,
      liveHighWater: baseline.liveHighWater,
      lastKeys: reached,
      maxDeleteShare: deps.maxDeleteShare,
    });
    if (verdict.refused !== null) {
      result.status = 'incomplete';
      result.message = verdict.refused;
      deps.log.warn(
        { endpoint, runId, missing: plan.missing, live: plan.live, liveHighWater: baseline.liveHighWater },
        verdict.refused,
      );
    } else {
      // With history on, each deletion closes the record's current version in the same statement.
      if (plan.missing > 0)
        result.deleted = await markDeleted(tx, endpoint, walkId, walkStartedAt, history ? { runId } : undefined);
      if (verdict.newHighWater !== null) await setLiveHighWater(tx, endpoint, verdict.newHighWater);
      await rememberLastKeys(tx, endpoint, lastKeys);
    }
    const final = await readCheckpoint(tx, endpoint, 'mirror');
    await setCursor(tx, endpoint, 'incremental', final?.cursor ?? null);
    await completeWalk(tx, endpoint, 'mirror');
    await forgetSeen(tx, walkId);
  });
}

/** Where this walk starts: incremental from its cursor; mirror/backfill resume an unfinished walk. */
async function startingPoint(
  db: PoolClient,
  endpoint: string,
  req: WalkRequest,
  newestFirst: boolean,
): Promise<Checkpoint> {
  const existing = await readCheckpoint(db, endpoint, req.mode);
  if (req.mode === 'incremental' && newestFirst) {
    // Finish a walk that stopped half-way before starting again at the head.
    if (existing && existing.walkId !== null && existing.completedAt === null) return existing;
    return beginWalk(db, endpoint, 'incremental', null, null);
  }
  if (req.mode === 'incremental') {
    return existing ?? (await resetIncremental(db, endpoint));
  }
  const resumable = existing && existing.walkId !== null && existing.completedAt === null;
  if (req.mode === 'mirror' && resumable) return existing;
  if (req.mode === 'backfill' && resumable && req.requestId && existing.requestId === req.requestId) return existing;
  return beginWalk(db, endpoint, req.mode, req.mode === 'backfill' ? (req.from ?? null) : null, req.requestId ?? null);
}

/**
 * An incremental run from a stored cursor whose pages could not tell the order (fewer than two
 * records): one look at the head page settles it, so a newest-first listing is not mistaken for
 * one that never changes.
 */
async function headLooksNewestFirst(endpoint: string, keyField: string | undefined, deps: WalkDeps): Promise<boolean> {
  const abort = new AbortController();
  try {
    for await (const page of deps.pages(endpoint, null, abort.signal))
      return detectOrder(page.records, keyField ?? 'id') === 'newest-first';
    return false;
  } finally {
    abort.abort();
  }
}

async function resetIncremental(db: PoolClient, endpoint: string): Promise<Checkpoint> {
  await setCursor(db, endpoint, 'incremental', null);
  return (await readCheckpoint(db, endpoint, 'incremental'))!;
}

async function failed(
  deps: WalkDeps,
  endpoint: string,
  mode: Mode,
  runId: number,
  result: WalkResult,
  err: unknown,
): Promise<WalkResult> {
  const forbidden = err instanceof Forbidden;
  const status: RunStatus = forbidden ? 'forbidden' : 'failed';
  const message = forbidden ? `the API user may not read ${endpoint} (403); skipped` : describeError(err);
  // The walk's own connection may be the thing that broke: record the outcome through the pool.
  await finishRun(deps.pool, runId, status, { error: message }).catch((e: Error) =>
    deps.log.error({ endpoint, err: describeError(e) }, 'could not record the run outcome'),
  );
  await markEndpoint(deps.pool, endpoint, forbidden ? 'forbidden' : 'active', message).catch(() => undefined);
  if (forbidden) deps.log.warn({ endpoint, mode, runId }, message);
  else
    deps.log.error(
      { endpoint, mode, runId, error: message },
      'walk failed; the next run resumes from the last committed page',
    );
  return { ...result, status, message, error: err };
}

function emptyResult(
  endpoint: string,
  mode: Mode,
  runId: number,
  status: WalkResult['status'],
  message?: string,
): WalkResult {
  return {
    endpoint,
    mode,
    runId,
    status,
    pages: 0,
    recordsSeen: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    rejected: 0,
    cursorStart: null,
    cursorEnd: null,
    message,
  };
}

function summary(r: WalkResult) {
  const { error: _error, ...rest } = r;
  return rest;
}
