/**
 * `npm run bench`: end-to-end throughput of the sync against this machine's own ceilings, memory
 * that stays flat, and writes only for changes — all in one run, against real Postgres.
 *
 *   npm run bench -- [--records N] [--json PATH] [--repeat R] [--scale-repeat R] [--naive K]
 *                    [--page-size P] [--endpoint NAME] [--profile] [--million] [--keep]
 *
 * The simulator runs in this process; every sync runs as a child process
 * (`node --import tsx src/cli/main.ts sync --mode … --endpoint orders`), so its peak RSS
 * (VmHWM) and CPU time are its own. Each step runs in its own scratch database
 * (`ocs_bench_<random>_…`), all dropped at the end. Steps:
 *   1. fetch ceiling — every page through the real client + JSON.parse, nothing written
 *   2. write ceiling — COPY the same normalized rows into a fresh table of the same shape
 *   3. first mirror into an empty database — records/s, pages/s, peak RSS
 *   4. naive baseline — one autocommitted `insert … on conflict` per record, on a slice
 *   5. unchanged re-mirror — records/s and rows written (pg_stat_user_tables)
 *   6. incremental with nothing new — requests per endpoint
 *   7. scale — first mirror at N and 4N: cost per record and peak RSS
 * Steps 1–6 are repeated (--repeat, default 3) and the median reported.
 * --page-size P asks the API for P records per page (ONECORE_CONFIG_FILE with pageSizeParam);
 * without it the API's default (100) is used. --profile adds one mirror under `node --cpu-prof`
 * and prints where its time went. --million adds a 1,000,000-record first mirror (peak RSS).
 *
 * Needs DATABASE_URL (a server where it may CREATE DATABASE; default
 * postgres://postgres@127.0.0.1:5432/postgres). Redis is not used.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
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
import { copyField, copyIn } from './lib/copyIn.js';
import { machineCpu, sampleProcess } from './lib/procstat.js';
import { renderProfile, summarizeProfile, type ProfileSummary } from './lib/profileSummary.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const FETCH_CHILD = fileURLToPath(new URL('./lib/fetchChild.ts', import.meta.url));
const NAIVE_CHILD = fileURLToPath(new URL('./lib/naiveChild.ts', import.meta.url));

const DEFAULT_RECORDS = 100_000;

const { values: opts } = parseArgs({
  options: {
    records: { type: 'string', default: String(DEFAULT_RECORDS) },
    json: { type: 'string', default: 'bench/results/latest.json' },
    repeat: { type: 'string', default: '3' },
    'scale-repeat': { type: 'string', default: '3' },
    naive: { type: 'string', default: '5000' },
    'page-size': { type: 'string' },
    endpoint: { type: 'string', default: 'orders' },
    seed: { type: 'string', default: '1' },
    profile: { type: 'boolean', default: false },
    million: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

function positive(name: string, raw: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > max) {
    process.stderr.write(`bench: --${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return n;
}
const N = positive('records', opts.records!);
const REPEAT = positive('repeat', opts.repeat!);
const SCALE_REPEAT = positive('scale-repeat', opts['scale-repeat']!);
const NAIVE = positive('naive', opts.naive!);
const PAGE_SIZE = opts['page-size'] === undefined ? undefined : positive('page-size', opts['page-size'], 1000);
const ENDPOINT = opts.endpoint!.toLowerCase();
const SEED = positive('seed', opts.seed!);
const JSON_PATH = opts.json!;

const baseDbUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const runId = randomBytes(4).toString('hex');
const t0 = Date.now();
const say = (line: string) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);

// ---------------------------------------------------------------------------------------------
// Scratch databases

interface Db {
  name: string;
  url: string;
  pool: Pool;
}
const created: Db[] = [];

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

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
  for (const db of [...created]) await dropDb(db).catch((err: Error) => say(`could not drop ${db.name}: ${err.message}`));
}

// ---------------------------------------------------------------------------------------------
// Child processes: wall time, peak RSS (VmHWM), CPU, and the machine's CPU meanwhile

interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Peak resident set of the child (VmHWM, last sample before exit), MB. */
  peakRssMb: number;
  /** The child's own CPU time (user + system), ms. */
  cpuMs: number;
  /** This process's CPU meanwhile (the simulator serving pages), ms. */
  simCpuMs: number;
  /** CPU of the whole machine meanwhile (both cores, everything: child, simulator, Postgres…), ms. */
  machineBusyMs: number;
}

