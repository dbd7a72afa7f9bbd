/**
 * `npm run chaos`: proves that the mirror ends exact after what production does to it.
 *
 * Several worker processes mirror and incrementally sync ~100k records from the simulator while
 * it injects faults (429 with Retry-After, 5xx, connection resets, slow and truncated responses),
 * rotates the refresh token every few seconds, and inserts, updates and deletes records during
 * paging. Meanwhile workers are SIGKILLed at random moments, and Postgres and Redis are each
 * restarted once (Redis keeps nothing on disk: a restart wipes the queue). Afterwards, on a quiet
 * simulator, the workers run a final mirror, and Postgres is compared with the simulator record
 * by record. Figures are printed and written as JSON.
 *
 * Options: --records N (total, spread over the list endpoints; default 100000), --duration S
 * (chaos phase, default 90), --workers N (default 3), --json PATH, --no-pg-restart,
 * --no-redis-restart. Needs DATABASE_URL (a server where it may CREATE DATABASE; default
 * postgres://postgres@127.0.0.1:5432/postgres) and REDIS_URL, and — for the restarts — to be
 * run as a user that may restart them (pg_ctlcluster / redis-server), as on the CI machine.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { mulberry32 } from '../src/simulator/random.js';
import { normalizeRecord } from '../src/sync/normalizeDates.js';
import { readKey } from '../src/sync/prepareRecords.js';
import { recordTable } from '../src/db/quoteIdent.js';
import { sleep } from '../src/onecore/retry.js';
import { canonicalJson } from '../test/helpers/canonicalJson.js';
import { deletePrefixKeys } from '../test/helpers/redisKeys.js';
import { createScratchDatabase } from '../test/helpers/scratchDatabase.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

const { values: opts } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    duration: { type: 'string', default: '90' },
    workers: { type: 'string', default: '3' },
    json: { type: 'string', default: 'chaos/results/latest.json' },
    'no-pg-restart': { type: 'boolean', default: false },
    'no-redis-restart': { type: 'boolean', default: false },
    seed: { type: 'string', default: '42' },
  },
});
const totalRecords = positive('records', opts.records!);
const durationMs = positive('duration', opts.duration!) * 1000;
const workerCount = Math.max(2, positive('workers', opts.workers!));
const seed = positive('seed', opts.seed!);

function positive(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    process.stderr.write(`chaos: --${name} must be a positive whole number, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return n;
}

const baseDbUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const runId = randomBytes(4).toString('hex');
const prefix = `ocs-chaos-${runId}`;
const logDir = `chaos/results/${runId}`;
const say = (line: string) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
const t0 = Date.now();

interface Figures {
  records: { start: number; final: number; inserted: number; updated: number; deleted: number };
  faultsInjected: Record<string, number>;
  rotations: number;
  renewCalls: number;
  renewRefused: number;
  kills: number;
  /** Workers that exited without being killed or asked to stop (a crash): must be 0. */
  selfExits: number;
  postgresRestarts: number;
  redisRestarts: number;
  mismatches: number;
  duplicates: number;
  missing: number;
  extra: number;
  stuckJobs: number;
  waitingJobs: number;
  failedJobs: number;
  refreshTokenValid: boolean;
  syncRuns: Record<string, number>;
  seconds: number;
}

