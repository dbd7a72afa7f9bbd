/**
 * `npm run bench`: end-to-end throughput of the sync against this machine's own ceilings, memory
 * that stays flat, and writes only for changes — all in one run, against real Postgres.
 *
 *   npm run bench -- [--records N] [--json PATH] [--repeat R] [--scale-repeat R] [--naive K]
 *                    [--page-size P] [--endpoint NAME] [--profile] [--million] [--keep]
 *                    [--latencies 50,200,500 | 0]
 *
 * The simulator runs in this process; every sync runs as a child process
 * (`node --import tsx src/cli/main.ts sync --mode … --endpoint orders`, ONECORE_MAX_RPS=0,
 * LOG_LEVEL=warn), so its peak RSS (VmHWM) and CPU time are its own. Each measurement runs in its
 * own scratch database (`ocs_bench_<random>_…`), all dropped at the end. Steps:
 *   1. fetch ceiling — every page through the real client + JSON.parse, nothing written
 *   2. write ceiling — COPY the same normalized rows into a fresh table of the same shape
 *   3. first mirror into an empty database — records/s, pages/s, peak RSS
 *   4. naive baseline — one autocommitted `insert … on conflict` per record, on a slice (--naive)
 *   5. unchanged re-mirror — records/s and rows written (pg_stat_user_tables)
 *   6. incremental with nothing new — requests per endpoint
 *   7. scale — first mirror at N and 4N: cost per record and peak RSS
 *   8. a remote shop — every endpoint with latency and ONECORE_MAX_RPS=10 (remoteShop.ts)
 * Each is repeated (--repeat, default 3; 4N: --scale-repeat, default 3) and the median reported.
 * What depends on the page size (1, 3, 5, 6, 7) is measured at the API's default page size (100)
 * and again at --page-size P (default 1000; 0 skips it), asked for through ONECORE_CONFIG_FILE
 * (`{"endpoints":{"orders":{"pageSizeParam":"pageSize","pageSize":P}}}`); each target is judged
 * at both. --profile adds one mirror under `node --cpu-prof` and prints where its time went.
 * --million adds a 1,000,000-record first mirror at each page size (peak RSS at a million).
 * The report ends with bounds computed from the measurements: what this machine allows at best,
 * and how much of it each target needs.
 *
 * Postgres is asked for a CHECKPOINT before each timed run, so that no run pays for the dirty
 * buffers of the one before (ignored where not permitted).
 *
 * Needs DATABASE_URL (a server where it may CREATE DATABASE; default
 * postgres://postgres@127.0.0.1:5432/postgres). Redis is not used.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { prepareRecords } from '../src/sync/prepareRecords.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { createPool, type Pool } from '../src/db/createPool.js';
import { recordTable } from '../src/db/quoteIdent.js';
import { withDatabase } from '../src/db/withDatabase.js';
import { copyField, copyIn } from './lib/copyIn.js';
import { CpuTracker, machineCpu, postgresCpuByPid, sampleProcess } from './lib/procstat.js';
import { renderProfile, summarizeProfile, type ProfileSummary } from './lib/profileSummary.js';
import { sharedMachineCeiling } from './lib/sharedCeiling.js';
import { measureRemoteShop, renderRemoteShop, type RemoteRow } from './remoteShop.js';
import { syncEnv } from './lib/syncEnv.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The sync runs as users run it: the built JavaScript under plain node (built below), so its
// RSS is the product's, not the TypeScript loader's.
const MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const FETCH_CHILD = fileURLToPath(new URL('./lib/fetchChild.ts', import.meta.url));
const NAIVE_CHILD = fileURLToPath(new URL('./lib/naiveChild.ts', import.meta.url));

/** Chosen so that a default run takes about five minutes on a 2-core machine. */
const DEFAULT_RECORDS = 80_000;
const API_DEFAULT_PAGE_SIZE = 100;

const { values: opts } = parseArgs({
  options: {
    records: { type: 'string', default: String(DEFAULT_RECORDS) },
    json: { type: 'string', default: 'bench/results/latest.json' },
    repeat: { type: 'string', default: '3' },
    'scale-repeat': { type: 'string', default: '3' },
    naive: { type: 'string', default: '5000' },
    'page-size': { type: 'string', default: '1000' },
    endpoint: { type: 'string', default: 'orders' },
    seed: { type: 'string', default: '1' },
    profile: { type: 'boolean', default: false },
    million: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    // The remote-shop rows (remoteShop.ts): simulator latencies in ms, comma-separated; 0 skips them.
    latencies: { type: 'string', default: '50,200,500' },
  },
});

function whole(name: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    process.stderr.write(`bench: --${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return n;
}
const N = whole('records', opts.records!, 1);
const REPEAT = whole('repeat', opts.repeat!, 1);
const SCALE_REPEAT = whole('scale-repeat', opts['scale-repeat']!, 1);
const NAIVE = whole('naive', opts.naive!, 1);
const LARGE_PAGE = whole('page-size', opts['page-size']!, 0, 1000);
const ENDPOINT = opts.endpoint!.toLowerCase();
const SEED = whole('seed', opts.seed!, 1);
const JSON_PATH = opts.json!;
const LATENCIES =
  opts.latencies!.trim() === '0' || opts.latencies!.trim() === ''
    ? []
    : opts.latencies!.split(',').map((x) => whole('latencies', x.trim(), 1, 10_000));
/** The remote-shop rows run at this cap (the product's default), with default settings. */
const REMOTE_MAX_RPS = 10;

const baseDbUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const runId = randomBytes(4).toString('hex');
const t0 = Date.now();
const say = (line: string) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : String(n);

// ---------------------------------------------------------------------------------------------
// Scratch databases

interface Db {
  name: string;
  url: string;
  pool: Pool;
}
const created: Db[] = [];

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: baseDbUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function createDb(tag: string, migrate = true): Promise<Db> {
  const name = `ocs_bench_${runId}_${tag}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = withDatabase(baseDbUrl, name);
  const db = { name, url, pool: createPool(url, undefined, 3) };
  created.push(db);
  if (migrate) await migrateDatabase(db.pool);
  return db;
}

async function dropDb(db: Db): Promise<void> {
  await db.pool.end().catch(() => undefined);
  const i = created.indexOf(db);
  if (i >= 0) created.splice(i, 1);
  if (opts.keep) return;
  await admin((c) => c.query(`drop database if exists ${db.name} with (force)`));
}

async function dropAll(): Promise<void> {
  for (const db of [...created])
    await dropDb(db).catch((err: Error) => say(`could not drop ${db.name}: ${err.message}`));
}

let checkpointRefused = false;
/** Start every timed run with Postgres' dirty buffers written out (see the file comment). */
async function checkpoint(): Promise<void> {
  if (checkpointRefused) return;
  await admin((c) => c.query('checkpoint')).catch(() => {
    checkpointRefused = true;
  });
}

// ---------------------------------------------------------------------------------------------
// Child processes: wall time, peak RSS (VmHWM), CPU, and who used the machine meanwhile

interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Peak resident set of the child (VmHWM, last sample before exit), MB. */
  peakRssMb: number;
  /** The child's own CPU time (user + system, start-up included), ms. */
  cpuMs: number;
  /** This process's CPU meanwhile (the simulator serving pages), ms. */
  simCpuMs: number;
  /** Postgres meanwhile: the database's backends and the server's WAL writer, checkpointer and background writer, ms. */
  pgCpuMs: number;
  /** CPU of the whole machine meanwhile (both cores, everything), ms; and of it, time stolen by the hypervisor. */
  machineBusyMs: number;
  stealMs: number;
}

