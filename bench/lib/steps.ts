/** The measurements of `npm run bench` (numbered as in bench/run.ts's comment). */
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { prepareRecords } from '../../src/sync/prepareRecords.js';
import { recordJsonText } from '../../src/db/sql/upsertRecords.js';
import { recordTable } from '../../src/db/quoteIdent.js';
import { copyField, copyIn } from './copyIn.js';
import { fmt } from './fmt.js';
import {
  API_DEFAULT_PAGE_SIZE,
  cpuShare,
  rate,
  type FetchFigures,
  type IncrementalFigures,
  type MirrorFigures,
  type NaiveFigures,
  type PageSizeFigures,
  type WriteFigures,
} from './figures.js';
import { lastRun, settledTupleCounts, tupleDelta, walBytesSince, walLsn } from './pgFigures.js';
import { CpuTracker, machineCpu, postgresCpuByPid } from './procstat.js';
import { mustSucceed, runChild, type ChildRun } from './runChild.js';
import type { Db, ScratchDatabases } from './scratchDatabases.js';
import { median, medianOf } from './stats.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// The sync runs as users run it: the built JavaScript under plain node (bench/run.ts builds it
// first), so its RSS is the product's, not the TypeScript loader's.
const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const FETCH_CHILD = fileURLToPath(new URL('./fetchChild.ts', import.meta.url));
const NAIVE_CHILD = fileURLToPath(new URL('./naiveChild.ts', import.meta.url));

/** What every step needs: the run's settings, its databases and where it reports. */
export interface Bench {
  endpoint: string;
  repeat: number;
  /** Records of the naive baseline's slice. */
  naiveSlice: number;
  seed: number;
  dbs: ScratchDatabases;
  checkpoint(): Promise<void>;
  /** The sync child's environment for this database, simulator and page size. */
  childEnv(db: Db, sim: Simulator, pageSize: number): NodeJS.ProcessEnv;
  say(line: string): void;
  /** CPU of a bare `sync` process (start-up, migration check, one page), subtracted from walks; 0 until measured. */
  startupCpuMs: number;
}

function child(script: string, args: string[], db: Db, env: NodeJS.ProcessEnv, nodeFlags: string[] = []) {
  return runChild({ script, args, cwd: ROOT, env, database: db.name, nodeFlags });
}

/** 1. fetch ceiling: every page through the real client + JSON.parse, nothing written. */
export async function fetchCeiling(b: Bench, sim: Simulator, db: Db, pageSize: number): Promise<FetchFigures> {
  await b.checkpoint();
  const r = mustSucceed('fetch child', await child(FETCH_CHILD, [b.endpoint], db, b.childEnv(db, sim, pageSize)));
  const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    records: number;
    pages: number;
    ms: number;
    cpuMs: number;
  };
  const per = (ms: number) => (ms * 1000) / o.records;
  const c = { syncCpuUs: per(o.cpuMs), simulatorCpuUs: per(r.simCpuMs), postgresCpuUs: 0 };
  return {
    ...rate(o.records, o.pages, o.ms),
    peakRssMb: r.peakRssMb,
    ...cpuShare(r),
    ...c,
    totalCpuUs: c.syncCpuUs + c.simulatorCpuUs,
  };
}

/** COPY text for the endpoint's records, normalized as the engine does, in ~1 MB chunks. */
export function copyChunks(truth: unknown[], keyField: string): { chunks: Buffer[]; rows: number; bytes: number } {
  const syncedAt = new Date().toISOString();
  const chunks: Buffer[] = [];
  let rows = 0;
  let bytes = 0;
  let buf: string[] = [];
  let len = 0;
  const flush = () => {
    const b = Buffer.from(buf.join(''), 'utf8');
    chunks.push(b);
    bytes += b.length;
    buf = [];
    len = 0;
  };
  for (let i = 0; i < truth.length; i += 1000) {
    const { ids, json } = prepareRecords(truth.slice(i, i + 1000), keyField);
    for (let j = 0; j < ids.length; j++) {
      const line = `${copyField(ids[j]!)}\t${copyField(recordJsonText(json[j]!))}\t${syncedAt}\t\\N\n`;
      buf.push(line);
      len += line.length;
      rows++;
      if (len >= 1 << 20) flush();
    }
  }
  if (len > 0) flush();
  return { chunks, rows, bytes };
}