let configFile: string | undefined;

function childEnv(db: Db, sim: Simulator): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: db.url,
    ONECORE_BASE_URL: sim.url,
    ONECORE_REFRESH_TOKEN: sim.refreshToken,
    ONECORE_MAX_RPS: '0',
    ONECORE_ENDPOINTS: ENDPOINT,
    LOG_LEVEL: 'warn',
  };
  if (configFile) env.ONECORE_CONFIG_FILE = configFile;
  return env;
}

function runChild(script: string, args: string[], env: NodeJS.ProcessEnv, nodeFlags: string[] = []): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const cpu0 = process.cpuUsage();
    const m0 = machineCpu();
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
    const timer = setInterval(poll, 50);
    child.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    // VmHWM is a high-water mark: the last sample (at most 50 ms before the exit) holds the peak.
    child.on('exit', (code) => {
      clearInterval(timer);
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpu0);
      const m1 = machineCpu();
      resolve({ code, stdout, stderr, wallMs, peakRssMb: peak, cpuMs, simCpuMs: (cpu.user + cpu.system) / 1000, machineBusyMs: m1.busyMs - m0.busyMs });
    });
  });
}

function mustSucceed(what: string, r: ChildRun): ChildRun {
  if (r.code !== 0) throw new Error(`${what} exited with ${r.code}\n${r.stderr.slice(-4000)}\n${r.stdout.slice(-2000)}`);
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
  deleted: number;
  status: string;
}