async function main(): Promise<number> {
  const figures: Partial<Figures> = { kills: 0, selfExits: 0, postgresRestarts: 0, redisRestarts: 0 };
  mkdirSync(logDir, { recursive: true });
  const listEndpoints = [
    'orders',
    'quotations',
    'products',
    'shopusers',
    'ordershipments',
    'invoices',
    'databaseusages',
    'productimages',
  ];
  const perEndpoint = Math.ceil(totalRecords / listEndpoints.length);
  say(
    `simulator: ${perEndpoint} records × ${listEndpoints.length} endpoints, 10% faults, refresh token rotating every 3 s`,
  );
  const sim = await startSimulator({
    records: perEndpoint,
    seed,
    pageSize: 100,
    accessTokenTtlSeconds: 4,
    rotateAfterSeconds: 3,
    // The real shop's behaviour for an old refresh token right after rotation is undocumented.
    // A worker SIGKILLed between the renew answer and its commit needs the old token to work
    // once more; this models a shop that honours it for a minute (see README, Operations).
    rotationGraceSeconds: 60,
  });
  for (const e of listEndpoints) sim.count(e);
  figures.records = { start: perEndpoint * listEndpoints.length, final: 0, inserted: 0, updated: 0, deleted: 0 };

  const db = await createScratchDatabase(baseDbUrl, { prefix: 'ocs_chaos', tag: runId, poolSize: 4 });
  const { pool, url: dbUrl } = db;

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: dbUrl,
    REDIS_URL: redisUrl,
    SYNC_QUEUE_PREFIX: prefix,
    ONECORE_BASE_URL: sim.url,
    ONECORE_REFRESH_TOKEN: sim.refreshToken,
    ONECORE_ENDPOINTS: [...listEndpoints, 'apiusers'].join(','),
    ONECORE_MAX_RPS: '0',
    ONECORE_TIMEOUT_MS: '5000',
    SYNC_INCREMENTAL_CRON: '*/4 * * * * *',
    SYNC_MIRROR_CRON: '*/20 * * * * *',
    SYNC_CONCURRENCY: '3',
    SYNC_LOCK_MS: '4000',
    SYNC_SCHEDULE_CHECK_MS: '2000',
    SHUTDOWN_GRACE_MS: '5000',
    ADMIN_PORT: '0',
    LOG_LEVEL: 'info',
  };

  const workers: Array<ChildProcess | undefined> = [];
  let workerSerial = 0;
  // Processes we SIGKILL or SIGTERM ourselves; any other exit is the worker giving up on its own
  // (a crash), which is counted and must be 0. The slot gets a new worker so the run goes on.
  const stoppedByUs = new WeakSet<ChildProcess>();
  let finishing = false;
  const startWorker = (slot: number) => {
    const logName = `${logDir}/worker-${slot}-${++workerSerial}.log`;
    const log = createWriteStream(logName);
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'worker'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    child.once('exit', (code, signal) => {
      if (stoppedByUs.has(child) || finishing) return;
      figures.selfExits! += 1;
      say(`worker ${slot} exited on its own (code ${code}, signal ${signal}; see ${logName}); starting a new one`);
      setTimeout(() => {
        if (!finishing && workers[slot] === child) startWorker(slot);
      }, 500);
    });
    workers[slot] = child;
  };
  for (let i = 0; i < workerCount; i++) startWorker(i);
  say(`${workerCount} workers started (queue prefix ${prefix}, database ${db.name})`);

  // Chaos: faults on, mutations during paging, kills, restarts.
  sim.faults.set({
    rate: 0.1,
    kinds: ['429', '500', '502', '503', 'reset', 'slow', 'truncated'],
    retryAfter: 1,
    slowMs: 1500,
  });
  const rng = mulberry32(seed);
  const deadline = Date.now() + durationMs;
  const mutator = setInterval(() => {
    const e = listEndpoints[Math.floor(rng() * listEndpoints.length)]!;
    const key = sim.endpoints.find((x) => x.name === e)!.keyField;
    const roll = rng();
    const truth = sim.truth(e) as Array<Record<string, unknown>>;
    if (roll < 0.5) {
      sim.insert(e, 1 + Math.floor(rng() * 5));
      figures.records!.inserted += 1;
    } else if (roll < 0.8 && truth.length > 0) {
      sim.update(e, truth[Math.floor(rng() * truth.length)]![key] as string);
      figures.records!.updated += 1;
    } else if (truth.length > 0) {
      sim.remove(e, truth[Math.floor(rng() * truth.length)]![key] as string);
      figures.records!.deleted += 1;
    }
  }, 100);

  const killEvery = Math.max(1000, Math.floor(durationMs / 30));
  const pgRestartAt = Date.now() + durationMs * 0.35;
  const redisRestartAt = Date.now() + durationMs * 0.65;
  let pgRestarted = opts['no-pg-restart'];
  let redisRestarted = opts['no-redis-restart'];
  while (Date.now() < deadline) {
    await sleep(killEvery * (0.5 + rng()));
    const slot = Math.floor(rng() * workerCount);
    const victim = workers[slot];
    if (victim && alive(victim)) {
      stoppedByUs.add(victim);
      victim.kill('SIGKILL');
      figures.kills! += 1;
      await new Promise((r) => victim.once('exit', r));
      setTimeout(() => startWorker(slot), 300 + rng() * 1200);
    }
    if (!pgRestarted && Date.now() > pgRestartAt) {
      pgRestarted = true;
      say('restarting Postgres');
      restartPostgres();
      figures.postgresRestarts! += 1;
    }
    if (!redisRestarted && Date.now() > redisRestartAt) {
      redisRestarted = true;
      say('restarting Redis (nothing on disk: the queue and schedules are wiped)');
      restartRedis(redisUrl);
      figures.redisRestarts! += 1;
    }
    if (figures.kills! % 5 === 0) say(`${figures.kills} kills so far; ${JSON.stringify(sim.stats().faultsInjected)}`);
  }
  clearInterval(mutator);
  sim.faults.clear();
  say(`chaos phase over: ${figures.kills} kills. Quiet simulator; final mirror through the workers`);
  await sleep(2000); // let restarted workers come up

  // Final mirror: enqueue through the CLI and wait until every endpoint has a mirror that
  // started after this moment and succeeded.
  const since = new Date();
  await waitForMirror(pool, listEndpoints, since, env);
  finishing = true;
  await Promise.all(
    workers.map((w) =>
      w && alive(w)
        ? new Promise((r) => {
            stoppedByUs.add(w);
            w.once('exit', r);
            w.kill('SIGTERM');
          })
        : undefined,
    ),
  );

  // Compare, record by record.
  let missing = 0;
  let extra = 0;
  let mismatches = 0;
  let duplicates = 0;
  let finalCount = 0;
  for (const e of listEndpoints) {
    const keyField = sim.endpoints.find((x) => x.name === e)!.keyField;
    const expected = new Map<string, string>();
    for (const r of sim.truth(e))
      expected.set(readKey(r as Record<string, unknown>, keyField)!, canonicalJson(normalizeRecord(r).value));
    finalCount += expected.size;
    const { rows } = await pool.query<{ id: string; data: unknown }>(
      `select id, data from ${recordTable(e)} where deleted_at is null`,
    );
    const dup = await pool.query(`select count(*) - count(distinct id) as d from ${recordTable(e)}`);
    duplicates += Number(dup.rows[0].d);
    const stored = new Map(rows.map((r) => [r.id, canonicalJson(r.data)]));
    for (const [id, json] of expected) {
      if (!stored.has(id)) missing++;
      else if (stored.get(id) !== json) mismatches++;
    }
    for (const id of stored.keys()) if (!expected.has(id)) extra++;
  }
  figures.records!.final = finalCount;
  figures.missing = missing;
  figures.extra = extra;
  figures.duplicates = duplicates;
  figures.mismatches = missing + extra + mismatches + duplicates;

  const queue = await queueFigures(redisUrl, prefix);
  // After the workers shut down gracefully nothing may be left active (a stuck job); jobs still
  // waiting (a scheduled run that fell due at the end) are fine: the next worker runs them.
  figures.stuckJobs = queue.active;
  figures.waitingJobs = queue.waiting;
  figures.failedJobs = queue.failed;
  const stats = sim.stats();
  figures.faultsInjected = stats.faultsInjected;
  figures.rotations = stats.rotations;
  figures.renewCalls = stats.renewCalls;
  figures.renewRefused = stats.renewRefused;
  // No lost refresh token: the one in Postgres still renews (the shop's current one, or within grace).
  const cred = await pool.query(`select refresh_token from onecore_sync.credentials`);
  figures.refreshTokenValid = await renewWorks(sim, cred.rows[0]?.refresh_token);
  const runs = await pool.query(`select status, count(*)::int as n from onecore_sync.sync_runs group by status`);
  figures.syncRuns = Object.fromEntries(runs.rows.map((r) => [r.status, r.n]));
  figures.seconds = Math.round((Date.now() - t0) / 1000);

  const cleanup = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  await deletePrefixKeys(cleanup, prefix).finally(() => cleanup.disconnect());
  await sim.close();
  await db.drop();

  mkdirSync('chaos/results', { recursive: true });
  writeFileSync(opts.json!, JSON.stringify(figures, null, 2) + '\n');
  const ok =
    figures.mismatches === 0 &&
    figures.stuckJobs === 0 &&
    figures.refreshTokenValid &&
    figures.kills! >= 20 &&
    figures.selfExits === 0;
  process.stdout.write(`
chaos run ${runId}: ${ok ? 'PASSED' : 'FAILED'}
  records            ${figures.records!.start} at start, ${figures.records!.final} at the end (${figures.records!.inserted} insert, ${figures.records!.updated} update, ${figures.records!.deleted} delete mutations)
  faults injected    ${Object.values(figures.faultsInjected!).reduce((a, b) => a + b, 0)} ${JSON.stringify(figures.faultsInjected)}
  token rotations    ${figures.rotations} (${figures.renewCalls} renew calls, ${figures.renewRefused} refused)
  workers killed     ${figures.kills} (SIGKILL)
  workers crashed    ${figures.selfExits} (exited on their own; must be 0)
  restarts survived  Postgres ${figures.postgresRestarts}, Redis ${figures.redisRestarts}
  sync runs          ${JSON.stringify(figures.syncRuns)}
  mismatches         ${figures.mismatches} (missing ${missing}, extra ${extra}, different ${mismatches}, duplicates ${duplicates})
  stuck jobs         ${figures.stuckJobs} (waiting ${figures.waitingJobs}, failed ${figures.failedJobs})
  refresh token      ${figures.refreshTokenValid ? 'valid' : 'LOST'}
  figures written to ${opts.json}; worker logs in ${logDir}
`);
  if (figures.kills! < 20) process.stdout.write(`  fewer than 20 kills: run longer (--duration)\n`);
  return ok ? 0 : 1;
}