/** 2. write ceiling: COPY the same normalized rows into a fresh table of the same shape. */
export async function writeCeiling(
  b: Bench,
  db: Db,
  data: { chunks: Buffer[]; rows: number },
  rep: number,
): Promise<WriteFigures> {
  const table = `public.copy_ceiling_${rep}`;
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    await c.query(`drop table if exists ${table}`);
    await c.query(
      `create table ${table} (id text primary key, data jsonb not null, synced_at timestamptz not null default now(), deleted_at timestamptz)`,
    );
    await b.checkpoint();
    const pgCpu = new CpuTracker(() => postgresCpuByPid(db.name));
    const timer = setInterval(() => pgCpu.poll(), 500);
    const cpu0 = process.cpuUsage();
    const m0 = machineCpu();
    const started = performance.now();
    const n = await copyIn(c, `copy ${table} (id, data, synced_at, deleted_at) from stdin`, data.chunks);
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    const m1 = machineCpu();
    clearInterval(timer);
    pgCpu.poll();
    const pgMs = pgCpu.totalMs();
    const busy = m1.busyMs - m0.busyMs;
    if (n !== data.rows) throw new Error(`COPY wrote ${n} rows, expected ${data.rows}`);
    await c.query(`drop table ${table}`);
    const benchCpu = (cpu.user + cpu.system) / 1000;
    const per = (x: number) => (x * 1000) / n;
    return {
      ...rate(n, 0, ms),
      syncCores: benchCpu / ms,
      simulatorCores: 0,
      postgresCores: pgMs / ms,
      otherCores: Math.max(0, busy - benchCpu - pgMs) / ms,
      machineCores: busy / ms,
      stealCores: (m1.stealMs - m0.stealMs) / ms,
      syncCpuUs: per(benchCpu),
      simulatorCpuUs: 0,
      postgresCpuUs: per(pgMs),
      totalCpuUs: per(benchCpu + pgMs),
    };
  } finally {
    await c.end();
  }
}

/** One `sync` child on `db`: the walk's figures, the rows and WAL it wrote, the CPU it took. */
export async function syncOnce(
  b: Bench,
  sim: Simulator,
  db: Db,
  mode: 'mirror' | 'incremental',
  pageSize: number,
  nodeFlags: string[] = [],
): Promise<MirrorFigures> {
  const before = await settledTupleCounts(db);
  await b.checkpoint();
  const lsn = await walLsn(db);
  const r = mustSucceed(
    `sync --mode ${mode}`,
    await child(MAIN, ['sync', '--mode', mode, '--endpoint', b.endpoint], db, b.childEnv(db, sim, pageSize), nodeFlags),
  );
  const wal = await walBytesSince(db, lsn);
  const run = await lastRun(db, b.endpoint, mode);
  if (run.status !== 'succeeded') throw new Error(`${mode} run ended ${run.status}`);
  const after = await settledTupleCounts(db);
  const d = tupleDelta(before, after);
  const records = Math.max(1, run.recordsSeen);
  const per = (ms: number) => (ms * 1000) / records;
  const c = {
    syncCpuUs: per(Math.max(0, r.cpuMs - b.startupCpuMs)),
    simulatorCpuUs: per(r.simCpuMs),
    postgresCpuUs: per(r.pgCpuMs),
  };
  return {
    ...rate(run.recordsSeen, run.pages, run.walkMs),
    ...cpuShare(r),
    ...c,
    totalCpuUs: c.syncCpuUs + c.simulatorCpuUs + c.postgresCpuUs,
    wallMs: r.wallMs,
    peakRssMb: r.peakRssMb,
    usPerRecord: (run.walkMs * 1000) / records,
    inserted: run.inserted,
    updated: run.updated,
    unchanged: run.unchanged,
    dataRowsWritten: d.data,
    bookkeepingRowsWritten: d.bookkeeping,
    walBytesPerRecord: wal / records,
    perTable: d.perTable,
  };
}

