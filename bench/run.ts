/**
 * `npm run bench`: end-to-end throughput of the sync against this machine's own ceilings, memory
 * that stays flat, and writes only for changes — all in one run, against real Postgres.
 *
 *   npm run bench -- [--records N] [--json PATH] [--repeat R] [--scale-repeat R] [--naive K]
 *                    [--page-size P] [--endpoint NAME] [--profile] [--million] [--keep]
 *                    [--latencies 50,200,500 | 0]
 *
 * The simulator runs in this process; every sync runs as a child process from the built dist/
 * (built first: `node dist/cli/main.js sync --mode … --endpoint orders`, ONECORE_MAX_RPS=0,
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
 *
 * This file reads the options and runs the steps in order; the steps are in lib/steps.ts, what
 * they measure in lib/figures.ts, the targets and bounds in lib/evaluate.ts and the printed
 * table in lib/report.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import type { Simulator } from '../src/simulator/index.js';
import { evaluate } from './lib/evaluate.js';
import {
  API_DEFAULT_PAGE_SIZE,
  type MirrorFigures,
  type NaiveFigures,
  type PageSizeFigures,
  type Result,
  type WriteFigures,
} from './lib/figures.js';
import { fmt } from './lib/fmt.js';
import { checkpointer, pgInfo } from './lib/pgFigures.js';
import { renderProfile, summarizeProfile } from './lib/profileSummary.js';
import { renderReport } from './lib/report.js';
import { scratchDatabases, type Db } from './lib/scratchDatabases.js';
import { medianOf } from './lib/stats.js';
import {
  atPageSize,
  copyChunks,
  firstMirror,
  idleLoad,
  jsWorkPerRecord,
  naive,
  startSim,
  writeCeiling,
  type Bench,
} from './lib/steps.js';
import { syncEnv } from './lib/syncEnv.js';
import { measureRemoteShop } from './remoteShop.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Chosen so that a default run takes about five minutes on a 2-core machine. */
const DEFAULT_RECORDS = 80_000;

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

// Every measurement gets its own scratch database (`ocs_bench_<run>_<random>_<step>`).
const dbs = scratchDatabases(baseDbUrl, `ocs_bench_${runId}`, { keep: opts.keep });
const pgCheckpoint = checkpointer(baseDbUrl);
const bench: Bench = {
  endpoint: ENDPOINT,
  repeat: REPEAT,
  naiveSlice: NAIVE,
  seed: SEED,
  dbs,
  checkpoint: () => pgCheckpoint.checkpoint(),
  childEnv(db: Db, sim: Simulator, pageSize: number): NodeJS.ProcessEnv {
    const env = syncEnv({ databaseUrl: db.url, sim, endpoint: ENDPOINT });
    const file = configFor(pageSize);
    if (file) env.ONECORE_CONFIG_FILE = file;
    return env;
  },
  say,
  startupCpuMs: 0,
};

async function main(): Promise<void> {
  // Measure the current source: build dist/ (what `npm install` does) before anything runs.
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'],
    { cwd: ROOT, stdio: 'inherit' },
  );
  const busyBefore = await idleLoad();
  const machine = {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres: await pgInfo(baseDbUrl),
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

  const sim = await startSim(bench, N);
  const keyField = sim.endpoints.find((e) => e.name === ENDPOINT)?.keyField ?? 'id';
  let truth: unknown[] = sim.truth(ENDPOINT);
  const js = jsWorkPerRecord(truth, keyField, API_DEFAULT_PAGE_SIZE);
  say(
    `   JS work per record on one core: JSON.parse ${fmt(js.jsonParseUs, 1)} µs + prepareRecords ${fmt(js.prepareUs, 1)} µs`,
  );

  // 2. write ceiling (independent of the page size)
  const ceilingDb = await dbs.create('ceiling');
  const copyData = copyChunks(truth, keyField);
  // eslint-disable-next-line no-useless-assignment -- drops the records so the write runs can reuse the memory
  truth = [];
  say(`   COPY data: ${fmt(copyData.rows)} rows, ${fmt(copyData.bytes / 1e6, 1)} MB`);
  const writeReps: WriteFigures[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const w = await writeCeiling(bench, ceilingDb, copyData, i);
    writeReps.push(w);
    say(`2. write ceiling (COPY) #${i + 1}: ${fmt(w.recordsPerSec)} records/s (${fmt(w.ms)} ms)`);
  }
  copyData.chunks.length = 0;

  // 1, 3, 6, 5 per page size
  const partial: Omit<PageSizeFigures, 'ratios' | 'bounds' | 'targets'>[] = [];
  for (const [i, size] of sizes.entries()) {
    const figures = await atPageSize(bench, sim, ceilingDb, size, `p${i}`);
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
    const { figures } = await firstMirror(bench, sim, 'prof', API_DEFAULT_PAGE_SIZE, false, [
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
  const naiveDb = await dbs.create('naive', false);
  const naiveReps: NaiveFigures[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const n = await naive(bench, sim, naiveDb);
    naiveReps.push(n);
    say(
      `4. naive (one autocommitted insert … on conflict per record, ${fmt(n.records)} records) #${i + 1}: ${fmt(n.recordsPerSec)} records/s, ${fmt(n.usPerRecord)} µs/record`,
    );
  }
  await dbs.drop(naiveDb);
  await dbs.drop(ceilingDb);
  await sim.close();

  // 7. scale: 4N, per page size
  const sim4 = await startSim(bench, 4 * N);
  for (const f of partial) {
    const reps: MirrorFigures[] = [];
    for (let i = 0; i < SCALE_REPEAT; i++) {
      const { figures } = await firstMirror(bench, sim4, `s${f.pageSize}_${i}`, f.pageSize, false);
      reps.push(figures);
      say(
        `7. first mirror at 4N, pageSize ${f.pageSize} #${i + 1}: ${fmt(figures.recordsPerSec)} records/s, ${fmt(figures.usPerRecord, 1)} µs/record, peak RSS ${fmt(figures.peakRssMb, 1)} MB`,
      );
    }
    f.scale4N = { records: 4 * N, median: medianOf(reps), reps };
  }
  await sim4.close();

  if (opts.million) {
    const simM = await startSim(bench, 1_000_000);
    for (const f of partial) {
      f.million = (await firstMirror(bench, simM, `million${f.pageSize}`, f.pageSize, false)).figures;
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
      checkpointBeforeRuns: !pgCheckpoint.refused(),
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

const onSignal = () => {
  say('interrupted; dropping scratch databases');
  void dbs.dropAll(say).finally(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await dbs.dropAll(say);
    rmSync(scratchDir, { recursive: true, force: true });
  });