async function waitForMirror(
  pool: pg.Pool,
  endpoints: string[],
  since: Date,
  env: Record<string, string>,
): Promise<void> {
  const deadline = Date.now() + 15 * 60_000;
  let lastTrigger = 0;
  for (;;) {
    if (Date.now() - lastTrigger > 10_000) {
      // Enqueue (again, if a Redis restart or a long retry swallowed it): deduplicated per endpoint.
      lastTrigger = Date.now();
      execFileSync(process.execPath, ['--import', 'tsx', MAIN, 'trigger', 'mirror'], {
        cwd: ROOT,
        env,
        stdio: 'ignore',
      });
    }
    // A mirror walk that began before the quiet moment may have passed records that changed
    // afterwards; only a walk that began after it (and completed) is the final word.
    const { rows } = await pool
      .query<{ endpoint: string }>(
        `select distinct r.endpoint from onecore_sync.sync_runs r
          where r.mode = 'mirror' and r.status = 'succeeded' and r.endpoint = any($2)
            and (select min(f.started_at) from onecore_sync.sync_runs f where f.walk_id = r.walk_id) >= $1`,
        [since, endpoints],
      )
      .catch(() => ({ rows: [] as Array<{ endpoint: string }> }));
    if (rows.length === endpoints.length) return;
    if (Date.now() > deadline)
      throw new Error(`final mirror did not complete: done ${rows.map((r) => r.endpoint).join(',')}`);
    await sleep(1000);
  }
}