/** Per page size: the options file that asks for it (undefined: the API's default). */
const configFiles = new Map<number, string>();
const scratchDir = mkdtempSync(join(tmpdir(), 'ocs-bench-'));

function configFor(pageSize: number): string | undefined {
  if (pageSize === API_DEFAULT_PAGE_SIZE) return undefined;
  let file = configFiles.get(pageSize);
  if (!file) {
    file = join(scratchDir, `endpoints-${pageSize}.json`);
    writeFileSync(file, JSON.stringify({ endpoints: { [ENDPOINT]: { pageSizeParam: 'pageSize', pageSize } } }));
    configFiles.set(pageSize, file);
  }
  return file;
}

function childEnv(db: Db, sim: Simulator, pageSize: number): NodeJS.ProcessEnv {
  const env = syncEnv({ databaseUrl: db.url, sim, endpoint: ENDPOINT });
  const file = configFor(pageSize);
  if (file) env.ONECORE_CONFIG_FILE = file;
  return env;
}

function runChild(
  script: string,
  args: string[],
  db: Db,
  env: NodeJS.ProcessEnv,
  nodeFlags: string[] = [],
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const pgCpu = new CpuTracker(() => postgresCpuByPid(db.name));
    const cpu0 = process.cpuUsage();
    const m0 = machineCpu();
    const started = performance.now();
    const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const child = spawn(process.execPath, [...nodeFlags, ...loader, script, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let peak = 0;
    let cpuMs = 0;
    const poll = () => {
      if (child.pid === undefined) return;
      const s = sampleProcess(child.pid);
      if (s) {
        peak = Math.max(peak, s.hwmMb);
        cpuMs = Math.max(cpuMs, s.cpuMs);
      }
    };
    // The child's own figures every 50 ms (VmHWM is a high-water mark: the last sample, at most
    // 50 ms before the exit, holds the peak); Postgres' every 500 ms, as scanning /proc costs CPU
    // that would be taken from what is measured.
    const timer = setInterval(poll, 50);
    const pgTimer = setInterval(() => pgCpu.poll(), 500);
    child.on('error', (err) => {
      clearInterval(timer);
      clearInterval(pgTimer);
      reject(err);
    });
    child.on('exit', (code) => {
      clearInterval(timer);
      clearInterval(pgTimer);
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpu0);
      const m1 = machineCpu();
      pgCpu.poll();
      resolve({
        code,
        stdout,
        stderr,
        wallMs,
        peakRssMb: peak,
        cpuMs,
        simCpuMs: (cpu.user + cpu.system) / 1000,
        pgCpuMs: pgCpu.totalMs(),
        machineBusyMs: m1.busyMs - m0.busyMs,
        stealMs: m1.stealMs - m0.stealMs,
      });
    });
  });
}

function mustSucceed(what: string, r: ChildRun): ChildRun {
  if (r.code !== 0)
    throw new Error(`${what} exited with ${r.code}\n${r.stderr.slice(-4000)}\n${r.stdout.slice(-2000)}`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Postgres figures

interface RunRow {
  walkMs: number;
  pages: number;
  recordsSeen: number;
  inserted: number;
  updated: number;
  unchanged: number;
  status: string;
}

async function lastRun(db: Db, mode: string): Promise<RunRow> {
  const { rows } = await db.pool.query(
    `select extract(epoch from finished_at - started_at)::float8 * 1000 as "walkMs", pages, records_seen::float8 as "recordsSeen",
            inserted::float8 as inserted, updated::float8 as updated, unchanged::float8 as unchanged, status
       from onecore_sync.sync_runs where endpoint = $1 and mode = $2 order by id desc limit 1`,
    [ENDPOINT, mode],
  );
  if (!rows[0]) throw new Error(`no ${mode} run recorded for ${ENDPOINT}`);
  return rows[0] as RunRow;
}

interface TupleCounts {
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
async function settledTupleCounts(db: Db): Promise<TupleCounts> {
  let prev = await readTupleCounts(db);
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 300));
    const next = await readTupleCounts(db);
    if (next.data === prev.data && next.bookkeeping === prev.bookkeeping) return next;
    prev = next;
  }
  return prev;
}

function tupleDelta(a: TupleCounts, b: TupleCounts): TupleCounts {
  const perTable: TupleCounts['perTable'] = {};
  for (const [k, v] of Object.entries(b.perTable)) {
    const o = a.perTable[k] ?? { ins: 0, upd: 0, del: 0 };
    const d = { ins: v.ins - o.ins, upd: v.upd - o.upd, del: v.del - o.del };
    if (d.ins || d.upd || d.del) perTable[k] = d;
  }
  return { data: b.data - a.data, bookkeeping: b.bookkeeping - a.bookkeeping, perTable };
}

async function walLsn(db: Db): Promise<string> {
  return (await db.pool.query<{ l: string }>('select pg_current_wal_lsn()::text as l')).rows[0]!.l;
}

async function walBytesSince(db: Db, lsn: string): Promise<number> {
  return (await db.pool.query<{ d: number }>('select pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::float8 as d', [lsn]))
    .rows[0]!.d;
}