async function lastRun(db: Db, mode: string): Promise<RunRow> {
  const { rows } = await db.pool.query(
    `select extract(epoch from finished_at - started_at)::float8 * 1000 as "walkMs", pages, records_seen::float8 as "recordsSeen",
            inserted::float8 as inserted, updated::float8 as updated, unchanged::float8 as unchanged, deleted::float8 as deleted, status
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
const rate = (records: number, pages: number, ms: number): Rate => ({ records, pages, ms, recordsPerSec: (records / ms) * 1000, pagesPerSec: (pages / ms) * 1000 });

interface CpuShare {
  /** Average cores busy over the walk, per process group (2 cores = 2.0). */
  syncCores: number;
  simulatorCores: number;
  /** Everything else on the machine: Postgres (all its processes) and anything else running. */
  otherCores: number;
  machineCores: number;
}
function cpuShare(r: ChildRun): CpuShare {
  const w = r.wallMs;
  return {
    syncCores: r.cpuMs / w,
    simulatorCores: r.simCpuMs / w,
    otherCores: Math.max(0, r.machineBusyMs - r.cpuMs - r.simCpuMs) / w,
    machineCores: r.machineBusyMs / w,
  };
}

async function fetchCeiling(sim: Simulator, db: Db): Promise<Rate & { peakRssMb: number } & CpuShare> {
  const r = mustSucceed('fetch child', await runChild(FETCH_CHILD, [ENDPOINT], childEnv(db, sim)));
  const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as { records: number; pages: number; ms: number };
  return { ...rate(o.records, o.pages, o.ms), peakRssMb: r.peakRssMb, ...cpuShare(r) };
}

/** COPY text for the endpoint's records, normalized as the engine does, in ~1 MB chunks. */
function copyChunks(sim: Simulator, keyField: string): { chunks: Buffer[]; rows: number; bytes: number } {
  const truth = sim.truth(ENDPOINT);
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

async function writeCeiling(db: Db, data: { chunks: Buffer[]; rows: number }, rep: number): Promise<Rate & CpuShare> {
  const table = `public.copy_ceiling_${rep}`;
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    await c.query(`drop table if exists ${table}`);
    await c.query(`create table ${table} (id text primary key, data jsonb not null, synced_at timestamptz not null default now(), deleted_at timestamptz)`);
    const cpu0 = process.cpuUsage();
    const m0 = machineCpu();
    const started = performance.now();
    const n = await copyIn(c, `copy ${table} (id, data, synced_at, deleted_at) from stdin`, data.chunks);
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    const busy = machineCpu().busyMs - m0.busyMs;
    if (n !== data.rows) throw new Error(`COPY wrote ${n} rows, expected ${data.rows}`);
    await c.query(`drop table ${table}`);
    const benchCpu = (cpu.user + cpu.system) / 1000;
    return { ...rate(n, 0, ms), syncCores: benchCpu / ms, simulatorCores: 0, otherCores: Math.max(0, busy - benchCpu) / ms, machineCores: busy / ms };
  } finally {
    await c.end();
  }
}

interface MirrorFigures extends Rate, CpuShare {
  wallMs: number;
  peakRssMb: number;
  /** Walk time per record, µs. */
  usPerRecord: number;
  inserted: number;
  updated: number;
  unchanged: number;
  dataRowsWritten: number;
  bookkeepingRowsWritten: number;
  perTable: TupleCounts['perTable'];
}

async function syncOnce(sim: Simulator, db: Db, mode: 'mirror' | 'incremental', nodeFlags: string[] = []): Promise<MirrorFigures> {
  const before = await settledTupleCounts(db);
  const r = mustSucceed(`sync --mode ${mode}`, await runChild(MAIN, ['sync', '--mode', mode, '--endpoint', ENDPOINT], childEnv(db, sim), nodeFlags));
  const run = await lastRun(db, mode);
  if (run.status !== 'succeeded') throw new Error(`${mode} run ended ${run.status}`);
  const after = await settledTupleCounts(db);
  const d = tupleDelta(before, after);
  return {
    ...rate(run.recordsSeen, run.pages, run.walkMs),
    ...cpuShare(r),
    wallMs: r.wallMs,
    peakRssMb: r.peakRssMb,
    usPerRecord: (run.walkMs * 1000) / Math.max(1, run.recordsSeen),
    inserted: run.inserted,
    updated: run.updated,
    unchanged: run.unchanged,
    dataRowsWritten: d.data,
    bookkeepingRowsWritten: d.bookkeeping,
    perTable: d.perTable,
  };
}

/** A first mirror into a fresh, migrated, empty database; the database is returned when kept. */
async function firstMirror(sim: Simulator, tag: string, keep: boolean, nodeFlags: string[] = []): Promise<{ figures: MirrorFigures; db?: Db }> {
  const db = await createDb(tag);
  const figures = await syncOnce(sim, db, 'mirror', nodeFlags);
  const { rows } = await db.pool.query<{ n: number }>(`select count(*)::int as n from ${recordTable(ENDPOINT)} where deleted_at is null`);
  if (rows[0]!.n !== sim.count(ENDPOINT)) throw new Error(`mirror stored ${rows[0]!.n} live rows, the simulator has ${sim.count(ENDPOINT)}`);
  if (keep) return { figures, db };
  await dropDb(db);
  return { figures };
}

async function naive(sim: Simulator, db: Db): Promise<{ records: number; ms: number; recordsPerSec: number; usPerRecord: number }> {
  const r = mustSucceed('naive child', await runChild(NAIVE_CHILD, [ENDPOINT, String(NAIVE), 'public.naive_orders'], childEnv(db, sim)));
  const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as { records: number; ms: number };
  return { records: o.records, ms: o.ms, recordsPerSec: (o.records / o.ms) * 1000, usPerRecord: (o.ms * 1000) / o.records };
}

async function startSim(records: number): Promise<Simulator> {
  const sim = await startSimulator({ records: { [ENDPOINT]: records }, seed: SEED });
  const g0 = performance.now();
  sim.count(ENDPOINT); // generate up front: the walks measure serving, not generating
  say(`simulator: ${records.toLocaleString('en-US')} ${ENDPOINT} generated in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
  return sim;
}

// ---------------------------------------------------------------------------------------------
// Main

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n));

