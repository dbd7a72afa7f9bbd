import type { Queryable } from './queryable.js';
import { recordTable } from '../quoteIdent.js';

/** Where a mirror or backfill walk stands (the latest one of its mode). */
export interface WalkSummary {
  walkId: number | null;
  pages: number;
  records: number;
  startedAt: Date | null;
  completedAt: Date | null;
}

export interface EndpointStatusRow {
  endpoint: string;
  status: string;
  source: string | null;
  incrementalCursor: string | null;
  incrementalUpdatedAt: Date | null;
  mirrorWalk: WalkSummary | null;
  backfillWalk: WalkSummary | null;
  lastRun: {
    id: number;
    mode: string;
    status: string;
    startedAt: Date;
    finishedAt: Date | null;
    pages: number;
    recordsSeen: number;
    inserted: number;
    updated: number;
    unchanged: number;
    deleted: number;
    rejected: number;
    error: string | null;
  } | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  rows: { live: number; deleted: number } | null;
  rejectedTotal: number;
}

/** Everything `status` shows, per endpoint known to the database. */
export async function readStatus(db: Queryable): Promise<EndpointStatusRow[]> {
  const { rows } = await db.query<{ name: string }>(
    `select name from onecore_sync.endpoints
     union select endpoint from onecore_sync.checkpoints
     union select endpoint from onecore_sync.sync_runs
     order by 1`,
  );
  const out: EndpointStatusRow[] = [];
  for (const { name } of rows) {
    const ep = (
      await db.query(`select status, source, last_success_at, last_error from onecore_sync.endpoints where name = $1`, [
        name,
      ])
    ).rows[0];
    const cps = (
      await db.query(
        `select mode, cursor, walk_id::float8 as walk_id, pages, records::float8 as records, walk_started_at, completed_at, updated_at from onecore_sync.checkpoints where endpoint = $1`,
        [name],
      )
    ).rows;
    const inc = cps.find((c) => c.mode === 'incremental');
    const walk = (mode: string) => {
      const c = cps.find((x) => x.mode === mode);
      return c
        ? {
            walkId: c.walk_id,
            pages: c.pages,
            records: c.records,
            startedAt: c.walk_started_at,
            completedAt: c.completed_at,
          }
        : null;
    };
    const run = (
      await db.query(
        `select id::float8 as id, mode, status, started_at, finished_at, pages, records_seen::float8 as rs, inserted::float8 as ins, updated::float8 as upd,
              unchanged::float8 as unch, deleted::float8 as del, rejected::float8 as rej, error
         from onecore_sync.sync_runs where endpoint = $1 and status <> 'skipped' order by id desc limit 1`,
        [name],
      )
    ).rows[0];
    let counts: EndpointStatusRow['rows'] = null;
    const exists = (await db.query(`select to_regclass($1) is not null as e`, [recordTable(name)])).rows[0]?.e;
    if (exists) {
      const c = (
        await db.query(
          `select count(*) filter (where deleted_at is null)::float8 as live, count(*) filter (where deleted_at is not null)::float8 as deleted from ${recordTable(name)}`,
        )
      ).rows[0];
      counts = { live: c?.live ?? 0, deleted: c?.deleted ?? 0 };
    }
    const rej = (
      await db.query(`select count(*)::float8 as n from onecore_sync.rejected_records where endpoint = $1`, [name])
    ).rows[0];
    out.push({
      endpoint: name,
      status: ep?.status ?? 'active',
      source: ep?.source ?? null,
      incrementalCursor: inc?.cursor ?? null,
      incrementalUpdatedAt: inc?.updated_at ?? null,
      mirrorWalk: walk('mirror'),
      backfillWalk: walk('backfill'),
      lastRun: run
        ? {
            id: run.id,
            mode: run.mode,
            status: run.status,
            startedAt: run.started_at,
            finishedAt: run.finished_at,
            pages: run.pages,
            recordsSeen: run.rs,
            inserted: run.ins,
            updated: run.upd,
            unchanged: run.unch,
            deleted: run.del,
            rejected: run.rej,
            error: run.error,
          }
        : null,
      lastSuccessAt: ep?.last_success_at ?? null,
      lastError: ep?.last_error ?? null,
      rows: counts,
      rejectedTotal: rej?.n ?? 0,
    });
  }
  return out;
}
