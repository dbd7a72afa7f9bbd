/**
 * History mode's cost, measured apart from the main bench (`npm run bench:history`):
 *
 *   H1. first mirror into an empty database, history off and history on (ONECORE_HISTORY=orders),
 *       alternated run by run so both see the same machine; the ratio of the medians (target ≤ 1.3);
 *   H2. an unchanged re-mirror with history on: the rows it writes to the data table and to the
 *       history table (pg_stat_user_tables; target 0 and 0).
 *
 *   npm run bench:history -- [--records N] [--repeat R] [--page-size P] [--json PATH]
 *
 * The sync runs as a child process from the built dist/ (built first), ONECORE_MAX_RPS=0,
 * LOG_LEVEL=warn; walk times are the engine's own (sync_runs.finished_at − started_at). Needs
 * DATABASE_URL (a server where it may CREATE DATABASE; default postgres://postgres@127.0.0.1:5432/postgres).
 * Every scratch database (ocs_bench_hist_<random>_…) is dropped at the end.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { syncEnv } from './lib/syncEnv.js';
import { scratchDatabases, type Db } from './lib/scratchDatabases.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const ENDPOINT = 'orders';
const API_DEFAULT_PAGE_SIZE = 100;

const { values: opts } = parseArgs({
  options: {
    records: { type: 'string', default: '40000' },
    repeat: { type: 'string', default: '3' },
    'page-size': { type: 'string', default: String(API_DEFAULT_PAGE_SIZE) },
    json: { type: 'string', default: 'bench/results/history.json' },
  },
});
function whole(name: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(
      `bench:history: --${name} must be a whole number of at least ${min}, got ${JSON.stringify(raw)}\n`,
    );
    process.exit(2);
  }
  return n;
}
const N = whole('records', opts.records!, 100);
const REPEAT = whole('repeat', opts.repeat!, 1);
const PAGE_SIZE = whole('page-size', opts['page-size']!, 1);
const baseDbUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const tag = randomBytes(3).toString('hex');
const say = (s: string) => process.stdout.write(s + '\n');

const dbs = scratchDatabases(baseDbUrl, `ocs_bench_hist_${tag}`);

const scratch = mkdtempSync(join(tmpdir(), 'ocs-bench-history-'));
function env(db: Db, sim: Simulator, history: boolean): NodeJS.ProcessEnv {
  const out = syncEnv({ databaseUrl: db.url, sim, endpoint: ENDPOINT });
  if (history) out.ONECORE_HISTORY = ENDPOINT;
  if (PAGE_SIZE !== API_DEFAULT_PAGE_SIZE) {
    const file = join(scratch, 'endpoints.json');
    writeFileSync(
      file,
      JSON.stringify({ endpoints: { [ENDPOINT]: { pageSizeParam: 'pageSize', pageSize: PAGE_SIZE } } }),
    );
    out.ONECORE_CONFIG_FILE = file;
  }
  return out;
}

function mirror(db: Db, sim: Simulator, history: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'sync', '--mode', 'mirror', '--endpoint', ENDPOINT], {
      cwd: ROOT,
      env: env(db, sim, history),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`sync exited with ${code}: ${stderr.slice(-2000)}`)),
    );
  });
}

async function lastWalkMs(db: Db): Promise<{ ms: number; records: number }> {
  const { rows } = await db.pool.query(
    `select extract(epoch from finished_at - started_at)::float8 * 1000 as ms, records_seen::float8 as records, status
       from onecore_sync.sync_runs where endpoint = $1 and mode = 'mirror' order by id desc limit 1`,
    [ENDPOINT],
  );
  if (rows[0]?.status !== 'succeeded') throw new Error(`the mirror ended ${rows[0]?.status}`);
  return { ms: rows[0].ms, records: rows[0].records };
}

/** Rows inserted + updated + deleted per schema, once the child's backends have reported (two equal reads). */
async function rowsWritten(db: Db): Promise<Record<string, number>> {
  const read = async () => {
    const c = await db.pool.connect();
    try {
      await c.query('select pg_stat_clear_snapshot()');
      const { rows } = await c.query(
        `select schemaname as s, sum(n_tup_ins + n_tup_upd + n_tup_del)::float8 as n from pg_stat_user_tables group by 1`,
      );
      return Object.fromEntries(rows.map((r) => [r.s, r.n])) as Record<string, number>;
    } finally {
      c.release();
    }
  };
  let prev = await read();
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 300));
    const next = await read();
    if (JSON.stringify(next) === JSON.stringify(prev)) return next;
    prev = next;
  }
  return prev;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