/** 3. A first mirror into a fresh, migrated, empty database; the database is returned when kept. */
export async function firstMirror(
  b: Bench,
  sim: Simulator,
  tag: string,
  pageSize: number,
  keep: boolean,
  nodeFlags: string[] = [],
): Promise<{ figures: MirrorFigures; db?: Db }> {
  const db = await b.dbs.create(tag);
  const figures = await syncOnce(b, sim, db, 'mirror', pageSize, nodeFlags);
  const { rows } = await db.pool.query<{ n: number }>(
    `select count(*)::int as n from ${recordTable(b.endpoint)} where deleted_at is null`,
  );
  if (rows[0]!.n !== sim.count(b.endpoint))
    throw new Error(`mirror stored ${rows[0]!.n} live rows, the simulator has ${sim.count(b.endpoint)}`);
  if (keep) return { figures, db };
  await b.dbs.drop(db);
  return { figures };
}

/** 4. naive baseline: one autocommitted `insert … on conflict` per record, on a slice. */
export async function naive(b: Bench, sim: Simulator, db: Db): Promise<NaiveFigures> {
  await b.checkpoint();
  const r = mustSucceed(
    'naive child',
    await child(
      NAIVE_CHILD,
      [b.endpoint, String(b.naiveSlice), 'public.naive_orders'],
      db,
      b.childEnv(db, sim, API_DEFAULT_PAGE_SIZE),
    ),
  );
  const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as { records: number; ms: number; cpuMs: number };
  return {
    records: o.records,
    ms: o.ms,
    recordsPerSec: (o.records / o.ms) * 1000,
    usPerRecord: (o.ms * 1000) / o.records,
    syncCpuUs: (o.cpuMs * 1000) / o.records,
  };
}

/**
 * The JavaScript work every record needs in the sync process, timed here on one core: JSON.parse
 * of the page text, and prepareRecords as the sync runs it (key check, the record's own bytes with its date-times
 * rewritten: src/sync/rawRecords.ts). µs/record.
 */
export function jsWorkPerRecord(
  truth: unknown[],
  keyField: string,
  pageSize: number,
): { jsonParseUs: number; prepareUs: number } {
  const pages: string[] = [];
  for (let i = 0; i < truth.length; i += pageSize)
    pages.push(JSON.stringify({ items: truth.slice(i, i + pageSize), metadata: { hasNext: true, next: 'after=x' } }));
  const bodies = pages.map((p) => Buffer.from(p, 'utf8'));
  const parseMs: number[] = [];
  const prepareMs: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const parsed: unknown[][] = [];
    let t = performance.now();
    for (const p of pages) parsed.push((JSON.parse(p) as { items: unknown[] }).items);
    parseMs.push(performance.now() - t);
    t = performance.now();
    for (const [k, records] of parsed.entries())
      prepareRecords(records, keyField, { raw: { bytes: bodies[k]!, recordsPath: 'items' } });
    prepareMs.push(performance.now() - t);
  }
  return { jsonParseUs: (median(parseMs) * 1000) / truth.length, prepareUs: (median(prepareMs) * 1000) / truth.length };
}

export async function startSim(b: Bench, records: number): Promise<Simulator> {
  const sim = await startSimulator({ records: { [b.endpoint]: records }, seed: b.seed });
  const g0 = performance.now();
  sim.count(b.endpoint); // generate up front: the walks measure serving, not generating
  b.say(
    `simulator: ${records.toLocaleString('en-US')} ${b.endpoint} generated in ${((performance.now() - g0) / 1000).toFixed(1)} s`,
  );
  return sim;
}

/** How busy the machine is before we start (someone else's work skews every figure). */
export async function idleLoad(ms = 2000): Promise<number> {
  const m0 = machineCpu();
  await new Promise((r) => setTimeout(r, ms));
  return (machineCpu().busyMs - m0.busyMs) / ms;
}

