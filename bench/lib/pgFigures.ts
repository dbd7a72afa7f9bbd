import pg from 'pg';
import type { Db } from './scratchDatabases.js';

/** Runs `fn` on its own connection to the server the bench was given. */
export async function onServer<T>(baseUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * Starts every timed run with Postgres' dirty buffers written out, so that no run pays for the
 * dirty buffers of the one before; where CHECKPOINT is not permitted it is asked for once only.
 */
export function checkpointer(baseUrl: string): { checkpoint(): Promise<void>; refused(): boolean } {
  let refused = false;
  return {
    async checkpoint() {
      if (refused) return;
      await onServer(baseUrl, (c) => c.query('checkpoint')).catch(() => {
        refused = true;
      });
    },
    refused: () => refused,
  };
}

export async function pgInfo(baseUrl: string): Promise<Record<string, string>> {
  return onServer(baseUrl, async (c) => {
    const out: Record<string, string> = {};
    out.version = (await c.query<{ v: string }>('select version() as v')).rows[0]!.v;
    for (const s of ['shared_buffers', 'synchronous_commit', 'max_wal_size', 'checkpoint_timeout']) {
      out[s] = (await c.query<{ v: string }>(`select current_setting('${s}') as v`)).rows[0]!.v;
    }
    return out;
  });
}

export interface RunRow {
  walkMs: number;
  pages: number;
  recordsSeen: number;
  inserted: number;
  updated: number;
  unchanged: number;
  status: string;
}

export async function lastRun(db: Db, endpoint: string, mode: string): Promise<RunRow> {
  const { rows } = await db.pool.query(
    `select extract(epoch from finished_at - started_at)::float8 * 1000 as "walkMs", pages, records_seen::float8 as "recordsSeen",
            inserted::float8 as inserted, updated::float8 as updated, unchanged::float8 as unchanged, status
       from onecore_sync.sync_runs where endpoint = $1 and mode = $2 order by id desc limit 1`,
    [endpoint, mode],
  );
  if (!rows[0]) throw new Error(`no ${mode} run recorded for ${endpoint}`);
  return rows[0] as RunRow;
}

export interface TupleCounts {
  /** n_tup_ins + n_tup_upd + n_tup_del over the `onecore` data tables. */
  data: number;
  /** The same over the `onecore_sync` bookkeeping tables. */
  bookkeeping: number;
  perTable: Record<string, { ins: number; upd: number; del: number }>;
}

async function readTupleCounts(db: Db): Promise<TupleCounts> {
  const c = await db.pool.connect();
  try {
    await c.query('select pg_stat_clear_snapshot()');
    const { rows } = await c.query<{ schemaname: string; relname: string; ins: number; upd: number; del: number }>(
      `select schemaname, relname, n_tup_ins::float8 as ins, n_tup_upd::float8 as upd, n_tup_del::float8 as del
         from pg_stat_user_tables where schemaname in ('onecore', 'onecore_sync')`,
    );
    const out: TupleCounts = { data: 0, bookkeeping: 0, perTable: {} };
    for (const r of rows) {
      const n = r.ins + r.upd + r.del;
      if (r.schemaname === 'onecore') out.data += n;
      else out.bookkeeping += n;
      out.perTable[`${r.schemaname}.${r.relname}`] = { ins: r.ins, upd: r.upd, del: r.del };
    }
    return out;
  } finally {
    c.release();
  }
}

/**
 * The child's backends report their counters when they exit, a moment after the child does:
 * read until two reads 300 ms apart agree.
 */
export async function settledTupleCounts(db: Db): Promise<TupleCounts> {
  let prev = await readTupleCounts(db);
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 300));
    const next = await readTupleCounts(db);
    if (next.data === prev.data && next.bookkeeping === prev.bookkeeping) return next;
    prev = next;
  }
  return prev;
}

export function tupleDelta(a: TupleCounts, b: TupleCounts): TupleCounts {
  const perTable: TupleCounts['perTable'] = {};
  for (const [k, v] of Object.entries(b.perTable)) {
    const o = a.perTable[k] ?? { ins: 0, upd: 0, del: 0 };
    const d = { ins: v.ins - o.ins, upd: v.upd - o.upd, del: v.del - o.del };
    if (d.ins || d.upd || d.del) perTable[k] = d;
  }
  return { data: b.data - a.data, bookkeeping: b.bookkeeping - a.bookkeeping, perTable };
}

export async function walLsn(db: Db): Promise<string> {
  return (await db.pool.query<{ l: string }>('select pg_current_wal_lsn()::text as l')).rows[0]!.l;
}

export async function walBytesSince(db: Db, lsn: string): Promise<number> {
  return (await db.pool.query<{ d: number }>('select pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::float8 as d', [lsn]))
    .rows[0]!.d;
}