async function main(): Promise<void> {
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'],
    { cwd: ROOT, stdio: 'inherit' },
  );
  const sim = await startSimulator({ records: { [ENDPOINT]: N }, seed: 1 });
  sim.count(ENDPOINT);
  say(
    `history bench: ${fmt(N)} ${ENDPOINT}, page size ${PAGE_SIZE}, ${REPEAT} repetitions, history off and on alternated`,
  );
  const off: number[] = [];
  const on: number[] = [];
  let kept: Db | undefined;
  try {
    for (let rep = 0; rep < REPEAT; rep++) {
      for (const history of [false, true]) {
        const db = await dbs.create(`${history ? 'on' : 'off'}${rep}`, true, 2);
        await mirror(db, sim, history);
        const { ms, records } = await lastWalkMs(db);
        if (records !== N) throw new Error(`the mirror saw ${records} records, the simulator has ${N}`);
        (history ? on : off).push(ms);
        say(`   first mirror, history ${history ? 'on ' : 'off'}: ${fmt(ms)} ms (${fmt((N * 1000) / ms)} records/s)`);
        if (history && rep === REPEAT - 1) kept = db;
        else await dbs.drop(db);
      }
    }
    // H2: an unchanged re-mirror with history on.
    const db = kept!;
    const versionsBefore = (await db.pool.query(`select count(*)::int as n from onecore_history.${ENDPOINT}`)).rows[0]
      .n as number;
    const before = await rowsWritten(db);
    await mirror(db, sim, true);
    const after = await rowsWritten(db);
    const delta = (s: string) => (after[s] ?? 0) - (before[s] ?? 0);
    const unchanged = {
      dataRows: delta('onecore'),
      historyRows: delta('onecore_history'),
      bookkeepingRows: delta('onecore_sync'),
      ms: (await lastWalkMs(db)).ms,
    };
    const versionsAfter = (await db.pool.query(`select count(*)::int as n from onecore_history.${ENDPOINT}`)).rows[0]
      .n as number;
    await dbs.drop(db);

    const ratio = median(on) / median(off);
    const rows = [
      [
        'H1. first mirror, history off',
        `${fmt((N * 1000) / median(off))} rec/s`,
        `median ${fmt(median(off))} ms of ${off.map((x) => fmt(x)).join(', ')}`,
      ],
      [
        'H1. first mirror, history on',
        `${fmt((N * 1000) / median(on))} rec/s`,
        `median ${fmt(median(on))} ms of ${on.map((x) => fmt(x)).join(', ')}; ${fmt(versionsBefore)} versions`,
      ],
      [
        'H1. ratio on / off (target ≤ 1.3)',
        `${fmt(ratio, 2)}× ${ratio <= 1.3 ? 'PASS' : 'FAIL'}`,
        'ratio of the medians',
      ],
      [
        'H2. unchanged re-mirror, history on (target 0 and 0)',
        `data ${unchanged.dataRows}, history ${unchanged.historyRows} ${unchanged.dataRows === 0 && unchanged.historyRows === 0 ? 'PASS' : 'FAIL'}`,
        `${fmt((N * 1000) / unchanged.ms)} rec/s; onecore_sync bookkeeping ${unchanged.bookkeepingRows}; versions ${fmt(versionsBefore)} → ${fmt(versionsAfter)}`,
      ],
    ];
    say('');
    say(`| step (page size ${PAGE_SIZE}, N = ${fmt(N)}) | result | details |`);
    say('| --- | --- | --- |');
    for (const r of rows) say(`| ${r.join(' | ')} |`);
    mkdirSync(dirname(opts.json!), { recursive: true });
    writeFileSync(
      opts.json!,
      JSON.stringify(
        { records: N, pageSize: PAGE_SIZE, repeat: REPEAT, firstMirrorMs: { off, on }, ratio, unchanged },
        null,
        2,
      ),
    );
    say(`\nfigures: ${opts.json}`);
  } finally {
    await dbs.dropAll(() => undefined);
    await sim.close();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench:history failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