// ---------------------------------------------------------------------------------------------
// Statistics

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The median of every numeric field over the repetitions (others from the first). */
function medianOf<T extends object>(reps: T[]): T {
  const out = { ...reps[0]! } as Record<string, unknown>;
  for (const k of Object.keys(out)) {
    if (typeof out[k] === 'number') out[k] = median(reps.map((r) => (r as Record<string, number>)[k]!));
  }
  return out as T;
}

// ---------------------------------------------------------------------------------------------
// Steps

interface Rate {
  records: number;
  pages: number;
  ms: number;
  recordsPerSec: number;
  pagesPerSec: number;
}
const rate = (records: number, pages: number, ms: number): Rate => ({
  records,
  pages,
  ms,
  recordsPerSec: (records / ms) * 1000,
  pagesPerSec: (pages / ms) * 1000,
});

/**
 * Average cores busy over a child's life (2 cores = 2.0), by who used them. Whole process life,
 * start-up included, so a little lower than during the walk itself.
 */
interface CpuShare {
  /** The measured process (sync, fetch or naive child; for COPY this benchmark process). */
  syncCores: number;
  simulatorCores: number;
  postgresCores: number;
  /** Everything else on the machine (other work on a shared box, the kernel…). */
  otherCores: number;
  machineCores: number;
  /** Of machineCores, time the hypervisor gave to other guests. */
  stealCores: number;
}
function cpuShare(r: ChildRun): CpuShare {
  const w = r.wallMs;
  return {
    syncCores: r.cpuMs / w,
    simulatorCores: r.simCpuMs / w,
    postgresCores: r.pgCpuMs / w,
    otherCores: Math.max(0, r.machineBusyMs - r.cpuMs - r.simCpuMs - r.pgCpuMs) / w,
    machineCores: r.machineBusyMs / w,
    stealCores: r.stealMs / w,
  };
}

/** CPU spent per record, µs, by whom (the process's start-up excluded where it is known). */
interface CpuPerRecord {
  syncCpuUs: number;
  simulatorCpuUs: number;
  postgresCpuUs: number;
  totalCpuUs: number;
}

interface FetchFigures extends Rate, CpuShare, CpuPerRecord {
  peakRssMb: number;
}

async function fetchCeiling(sim: Simulator, db: Db, pageSize: number): Promise<FetchFigures> {
  await checkpoint();
  const r = mustSucceed('fetch child', await runChild(FETCH_CHILD, [ENDPOINT], db, childEnv(db, sim, pageSize)));
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
function copyChunks(truth: unknown[], keyField: string): { chunks: Buffer[]; rows: number; bytes: number } {
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
      const line = `${copyField(ids[j]!)}\t${copyField(json[j]!)}\t${syncedAt}\t\\N\n`;
      buf.push(line);
      len += line.length;
      rows++;
      if (len >= 1 << 20) flush();
    }
  }
  if (len > 0) flush();
  return { chunks, rows, bytes };
}

type WriteFigures = Rate & CpuShare & CpuPerRecord;