async function queueFigures(url: string, prefix: string): Promise<{ active: number; waiting: number; failed: number }> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  try {
    const base = `${prefix}:onecore-sync`;
    const [active, waiting, failed] = await Promise.all([
      redis.llen(`${base}:active`),
      redis.llen(`${base}:wait`),
      redis.zcard(`${base}:failed`),
    ]);
    return { active, waiting, failed };
  } finally {
    redis.disconnect();
  }
}

async function renewWorks(sim: Simulator, token: string | undefined): Promise<boolean> {
  if (!token) return false;
  const res = await fetch(`${sim.url}/api/v2/tokens/renewtokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: token }),
  });
  return res.status === 200;
}

function restartPostgres(): void {
  const version = readdirSync('/etc/postgresql')[0]!;
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart', '-m', 'fast'], {
    stdio: 'inherit',
  });
}

function restartRedis(url: string): void {
  const port = new URL(url).port || '6379';
  try {
    execFileSync('redis-cli', ['-p', port, 'shutdown', 'nosave'], { stdio: 'ignore' });
  } catch {
    // redis-cli reports the dropped connection of a successful shutdown as an error.
  }
  execFileSync(
    'redis-server',
    [
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '-::1',
      '--port',
      port,
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      '/var/lib/redis',
      '--logfile',
      '/var/log/redis/ci.log',
    ],
    { stdio: 'inherit' },
  );
  for (let i = 0; i < 50; i++) {
    try {
      execFileSync('redis-cli', ['-p', port, 'ping'], { stdio: 'ignore' });
      return;
    } catch {
      execFileSync('sleep', ['0.1']);
    }
  }
}

/** A killed child has a signalCode, not an exitCode: both null means it is still running. */
function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`chaos: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