async function pgInfo(): Promise<Record<string, string>> {
  return admin(async (c) => {
    const out: Record<string, string> = {};
    out.version = (await c.query<{ v: string }>('select version() as v')).rows[0]!.v;
    for (const s of ['shared_buffers', 'synchronous_commit', 'wal_level', 'max_wal_size', 'checkpoint_timeout']) {
      out[s] = (await c.query<{ v: string }>(`select current_setting('${s}') as v`)).rows[0]!.v;
    }
    return out;
  });
}

async function main(): Promise<void> {
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres: await pgInfo(),
    note: 'the simulator (this process), the sync (child process) and Postgres share these cores',
  };
  say(`machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGb} GB, node ${machine.node}; ${machine.postgres.version!.split(' on ')[0]}`);
  if (PAGE_SIZE !== undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'ocs-bench-'));
    configFile = join(dir, 'endpoints.json');
    writeFileSync(configFile, JSON.stringify({ endpoints: { [ENDPOINT]: { pageSizeParam: 'pageSize', pageSize: PAGE_SIZE } } }));
  }
  const pageSizeNote = PAGE_SIZE === undefined ? 'API default (100)' : `${PAGE_SIZE} (ONECORE_CONFIG_FILE pageSizeParam=pageSize)`;
  say(`endpoint ${ENDPOINT}, N = ${N.toLocaleString('en-US')} records, page size ${pageSizeNote}, ${REPEAT} repetitions (4N: ${SCALE_REPEAT})`);

  const sim = await startSim(N);
  const keyField = sim.endpoints.find((e) => e.name === ENDPOINT)?.keyField ?? 'id';

  // 1. fetch ceiling
  const ceilingDb = await createDb('ceiling');
  const fetchReps = [];
  for (let i = 0; i < REPEAT; i++) {
    const f = await fetchCeiling(sim, ceilingDb);
    fetchReps.push(f);
    say(`1. fetch ceiling #${i + 1}: ${fmt(f.recordsPerSec)} records/s (${fmt(f.ms)} ms, ${f.pages} pages)`);
  }

  // 2. write ceiling
  const copyData = copyChunks(sim, keyField);
  say(`   COPY data: ${fmt(copyData.rows)} rows, ${fmt(copyData.bytes / 1e6, 1)} MB`);
  const writeReps = [];
  for (let i = 0; i < REPEAT; i++) {
    const w = await writeCeiling(ceilingDb, copyData, i);
    writeReps.push(w);
    say(`2. write ceiling (COPY) #${i + 1}: ${fmt(w.recordsPerSec)} records/s (${fmt(w.ms)} ms)`);
  }
  copyData.chunks.length = 0;

  // 3. first mirror
  const mirrorReps: MirrorFigures[] = [];
  let kept: Db | undefined;
  for (let i = 0; i < REPEAT; i++) {
    const { figures, db } = await firstMirror(sim, `m${i}`, i === REPEAT - 1);
    if (db) kept = db;
    mirrorReps.push(figures);
    say(`3. first mirror #${i + 1}: ${fmt(figures.recordsPerSec)} records/s, ${fmt(figures.pagesPerSec, 1)} pages/s, peak RSS ${fmt(figures.peakRssMb, 1)} MB (walk ${fmt(figures.ms)} ms, process ${fmt(figures.wallMs)} ms)`);
  }

  let profile: ProfileSummary | undefined;
  let profileFile: string | undefined;
  if (opts.profile) {
    const dir = mkdtempSync(join(tmpdir(), 'ocs-bench-prof-'));
    const { figures } = await firstMirror(sim, 'prof', false, ['--cpu-prof', '--cpu-prof-dir', dir]);
    const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    profileFile = join(dir, files[0]!);
    profile = summarizeProfile(profileFile, 20);
    say(`   profiled mirror: ${fmt(figures.recordsPerSec)} records/s under --cpu-prof; ${profileFile}`);
    process.stdout.write(renderProfile(profile));
  }

  // 5. unchanged re-mirror, 6. incremental with nothing new (on the last first mirror's database)
  const unchangedReps: MirrorFigures[] = [];
  const incrementalReps: { requests: number; recordsSeen: number; wallMs: number }[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const u = await syncOnce(sim, kept!, 'mirror');
    unchangedReps.push(u);
    say(`5. unchanged re-mirror #${i + 1}: ${fmt(u.recordsPerSec)} records/s, rows written: data ${u.dataRowsWritten}, bookkeeping ${u.bookkeepingRowsWritten} (unchanged ${u.unchanged})`);
  }
  for (let i = 0; i < REPEAT; i++) {
    sim.resetStats();
    const inc = await syncOnce(sim, kept!, 'incremental');
    const requests = sim.stats().requests[ENDPOINT] ?? 0;
    incrementalReps.push({ requests, recordsSeen: inc.records, wallMs: inc.wallMs });
    say(`6. incremental, nothing new #${i + 1}: ${requests} request(s) to ${ENDPOINT}, ${inc.records} records re-read, data rows written ${inc.dataRowsWritten}`);
  }
  await dropDb(kept!);

  // 4. naive baseline
  const naiveDb = await createDb('naive', false);
  const naiveReps = [];
  for (let i = 0; i < REPEAT; i++) {
    const n = await naive(sim, naiveDb);
    naiveReps.push(n);
    say(`4. naive (one autocommitted insert … on conflict per record, ${fmt(n.records)} records) #${i + 1}: ${fmt(n.recordsPerSec)} records/s, ${fmt(n.usPerRecord)} µs/record`);
  }
  await dropDb(naiveDb);
  await dropDb(ceilingDb);
  await sim.close();

  // 7. scale: 4N
  const sim4 = await startSim(4 * N);
  const scaleReps: MirrorFigures[] = [];
  for (let i = 0; i < SCALE_REPEAT; i++) {
    const { figures } = await firstMirror(sim4, `s${i}`, false);
    scaleReps.push(figures);
    say(`7. first mirror at 4N #${i + 1}: ${fmt(figures.recordsPerSec)} records/s, ${fmt(figures.usPerRecord, 1)} µs/record, peak RSS ${fmt(figures.peakRssMb, 1)} MB`);
  }
  await sim4.close();

  let million: MirrorFigures | undefined;
  if (opts.million) {
    const simM = await startSim(1_000_000);
    million = (await firstMirror(simM, 'million', false)).figures;
    say(`   first mirror at 1,000,000: ${fmt(million.recordsPerSec)} records/s, peak RSS ${fmt(million.peakRssMb, 1)} MB`);
    await simM.close();
  }

  // Figures, ratios, targets
  const fetchM = medianOf(fetchReps);
  const writeM = medianOf(writeReps);
  const mirrorM = medianOf(mirrorReps);
  const unchangedM = medianOf(unchangedReps);
  const naiveM = medianOf(naiveReps);
  const scaleM = medianOf(scaleReps);
  const incM = medianOf(incrementalReps);
  const ceiling = Math.min(fetchM.recordsPerSec, writeM.recordsPerSec);
  const ratios = {
    mirrorVsCeiling: mirrorM.recordsPerSec / ceiling,
    mirrorVsNaive: mirrorM.recordsPerSec / naiveM.recordsPerSec,
    unchangedSpeedup: unchangedM.recordsPerSec / mirrorM.recordsPerSec,
    costPerRecord4NvsN: scaleM.usPerRecord / mirrorM.usPerRecord,
    peakRss4NvsN: scaleM.peakRssMb / mirrorM.peakRssMb,
  };
  const maxUnchangedDataRows = Math.max(...unchangedReps.map((u) => u.dataRowsWritten));
  const maxIncRequests = Math.max(...incrementalReps.map((r) => r.requests));
  const targets = [
    { name: 'first mirror ≥ 0.7 × min(fetch, write) ceiling', value: ratios.mirrorVsCeiling, pass: ratios.mirrorVsCeiling >= 0.7 },
    { name: 'first mirror ≥ 10 × naive baseline', value: ratios.mirrorVsNaive, pass: ratios.mirrorVsNaive >= 10 },
    { name: 'unchanged re-mirror writes 0 data rows', value: maxUnchangedDataRows, pass: maxUnchangedDataRows === 0 },
    { name: 'unchanged re-mirror ≥ 1.5 × faster than first mirror', value: ratios.unchangedSpeedup, pass: ratios.unchangedSpeedup >= 1.5 },
    { name: 'incremental, nothing new: ≤ 2 requests per endpoint', value: maxIncRequests, pass: maxIncRequests <= 2 },
    { name: 'peak RSS within 20% between N and 4N', value: ratios.peakRss4NvsN, pass: Math.abs(ratios.peakRss4NvsN - 1) <= 0.2 },
    { name: 'cost per record at 4N within 15% of N', value: ratios.costPerRecord4NvsN, pass: Math.abs(ratios.costPerRecord4NvsN - 1) <= 0.15 },
    million
      ? { name: 'peak RSS < 250 MB at 1,000,000 records', value: million.peakRssMb, pass: million.peakRssMb < 250 }
      : { name: 'peak RSS < 250 MB at 1,000,000 records', value: null, pass: null, note: 'not measured (run with --million)' },
  ];

  const result = {
    when: new Date().toISOString(),
    durationSec: (Date.now() - t0) / 1000,
    machine,
    config: { endpoint: ENDPOINT, records: N, repeat: REPEAT, scaleRepeat: SCALE_REPEAT, naiveSlice: NAIVE, pageSize: PAGE_SIZE ?? null, pageSizeNote, seed: SEED, maxRps: 0 },
    fetchCeiling: { median: fetchM, reps: fetchReps },
    writeCeiling: { median: writeM, reps: writeReps },
    firstMirror: { median: mirrorM, reps: mirrorReps },
    naive: { median: naiveM, reps: naiveReps },
    unchangedMirror: { median: unchangedM, reps: unchangedReps },
    incrementalNothingNew: { median: incM, reps: incrementalReps },
    scale4N: { records: 4 * N, median: scaleM, reps: scaleReps },
    million: million ?? null,
    ratios,
    targets,
    profile: profile ? { file: profileFile, ...profile } : null,
  };
  mkdirSync(dirname(JSON_PATH), { recursive: true });
  writeFileSync(JSON_PATH, JSON.stringify(result, null, 2) + '\n');
  const table = renderTable(result);
  process.stdout.write('\n' + table + '\n');
  say(`JSON written to ${JSON_PATH}`);
}