/** 6. incremental with nothing new: requests per endpoint. */
async function incrementalNothingNew(b: Bench, sim: Simulator, db: Db, pageSize: number): Promise<IncrementalFigures> {
  sim.resetStats();
  const before = await settledTupleCounts(db);
  await b.checkpoint();
  const r: ChildRun = mustSucceed(
    'sync --mode incremental',
    await child(MAIN, ['sync', '--mode', 'incremental', '--endpoint', b.endpoint], db, b.childEnv(db, sim, pageSize)),
  );
  const run = await lastRun(db, b.endpoint, 'incremental');
  const after = await settledTupleCounts(db);
  return {
    requests: sim.stats().requests[b.endpoint] ?? 0,
    recordsSeen: run.recordsSeen,
    wallMs: r.wallMs,
    cpuMs: r.cpuMs,
    peakRssMb: r.peakRssMb,
    dataRowsWritten: after.data - before.data,
  };
}

/** Steps 1, 3, 6 and 5 at one page size, on the N-record simulator. */
export async function atPageSize(
  b: Bench,
  sim: Simulator,
  ceilingDb: Db,
  pageSize: number,
  tag: string,
): Promise<Omit<PageSizeFigures, 'scale4N' | 'million' | 'ratios' | 'bounds' | 'targets' | 'note'>> {
  const { say, endpoint } = b;
  const label = `pageSize ${pageSize}`;
  const fetchReps: FetchFigures[] = [];
  for (let i = 0; i < b.repeat; i++) {
    const f = await fetchCeiling(b, sim, ceilingDb, pageSize);
    fetchReps.push(f);
    say(`1. fetch ceiling, ${label} #${i + 1}: ${fmt(f.recordsPerSec)} records/s (${fmt(f.ms)} ms, ${f.pages} pages)`);
  }
  const mirrorReps: MirrorFigures[] = [];
  let kept: Db | undefined;
  for (let i = 0; i < b.repeat; i++) {
    const { figures, db } = await firstMirror(b, sim, `${tag}m${i}`, pageSize, i === b.repeat - 1);
    if (db) kept = db;
    mirrorReps.push(figures);
    say(
      `3. first mirror, ${label} #${i + 1}: ${fmt(figures.recordsPerSec)} records/s, ${fmt(figures.pagesPerSec, 1)} pages/s, peak RSS ${fmt(figures.peakRssMb, 1)} MB (walk ${fmt(figures.ms)} ms, process ${fmt(figures.wallMs)} ms)`,
    );
  }
  // 6 first: a bare process's cost (start-up, one page) is also what the walks leave out.
  const incReps: IncrementalFigures[] = [];
  for (let i = 0; i < b.repeat; i++) {
    const inc = await incrementalNothingNew(b, sim, kept!, pageSize);
    incReps.push(inc);
    say(
      `6. incremental, nothing new, ${label} #${i + 1}: ${inc.requests} request(s) to ${endpoint}, ${inc.recordsSeen} records re-read, data rows written ${inc.dataRowsWritten}; process ${fmt(inc.wallMs)} ms, peak RSS ${fmt(inc.peakRssMb, 1)} MB`,
    );
  }
  const incM = medianOf(incReps);
  if (b.startupCpuMs === 0) {
    b.startupCpuMs = incM.cpuMs;
    // The mirrors above were measured before the baseline was known: take it out of them now.
    for (const m of mirrorReps) {
      const sync = Math.max(0, m.syncCpuUs - (b.startupCpuMs * 1000) / Math.max(1, m.records));
      m.totalCpuUs += sync - m.syncCpuUs;
      m.syncCpuUs = sync;
    }
  }
  const unchangedReps: MirrorFigures[] = [];
  for (let i = 0; i < b.repeat; i++) {
    const u = await syncOnce(b, sim, kept!, 'mirror', pageSize);
    unchangedReps.push(u);
    say(
      `5. unchanged re-mirror, ${label} #${i + 1}: ${fmt(u.recordsPerSec)} records/s, rows written: data ${u.dataRowsWritten}, bookkeeping ${u.bookkeepingRowsWritten} (unchanged ${u.unchanged}); WAL ${fmt(u.walBytesPerRecord, 1)} B/record`,
    );
  }
  await b.dbs.drop(kept!);
  return {
    pageSize,
    fetchCeiling: { median: medianOf(fetchReps), reps: fetchReps },
    firstMirror: { median: medianOf(mirrorReps), reps: mirrorReps },
    unchangedMirror: { median: medianOf(unchangedReps), reps: unchangedReps },
    incrementalNothingNew: { median: incM, reps: incReps },
  };
}