async function writeCeiling(db: Db, data: { chunks: Buffer[]; rows: number }, rep: number): Promise<WriteFigures> {
  const table = `public.copy_ceiling_${rep}`;
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    await c.query(`drop table if exists ${table}`);
    await c.query(
      `create table ${table} (id text primary key, data jsonb not null, synced_at timestamptz not null default now(), deleted_at timestamptz)`,
    );
    await checkpoint();
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

interface MirrorFigures extends Rate, CpuShare, CpuPerRecord {
  /** The child process from spawn to exit (start-up, migration check, walk, summary). */
  wallMs: number;
  peakRssMb: number;
  /** Walk time per record, µs (sync_runs.finished_at − started_at). */
  usPerRecord: number;
  inserted: number;
  updated: number;
  unchanged: number;
  dataRowsWritten: number;
  bookkeepingRowsWritten: number;
  /** WAL written meanwhile by the whole server (other databases' work included), bytes per record. */
  walBytesPerRecord: number;
  perTable: TupleCounts['perTable'];
}

/** CPU of a bare `sync` process (start-up, migration check, one page): subtracted from walks. */
let startupCpuMs = 0;

async function syncOnce(
  sim: Simulator,
  db: Db,
  mode: 'mirror' | 'incremental',
  pageSize: number,
  nodeFlags: string[] = [],
): Promise<MirrorFigures> {
  const before = await settledTupleCounts(db);
  await checkpoint();
  const lsn = await walLsn(db);
  const r = mustSucceed(
    `sync --mode ${mode}`,
    await runChild(MAIN, ['sync', '--mode', mode, '--endpoint', ENDPOINT], db, childEnv(db, sim, pageSize), nodeFlags),
  );
  const wal = await walBytesSince(db, lsn);
  const run = await lastRun(db, mode);
  if (run.status !== 'succeeded') throw new Error(`${mode} run ended ${run.status}`);
  const after = await settledTupleCounts(db);
  const d = tupleDelta(before, after);
  const records = Math.max(1, run.recordsSeen);
  const per = (ms: number) => (ms * 1000) / records;
  const c = {
    syncCpuUs: per(Math.max(0, r.cpuMs - startupCpuMs)),
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

/** A first mirror into a fresh, migrated, empty database; the database is returned when kept. */
async function firstMirror(
  sim: Simulator,
  tag: string,
  pageSize: number,
  keep: boolean,
  nodeFlags: string[] = [],
): Promise<{ figures: MirrorFigures; db?: Db }> {
  const db = await createDb(tag);
  const figures = await syncOnce(sim, db, 'mirror', pageSize, nodeFlags);
  const { rows } = await db.pool.query<{ n: number }>(
    `select count(*)::int as n from ${recordTable(ENDPOINT)} where deleted_at is null`,
  );
  if (rows[0]!.n !== sim.count(ENDPOINT))
    throw new Error(`mirror stored ${rows[0]!.n} live rows, the simulator has ${sim.count(ENDPOINT)}`);
  if (keep) return { figures, db };
  await dropDb(db);
  return { figures };
}

interface NaiveFigures {
  records: number;
  ms: number;
  recordsPerSec: number;
  usPerRecord: number;
  syncCpuUs: number;
}

async function naive(sim: Simulator, db: Db): Promise<NaiveFigures> {
  await checkpoint();
  const r = mustSucceed(
    'naive child',
    await runChild(
      NAIVE_CHILD,
      [ENDPOINT, String(NAIVE), 'public.naive_orders'],
      db,
      childEnv(db, sim, API_DEFAULT_PAGE_SIZE),
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
 * of the page text, and prepareRecords (key check, date normalization, JSON.stringify). µs/record.
 */
function jsWorkPerRecord(
  truth: unknown[],
  keyField: string,
  pageSize: number,
): { jsonParseUs: number; prepareUs: number } {
  const pages: string[] = [];
  for (let i = 0; i < truth.length; i += pageSize)
    pages.push(JSON.stringify({ items: truth.slice(i, i + pageSize), metadata: { hasNext: true, next: 'after=x' } }));
  const parseMs: number[] = [];
  const prepareMs: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const parsed: unknown[][] = [];
    let t = performance.now();
    for (const p of pages) parsed.push((JSON.parse(p) as { items: unknown[] }).items);
    parseMs.push(performance.now() - t);
    t = performance.now();
    for (const records of parsed) prepareRecords(records, keyField);
    prepareMs.push(performance.now() - t);
  }
  return { jsonParseUs: (median(parseMs) * 1000) / truth.length, prepareUs: (median(prepareMs) * 1000) / truth.length };
}

async function startSim(records: number): Promise<Simulator> {
  const sim = await startSimulator({ records: { [ENDPOINT]: records }, seed: SEED });
  const g0 = performance.now();
  sim.count(ENDPOINT); // generate up front: the walks measure serving, not generating
  say(
    `simulator: ${records.toLocaleString('en-US')} ${ENDPOINT} generated in ${((performance.now() - g0) / 1000).toFixed(1)} s`,
  );
  return sim;
}

async function pgInfo(): Promise<Record<string, string>> {
  return admin(async (c) => {
    const out: Record<string, string> = {};
    out.version = (await c.query<{ v: string }>('select version() as v')).rows[0]!.v;
    for (const s of ['shared_buffers', 'synchronous_commit', 'max_wal_size', 'checkpoint_timeout']) {
      out[s] = (await c.query<{ v: string }>(`select current_setting('${s}') as v`)).rows[0]!.v;
    }
    return out;
  });
}

/** How busy the machine is before we start (someone else's work skews every figure). */
async function idleLoad(ms = 2000): Promise<number> {
  const m0 = machineCpu();
  await new Promise((r) => setTimeout(r, ms));
  return (machineCpu().busyMs - m0.busyMs) / ms;
}

// ---------------------------------------------------------------------------------------------
// Main

interface Target {
  name: string;
  value: number | null;
  pass: boolean | null;
  note?: string;
}

interface IncrementalFigures {
  requests: number;
  recordsSeen: number;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  dataRowsWritten: number;
}

interface Bounds {
  /** 0.7 × min(fetch ceiling, write ceiling), records/s. */
  targetMirror: number;
  /**
   * Least CPU any mirror needs per record, µs: what step 1 spends to fetch and parse (sync +
   * simulator), what step 2's Postgres spends to store (COPY, the cheapest write) and the
   * normalization and serialization timed in-process; and what the machine's cores allow at that cost.
   */
  floorCpuUs: number;
  floorMachineMax: number;
  /** The sync process must do all step 1's child does plus prepareRecords: one process's limit. */
  floorProcessMax: number;
  /** The sync's own CPU per record in the first mirror → one process's limit, records/s. */
  syncProcessMax: number;
  /** The machine's cores ÷ (sync + simulator + Postgres CPU per record of the first mirror), records/s. */
  machineMax: number;
}

/** Steps 1, 3, 5, 6 and 7 at one page size (2 and 4 do not depend on it). */
interface PageSizeFigures {
  pageSize: number;
  note: string;
  fetchCeiling: { median: FetchFigures; reps: FetchFigures[] };
  firstMirror: { median: MirrorFigures; reps: MirrorFigures[] };
  unchangedMirror: { median: MirrorFigures; reps: MirrorFigures[] };
  incrementalNothingNew: { median: IncrementalFigures; reps: IncrementalFigures[] };
  scale4N: { records: number; median: MirrorFigures; reps: MirrorFigures[] } | null;
  million: MirrorFigures | null;
  ratios: {
    mirrorVsCeiling: number;
    sharedCeiling: number;
    mirrorVsSharedCeiling: number;
    mirrorVsNaive: number;
    unchangedSpeedup: number;
    costPerRecord4NvsN: number | null;
    peakRss4NvsN: number | null;
  };
  bounds: Bounds;
  targets: Target[];
}

interface Result {
  when: string;
  durationSec: number;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGb: number;
    node: string;
    postgres: Record<string, string>;
    busyCoresBeforeStart: number;
    note: string;
  };
  config: {
    endpoint: string;
    records: number;
    repeat: number;
    scaleRepeat: number;
    naiveSlice: number;
    pageSizes: number[];
    seed: number;
    maxRps: number;
    checkpointBeforeRuns: boolean;
  };
  jsWorkPerRecord: { jsonParseUs: number; prepareUs: number };
  /** A bare sync process: start-up, migration check, one page (the incremental runs of step 6). */
  startup: { wallMs: number; cpuMs: number; peakRssMb: number };
  writeCeiling: { median: WriteFigures; reps: WriteFigures[] };
  naive: { median: NaiveFigures; reps: NaiveFigures[] };
  /** [API default page size, larger page size (when measured)]. */
  bySize: PageSizeFigures[];
  profile: (ProfileSummary & { file: string; recordsPerSec: number }) | null;
  /** A remote shop: every endpoint at each --latencies value, ONECORE_MAX_RPS=10, default settings. */
  remoteShop: RemoteRow[];
}

async function incrementalNothingNew(sim: Simulator, db: Db, pageSize: number): Promise<IncrementalFigures> {
  sim.resetStats();
  const before = await settledTupleCounts(db);
  await checkpoint();
  const r = mustSucceed(
    'sync --mode incremental',
    await runChild(MAIN, ['sync', '--mode', 'incremental', '--endpoint', ENDPOINT], db, childEnv(db, sim, pageSize)),
  );
  const run = await lastRun(db, 'incremental');
  const after = await settledTupleCounts(db);
  return {
    requests: sim.stats().requests[ENDPOINT] ?? 0,
    recordsSeen: run.recordsSeen,
    wallMs: r.wallMs,
    cpuMs: r.cpuMs,
    peakRssMb: r.peakRssMb,
    dataRowsWritten: after.data - before.data,
  };
}

/** Steps 1, 3, 6 and 5 at one page size, on the N-record simulator. */
async function atPageSize(
  sim: Simulator,
  ceilingDb: Db,
  pageSize: number,
  tag: string,
): Promise<Omit<PageSizeFigures, 'scale4N' | 'million' | 'ratios' | 'bounds' | 'targets' | 'note'>> {
  const label = `pageSize ${pageSize}`;
  const fetchReps: FetchFigures[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const f = await fetchCeiling(sim, ceilingDb, pageSize);
    fetchReps.push(f);
    say(`1. fetch ceiling, ${label} #${i + 1}: ${fmt(f.recordsPerSec)} records/s (${fmt(f.ms)} ms, ${f.pages} pages)`);
  }
  const mirrorReps: MirrorFigures[] = [];
  let kept: Db | undefined;
  for (let i = 0; i < REPEAT; i++) {
    const { figures, db } = await firstMirror(sim, `${tag}m${i}`, pageSize, i === REPEAT - 1);
    if (db) kept = db;
    mirrorReps.push(figures);
    say(
      `3. first mirror, ${label} #${i + 1}: ${fmt(figures.recordsPerSec)} records/s, ${fmt(figures.pagesPerSec, 1)} pages/s, peak RSS ${fmt(figures.peakRssMb, 1)} MB (walk ${fmt(figures.ms)} ms, process ${fmt(figures.wallMs)} ms)`,
    );
  }
  // 6 first: a bare process's cost (start-up, one page) is also what the walks leave out.
  const incReps: IncrementalFigures[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const inc = await incrementalNothingNew(sim, kept!, pageSize);
    incReps.push(inc);
    say(
      `6. incremental, nothing new, ${label} #${i + 1}: ${inc.requests} request(s) to ${ENDPOINT}, ${inc.recordsSeen} records re-read, data rows written ${inc.dataRowsWritten}; process ${fmt(inc.wallMs)} ms, peak RSS ${fmt(inc.peakRssMb, 1)} MB`,
    );
  }
  const incM = medianOf(incReps);
  if (startupCpuMs === 0) {
    startupCpuMs = incM.cpuMs;
    // The mirrors above were measured before the baseline was known: take it out of them now.
    for (const m of mirrorReps) {
      const sync = Math.max(0, m.syncCpuUs - (startupCpuMs * 1000) / Math.max(1, m.records));
      m.totalCpuUs += sync - m.syncCpuUs;
      m.syncCpuUs = sync;
    }
  }
  const unchangedReps: MirrorFigures[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const u = await syncOnce(sim, kept!, 'mirror', pageSize);
    unchangedReps.push(u);
    say(
      `5. unchanged re-mirror, ${label} #${i + 1}: ${fmt(u.recordsPerSec)} records/s, rows written: data ${u.dataRowsWritten}, bookkeeping ${u.bookkeepingRowsWritten} (unchanged ${u.unchanged}); WAL ${fmt(u.walBytesPerRecord, 1)} B/record`,
    );
  }
  await dropDb(kept!);
  return {
    pageSize,
    fetchCeiling: { median: medianOf(fetchReps), reps: fetchReps },
    firstMirror: { median: medianOf(mirrorReps), reps: mirrorReps },
    unchangedMirror: { median: medianOf(unchangedReps), reps: unchangedReps },
    incrementalNothingNew: { median: incM, reps: incReps },
  };
}

function evaluate(
  f: Omit<PageSizeFigures, 'ratios' | 'bounds' | 'targets'>,
  write: WriteFigures,
  naiveM: NaiveFigures,
  js: { prepareUs: number },
  cpuCount: number,
): Pick<PageSizeFigures, 'ratios' | 'bounds' | 'targets'> {
  const fetchM = f.fetchCeiling.median;
  const mirrorM = f.firstMirror.median;
  const unchangedM = f.unchangedMirror.median;
  const scaleM = f.scale4N?.median;
  const ceiling = Math.min(fetchM.recordsPerSec, write.recordsPerSec);
  // Both ceilings are measured alone, each with the other core free; a mirror must fetch AND
  // write on the same cores, so each record costs the time of both: 1/(1/fetch + 1/write).
  const sharedCeiling = sharedMachineCeiling(fetchM.recordsPerSec, write.recordsPerSec);
  const ratios = {
    mirrorVsCeiling: mirrorM.recordsPerSec / ceiling,
    sharedCeiling,
    mirrorVsSharedCeiling: mirrorM.recordsPerSec / sharedCeiling,
    mirrorVsNaive: mirrorM.recordsPerSec / naiveM.recordsPerSec,
    unchangedSpeedup: unchangedM.recordsPerSec / mirrorM.recordsPerSec,
    costPerRecord4NvsN: scaleM ? scaleM.usPerRecord / mirrorM.usPerRecord : null,
    peakRss4NvsN: scaleM ? scaleM.peakRssMb / mirrorM.peakRssMb : null,
  };
  const floorCpuUs = fetchM.totalCpuUs + write.postgresCpuUs + js.prepareUs;
  const bounds: Bounds = {
    targetMirror: 0.7 * ceiling,
    floorCpuUs,
    floorMachineMax: (cpuCount * 1e6) / floorCpuUs,
    floorProcessMax: 1e6 / (fetchM.syncCpuUs + js.prepareUs),
    syncProcessMax: 1e6 / mirrorM.syncCpuUs,
    machineMax: (cpuCount * 1e6) / mirrorM.totalCpuUs,
  };
  const maxUnchangedDataRows = Math.max(...f.unchangedMirror.reps.map((u) => u.dataRowsWritten));
  const maxIncRequests = Math.max(...f.incrementalNothingNew.reps.map((r) => r.requests));
  const notRun = (name: string, note: string): Target => ({ name, value: null, pass: null, note });
  const targets: Target[] = [
    {
      name: 'first mirror ≥ 0.7 × min(fetch, write) ceiling',
      value: ratios.mirrorVsCeiling,
      pass: ratios.mirrorVsCeiling >= 0.7,
    },
    { name: 'first mirror ≥ 10 × naive baseline', value: ratios.mirrorVsNaive, pass: ratios.mirrorVsNaive >= 10 },
    { name: 'unchanged re-mirror writes 0 data rows', value: maxUnchangedDataRows, pass: maxUnchangedDataRows === 0 },
    {
      name: 'unchanged re-mirror ≥ 1.5 × faster than first mirror',
      value: ratios.unchangedSpeedup,
      pass: ratios.unchangedSpeedup >= 1.5,
    },
    { name: 'incremental, nothing new: ≤ 2 requests per endpoint', value: maxIncRequests, pass: maxIncRequests <= 2 },
    ratios.peakRss4NvsN === null
      ? notRun('peak RSS within 20% between N and 4N', 'not measured')
      : {
          name: 'peak RSS within 20% between N and 4N',
          value: ratios.peakRss4NvsN,
          pass: Math.abs(ratios.peakRss4NvsN - 1) <= 0.2,
        },
    ratios.costPerRecord4NvsN === null
      ? notRun('cost per record at 4N within 15% of N', 'not measured')
      : {
          name: 'cost per record at 4N within 15% of N',
          value: ratios.costPerRecord4NvsN,
          pass: Math.abs(ratios.costPerRecord4NvsN - 1) <= 0.15,
        },
    f.million
      ? { name: 'peak RSS < 250 MB at 1,000,000 records', value: f.million.peakRssMb, pass: f.million.peakRssMb < 250 }
      : notRun('peak RSS < 250 MB at 1,000,000 records', 'run with --million'),
  ];
  return { ratios, bounds, targets };
}

async function main(): Promise<void> {
  // Measure the current source: build dist/ (what `npm install` does) before anything runs.
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'],
    { cwd: ROOT, stdio: 'inherit' },
  );
  const busyBefore = await idleLoad();
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres: await pgInfo(),
    busyCoresBeforeStart: busyBefore,
    note: 'the simulator (this process), the sync (a child process) and Postgres share these cores',
  };
  const sizes =
    LARGE_PAGE && LARGE_PAGE !== API_DEFAULT_PAGE_SIZE ? [API_DEFAULT_PAGE_SIZE, LARGE_PAGE] : [API_DEFAULT_PAGE_SIZE];
  say(
    `machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGb} GB, node ${machine.node}; ${machine.postgres.version!.split(' on ')[0]}`,
  );
  if (busyBefore > 0.15)
    say(`warning: ${fmt(busyBefore, 2)} cores were busy before the bench started; figures will be lower and noisier`);
  say(
    `endpoint ${ENDPOINT}, N = ${fmt(N)} records, page sizes ${sizes.join(' and ')} (${API_DEFAULT_PAGE_SIZE} = API default), ${REPEAT} repetitions (4N: ${SCALE_REPEAT})`,
  );

  const sim = await startSim(N);
  const keyField = sim.endpoints.find((e) => e.name === ENDPOINT)?.keyField ?? 'id';
  let truth: unknown[] = sim.truth(ENDPOINT);
  const js = jsWorkPerRecord(truth, keyField, API_DEFAULT_PAGE_SIZE);
  say(
    `   JS work per record on one core: JSON.parse ${fmt(js.jsonParseUs, 1)} µs + prepareRecords ${fmt(js.prepareUs, 1)} µs`,
  );

  // 2. write ceiling (independent of the page size)
  const ceilingDb = await createDb('ceiling');
  const copyData = copyChunks(truth, keyField);
  // eslint-disable-next-line no-useless-assignment -- drops the records so the write runs can reuse the memory
  truth = [];
  say(`   COPY data: ${fmt(copyData.rows)} rows, ${fmt(copyData.bytes / 1e6, 1)} MB`);
  const writeReps: WriteFigures[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const w = await writeCeiling(ceilingDb, copyData, i);
    writeReps.push(w);
    say(`2. write ceiling (COPY) #${i + 1}: ${fmt(w.recordsPerSec)} records/s (${fmt(w.ms)} ms)`);
  }
  copyData.chunks.length = 0;

  // 1, 3, 6, 5 per page size
  const partial: Omit<PageSizeFigures, 'ratios' | 'bounds' | 'targets'>[] = [];
  for (const [i, size] of sizes.entries()) {
    const figures = await atPageSize(sim, ceilingDb, size, `p${i}`);
    partial.push({
      ...figures,
      note: size === API_DEFAULT_PAGE_SIZE ? 'API default' : 'ONECORE_CONFIG_FILE pageSizeParam=pageSize',
      scale4N: null,
      million: null,
    });
  }

  let profile: Result['profile'] = null;
  if (opts.profile) {
    const dir = mkdtempSync(join(tmpdir(), 'ocs-bench-prof-'));
    const { figures } = await firstMirror(sim, 'prof', API_DEFAULT_PAGE_SIZE, false, [
      '--cpu-prof',
      '--cpu-prof-dir',
      dir,
    ]);
    const file = join(
      dir,
      readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!,
    );
    profile = { file, recordsPerSec: figures.recordsPerSec, ...summarizeProfile(file, 20) };
    say(
      `   profiled first mirror (page size ${API_DEFAULT_PAGE_SIZE}): ${fmt(figures.recordsPerSec)} records/s under --cpu-prof; ${file}`,
    );
    process.stdout.write(renderProfile(profile));
  }

  // 4. naive baseline (at the API's page size, as a hand-made script would)
  const naiveDb = await createDb('naive', false);
  const naiveReps: NaiveFigures[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const n = await naive(sim, naiveDb);
    naiveReps.push(n);
    say(
      `4. naive (one autocommitted insert … on conflict per record, ${fmt(n.records)} records) #${i + 1}: ${fmt(n.recordsPerSec)} records/s, ${fmt(n.usPerRecord)} µs/record`,
    );
  }
  await dropDb(naiveDb);
  await dropDb(ceilingDb);
  await sim.close();

  // 7. scale: 4N, per page size
  const sim4 = await startSim(4 * N);
  for (const f of partial) {
    const reps: MirrorFigures[] = [];
    for (let i = 0; i < SCALE_REPEAT; i++) {
      const { figures } = await firstMirror(sim4, `s${f.pageSize}_${i}`, f.pageSize, false);
      reps.push(figures);
      say(
        `7. first mirror at 4N, pageSize ${f.pageSize} #${i + 1}: ${fmt(figures.recordsPerSec)} records/s, ${fmt(figures.usPerRecord, 1)} µs/record, peak RSS ${fmt(figures.peakRssMb, 1)} MB`,
      );
    }
    f.scale4N = { records: 4 * N, median: medianOf(reps), reps };
  }
  await sim4.close();

  if (opts.million) {
    const simM = await startSim(1_000_000);
    for (const f of partial) {
      f.million = (await firstMirror(simM, `million${f.pageSize}`, f.pageSize, false)).figures;
      say(
        `   first mirror at 1,000,000, pageSize ${f.pageSize}: ${fmt(f.million.recordsPerSec)} records/s, peak RSS ${fmt(f.million.peakRssMb, 1)} MB`,
      );
    }
    await simM.close();
  }

  const remoteShop =
    LATENCIES.length === 0
      ? []
      : await measureRemoteShop({
          databaseUrl: baseDbUrl,
          latenciesMs: LATENCIES,
          maxRps: REMOTE_MAX_RPS,
          repeat: REPEAT,
          compareFixed: 2,
          say,
        });

  const writeM = medianOf(writeReps);
  const naiveM = medianOf(naiveReps);
  const bySize: PageSizeFigures[] = partial.map((f) => ({ ...f, ...evaluate(f, writeM, naiveM, js, machine.cpus) }));
  const def = bySize[0]!;
  const result: Result = {
    when: new Date().toISOString(),
    durationSec: (Date.now() - t0) / 1000,
    machine,
    config: {
      endpoint: ENDPOINT,
      records: N,
      repeat: REPEAT,
      scaleRepeat: SCALE_REPEAT,
      naiveSlice: NAIVE,
      pageSizes: sizes,
      seed: SEED,
      maxRps: 0,
      checkpointBeforeRuns: !checkpointRefused,
    },
    jsWorkPerRecord: js,
    startup: {
      wallMs: def.incrementalNothingNew.median.wallMs,
      cpuMs: def.incrementalNothingNew.median.cpuMs,
      peakRssMb: def.incrementalNothingNew.median.peakRssMb,
    },
    writeCeiling: { median: writeM, reps: writeReps },
    naive: { median: naiveM, reps: naiveReps },
    bySize,
    profile,
    remoteShop,
  };
  mkdirSync(dirname(JSON_PATH), { recursive: true });
  writeFileSync(JSON_PATH, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write('\n' + renderReport(result) + '\n');
  say(`JSON written to ${JSON_PATH}`);
}

/** The Markdown report printed at the end (and pasted into the README). */
function renderReport(r: Result): string {
  const w = r.writeCeiling.median;
  const n = r.naive.median;
  const sizes = r.bySize;
  const md = (head: string[], body: string[][]) =>
    [
      `| ${head.join(' | ')} |`,
      `| ${head.map(() => '---').join(' | ')} |`,
      ...body.map((x) => `| ${x.join(' | ')} |`),
    ].join('\n');
  const cores = (x: CpuShare) =>
    `sync ${fmt(x.syncCores, 2)} + sim ${fmt(x.simulatorCores, 2)} + pg ${fmt(x.postgresCores, 2)} + other ${fmt(x.otherCores, 2)} = ${fmt(x.machineCores, 2)}`;
  const cpuUs = (x: CpuPerRecord) =>
    `sync ${fmt(x.syncCpuUs, 1)} + sim ${fmt(x.simulatorCpuUs, 1)} + pg ${fmt(x.postgresCpuUs, 1)} = ${fmt(x.totalCpuUs, 1)}`;
  const rows: string[][] = [];
  for (const s of sizes) {
    const ps = `pageSize ${s.pageSize}`;
    const f = s.fetchCeiling.median;
    const m = s.firstMirror.median;
    const u = s.unchangedMirror.median;
    const inc = s.incrementalNothingNew.median;
    rows.push([
      `1. fetch ceiling: client + JSON.parse, nothing written`,
      ps,
      `${fmt(f.recordsPerSec)} rec/s`,
      `${fmt(f.pagesPerSec, 1)} pages/s`,
      cores(f),
      cpuUs(f),
    ]);
    if (s === sizes[0])
      rows.push([
        '2. write ceiling: COPY into a table with PK',
        'any',
        `${fmt(w.recordsPerSec)} rec/s`,
        '—',
        `bench ${fmt(w.syncCores, 2)} + pg ${fmt(w.postgresCores, 2)} + other ${fmt(w.otherCores, 2)} = ${fmt(w.machineCores, 2)}`,
        `bench ${fmt(w.syncCpuUs, 1)} + pg ${fmt(w.postgresCpuUs, 1)} = ${fmt(w.totalCpuUs, 1)}`,
      ]);
    rows.push([
      '3. first mirror, empty database',
      ps,
      `${fmt(m.recordsPerSec)} rec/s`,
      `${fmt(m.pagesPerSec, 1)} pages/s; ${fmt(m.usPerRecord, 1)} µs/rec; peak RSS ${fmt(m.peakRssMb, 1)} MB`,
      cores(m),
      cpuUs(m),
    ]);
    if (s === sizes[0])
      rows.push([
        `4. naive: autocommitted upsert per record (${fmt(n.records)} rec)`,
        ps,
        `${fmt(n.recordsPerSec)} rec/s`,
        `${fmt(n.usPerRecord)} µs/rec`,
        '—',
        `sync ${fmt(n.syncCpuUs, 1)}`,
      ]);
    rows.push([
      '5. unchanged re-mirror',
      ps,
      `${fmt(u.recordsPerSec)} rec/s`,
      `rows written: data ${fmt(u.dataRowsWritten)}, onecore_sync ${fmt(u.bookkeepingRowsWritten)} (${fmt(u.bookkeepingRowsWritten / Math.max(1, u.pages), 1)}/page); WAL ${fmt(u.walBytesPerRecord, 1)} B/rec (server-wide)`,
      cores(u),
      cpuUs(u),
    ]);
    rows.push([
      '6. incremental, nothing new',
      ps,
      `${fmt(inc.requests)} request(s)`,
      `${fmt(inc.recordsSeen)} records re-read; data rows written ${fmt(inc.dataRowsWritten)}; whole process ${fmt(inc.wallMs)} ms, peak RSS ${fmt(inc.peakRssMb, 1)} MB`,
      '—',
      '—',
    ]);
    if (s.scale4N) {
      const x = s.scale4N.median;
      rows.push([
        `7. first mirror at 4N = ${fmt(s.scale4N.records)}`,
        ps,
        `${fmt(x.recordsPerSec)} rec/s`,
        `${fmt(x.usPerRecord, 1)} µs/rec; peak RSS ${fmt(x.peakRssMb, 1)} MB`,
        cores(x),
        cpuUs(x),
      ]);
    }
    if (s.million) {
      const x = s.million;
      rows.push([
        'first mirror at 1,000,000',
        ps,
        `${fmt(x.recordsPerSec)} rec/s`,
        `${fmt(x.usPerRecord, 1)} µs/rec; peak RSS ${fmt(x.peakRssMb, 1)} MB`,
        cores(x),
        cpuUs(x),
      ]);
    }
  }
  const col = (fn: (s: PageSizeFigures) => string) => sizes.map(fn);
  const ratioRows: string[][] = [
    ['(3) / min(1, 2)', ...col((s) => fmt(s.ratios.mirrorVsCeiling, 2))],
    [
      `(3) / shared-machine ceiling 1/(1/(1) + 1/(2))`,
      ...col((s) => `${fmt(s.ratios.mirrorVsSharedCeiling, 2)} (ceiling ${fmt(s.ratios.sharedCeiling)} rec/s)`),
    ],
    ['(3) / (4)', ...col((s) => `${fmt(s.ratios.mirrorVsNaive, 1)}×`)],
    ['(5) / (3): unchanged speed-up', ...col((s) => `${fmt(s.ratios.unchangedSpeedup, 2)}×`)],
    [
      'cost per record 4N / N',
      ...col((s) => (s.ratios.costPerRecord4NvsN === null ? '—' : fmt(s.ratios.costPerRecord4NvsN, 3))),
    ],
    ['peak RSS 4N / N', ...col((s) => (s.ratios.peakRss4NvsN === null ? '—' : fmt(s.ratios.peakRss4NvsN, 3)))],
  ];
  const pct = (x: number) => `${fmt(x * 100)}%`;
  const boundRows: string[][] = [
    ['target for (3): 0.7 × min(1, 2)', ...col((s) => `${fmt(s.bounds.targetMirror)} rec/s`)],
    [
      `least CPU any mirror needs per record (µs): fetch + parse as in (1), sync + simulator; + Postgres storing as in (2), ${fmt(w.postgresCpuUs, 1)}; + normalize & serialize, ${fmt(r.jsWorkPerRecord.prepareUs, 1)}`,
      ...col(
        (s) =>
          `${fmt(s.fetchCeiling.median.totalCpuUs, 1)} + ${fmt(w.postgresCpuUs, 1)} + ${fmt(r.jsWorkPerRecord.prepareUs, 1)} = ${fmt(s.bounds.floorCpuUs, 1)} µs`,
      ),
    ],
    [
      `… so ${r.machine.cpus} cores allow at most (the target needs this share of it)`,
      ...col(
        (s) => `${fmt(s.bounds.floorMachineMax)} rec/s (${pct(s.bounds.targetMirror / s.bounds.floorMachineMax)})`,
      ),
    ],
    [
      `one sync process must do all that (1)'s process does + normalize & serialize, so at most`,
      ...col(
        (s) => `${fmt(s.bounds.floorProcessMax)} rec/s (${pct(s.bounds.targetMirror / s.bounds.floorProcessMax)})`,
      ),
    ],
    [
      `(3) as measured: the sync process's CPU per record (start-up excluded) allows at most`,
      ...col(
        (s) =>
          `${fmt(s.bounds.syncProcessMax)} rec/s at ${fmt(s.firstMirror.median.syncCpuUs, 1)} µs (${pct(s.bounds.targetMirror / s.bounds.syncProcessMax)})`,
      ),
    ],
    [
      `(3) as measured: ${r.machine.cpus} cores ÷ CPU per record of all processes allow at most`,
      ...col(
        (s) =>
          `${fmt(s.bounds.machineMax)} rec/s at ${fmt(s.firstMirror.median.totalCpuUs, 1)} µs (${pct(s.bounds.targetMirror / s.bounds.machineMax)})`,
      ),
    ],
    [
      'targets 1 and 4 together need (5) ≥ 1.5 × 0.7 × min(1, 2); (5) must also fetch, parse, normalize and serialize every record (to compare it), so one process does at most',
      ...col(
        (s) =>
          `needs ${fmt(1.5 * s.bounds.targetMirror)}, at most ${fmt(s.bounds.floorProcessMax)} rec/s (${pct((1.5 * s.bounds.targetMirror) / s.bounds.floorProcessMax)})`,
      ),
    ],
  ];
  const targetRows: string[][] = sizes[0]!.targets.map((t, i) => [
    t.name,
    ...col((s) => {
      const x = s.targets[i]!;
      return x.pass === null
        ? `not run (${x.note ?? ''})`
        : `${fmt(x.value!, Number.isInteger(x.value) ? 0 : 2)} ${x.pass ? 'PASS' : 'FAIL'}`;
    }),
  ]);
  const pg = r.machine.postgres;
  const sizeHead = col((s) => `pageSize ${s.pageSize}${s.pageSize === API_DEFAULT_PAGE_SIZE ? ' (API default)' : ''}`);
  return [
    `Endpoint \`${r.config.endpoint}\` (the richest records, ~1.2 kB of JSON each), N = ${fmt(r.config.records)}; ONECORE_MAX_RPS=0; medians of ${r.config.repeat} runs (4N: ${r.config.scaleRepeat}). Page size ${API_DEFAULT_PAGE_SIZE} is the API's default; ${sizes.length > 1 ? `${sizes[1]!.pageSize} is asked for with ONECORE_CONFIG_FILE \`{"endpoints":{"${r.config.endpoint}":{"pageSizeParam":"pageSize","pageSize":${sizes[1]!.pageSize}}}}\`.` : ''}`,
    `Machine: ${r.machine.cpus} cores (${r.machine.cpuModel}), ${r.machine.memoryGb} GB RAM, node ${r.machine.node}, ${pg.version!.split(' on ')[0]} (shared_buffers ${pg.shared_buffers}, synchronous_commit ${pg.synchronous_commit}). The simulator (bench process), the sync (child process) and Postgres share the ${r.machine.cpus} cores; ${fmt(r.machine.busyCoresBeforeStart, 2)} cores were busy before the start. Bench took ${fmt(r.durationSec)} s.`,
    `A bare sync process (start-up, migration check, one page) takes ${fmt(r.startup.wallMs)} ms, ${fmt(r.startup.cpuMs)} ms CPU and ${fmt(r.startup.peakRssMb, 1)} MB peak RSS (the built dist/ under plain node, as users run it).`,
    '',
    md(['step', 'page size', 'result', 'details', 'cores busy (of 2)', 'CPU µs per record'], rows),
    '',
    md(['ratio', ...sizeHead], ratioRows),
    '',
    md(['target', ...sizeHead], targetRows),
    '',
    md(['why: bounds from the measurements', ...sizeHead], boundRows),
    ...(r.remoteShop.length > 0 ? ['', renderRemoteShop(r.remoteShop)] : []),
  ].join('\n');
}

const onSignal = () => {
  say('interrupted; dropping scratch databases');
  void dropAll().finally(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await dropAll();
    rmSync(scratchDir, { recursive: true, force: true });
  });