type Result = {
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; postgres: Record<string, string> };
  config: { endpoint: string; records: number; repeat: number; scaleRepeat: number; naiveSlice: number; pageSizeNote: string };
  fetchCeiling: { median: Rate & CpuShare & { peakRssMb: number } };
  writeCeiling: { median: Rate & CpuShare };
  firstMirror: { median: MirrorFigures };
  naive: { median: { records: number; recordsPerSec: number; usPerRecord: number } };
  unchangedMirror: { median: MirrorFigures; reps: MirrorFigures[] };
  incrementalNothingNew: { median: { requests: number; recordsSeen: number } };
  scale4N: { records: number; median: MirrorFigures };
  million: MirrorFigures | null;
  ratios: Record<string, number>;
  targets: { name: string; value: number | null; pass: boolean | null; note?: string }[];
  durationSec: number;
};

/** The Markdown table printed at the end and pasted into the README. */
export function renderTable(r: Result): string {
  const f = r.fetchCeiling.median;
  const w = r.writeCeiling.median;
  const m = r.firstMirror.median;
  const u = r.unchangedMirror.median;
  const s = r.scale4N.median;
  const n = r.naive.median;
  const cores = (x: CpuShare) => `sync ${fmt(x.syncCores, 2)} + sim ${fmt(x.simulatorCores, 2)} + pg/other ${fmt(x.otherCores, 2)} = ${fmt(x.machineCores, 2)}`;
  const rows: string[][] = [
    ['1. fetch ceiling (client + JSON.parse, no writes)', `${fmt(f.recordsPerSec)} records/s`, `${fmt(f.pagesPerSec, 1)} pages/s; ${cores(f)}`],
    ['2. write ceiling (COPY into table with PK)', `${fmt(w.recordsPerSec)} records/s`, `bench process ${fmt(w.syncCores, 2)} + pg/other ${fmt(w.otherCores, 2)} cores`],
    ['3. first mirror, N, empty database', `${fmt(m.recordsPerSec)} records/s`, `${fmt(m.pagesPerSec, 1)} pages/s, ${fmt(m.usPerRecord, 1)} µs/record, peak RSS ${fmt(m.peakRssMb, 1)} MB; cores: ${cores(m)}`],
    [`4. naive (autocommitted upsert per record, ${fmt(n.records)} records)`, `${fmt(n.recordsPerSec)} records/s`, `${fmt(n.usPerRecord)} µs/record`],
    ['5. unchanged re-mirror', `${fmt(u.recordsPerSec)} records/s`, `rows written: data ${fmt(u.dataRowsWritten)}, onecore_sync bookkeeping ${fmt(u.bookkeepingRowsWritten)} (${fmt(u.bookkeepingRowsWritten / Math.max(1, u.pages), 1)}/page); peak RSS ${fmt(u.peakRssMb, 1)} MB`],
    ['6. incremental, nothing new', `${fmt(r.incrementalNothingNew.median.requests)} request(s)`, `to ${r.config.endpoint}; ${fmt(r.incrementalNothingNew.median.recordsSeen)} records re-read`],
    [`7. first mirror, 4N = ${fmt(r.scale4N.records)}`, `${fmt(s.recordsPerSec)} records/s`, `${fmt(s.usPerRecord, 1)} µs/record, peak RSS ${fmt(s.peakRssMb, 1)} MB`],
  ];
  if (r.million) rows.push(['first mirror, 1,000,000', `${fmt(r.million.recordsPerSec)} records/s`, `${fmt(r.million.usPerRecord, 1)} µs/record, peak RSS ${fmt(r.million.peakRssMb, 1)} MB`]);
  const ratioRows: string[][] = [
    ['(3) / min(1, 2)', fmt(r.ratios.mirrorVsCeiling!, 2)],
    ['(3) / (4)', `${fmt(r.ratios.mirrorVsNaive!, 1)}×`],
    ['(5) / (3) unchanged speed-up', `${fmt(r.ratios.unchangedSpeedup!, 2)}×`],
    ['cost per record 4N / N', fmt(r.ratios.costPerRecord4NvsN!, 3)],
    ['peak RSS 4N / N', fmt(r.ratios.peakRss4NvsN!, 3)],
  ];
  const md = (head: string[], body: string[][]) => [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...body.map((b) => `| ${b.join(' | ')} |`)].join('\n');
  const targetRows = r.targets.map((t) => [t.name, t.value === null ? '—' : fmt(t.value, Number.isInteger(t.value) ? 0 : 2), t.pass === null ? `not run${t.note ? ` (${t.note})` : ''}` : t.pass ? 'PASS' : 'FAIL']);
  return [
    `Endpoint \`${r.config.endpoint}\`, N = ${fmt(r.config.records)} records, page size ${r.config.pageSizeNote}; medians of ${r.config.repeat} runs (4N: ${r.config.scaleRepeat}).`,
    `Machine: ${r.machine.cpus} cores (${r.machine.cpuModel}), ${r.machine.memoryGb} GB RAM, node ${r.machine.node}, ${r.machine.postgres.version!.split(' on ')[0]} (shared_buffers ${r.machine.postgres.shared_buffers}, synchronous_commit ${r.machine.postgres.synchronous_commit}); the simulator, the sync and Postgres share the cores. Bench took ${fmt(r.durationSec)} s.`,
    '',
    md(['step', 'result', 'details'], rows),
    '',
    md(['ratio', 'value'], ratioRows),
    '',
    md(['target', 'measured', 'verdict'], targetRows),
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
    process.stderr.write(`bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await dropAll();
  });

