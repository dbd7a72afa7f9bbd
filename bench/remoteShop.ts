/**
 * Benchmark rows for a shop that is far away: a mirror of every endpoint against the simulator
 * with `latencyMs` added to each answer and `ONECORE_MAX_RPS` set, with default settings (the
 * walker count sizes itself), next to the least time any sync could take:
 *
 *   floor = max(requests ÷ ONECORE_MAX_RPS, largest endpoint's pages × round trip)
 *
 * — the budget term (every list request takes a turn of the shop-wide budget: the pages, and the
 * forbidden endpoint's one 403) and the serial term (a walk asks for its next page only once the
 * previous answer is in: its cursor is in it). The round trip in the floor is the added latency
 * alone, so the floor is slightly below what is reachable (the simulator's own serving time, a
 * few ms per page, is left out). Each sync runs as a child process (the built dist/, as users
 * run it) in a fresh database; the walk time is the engine's own, from the first walk's start
 * to the last one's end in `sync_runs` (start-up, token and discovery excluded).
 *
 * Used by bench/run.ts (`npm run bench`) and alone by `npm run bench:remote`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { createScratchDatabase } from '../test/helpers/scratchDatabase.js';
import { syncEnv } from './lib/syncEnv.js';

const MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Records per endpoint: one long walk, one middling, the rest short — so both floor terms matter. */
export const REMOTE_RECORDS: Record<string, number> = {
  orders: 3000,
  products: 1500,
  quotations: 500,
  shopusers: 500,
  ordershipments: 500,
  invoices: 500,
  databaseusages: 500,
  productimages: 500,
};

export interface RemoteShopOptions {
  databaseUrl: string;
  latenciesMs: number[];
  maxRps: number;
  repeat: number;
  /** Also run the old fixed default (--concurrency 2) once per latency, for comparison. */
  compareFixed: number | null;
  say: (line: string) => void;
}

export interface RemoteRun {
  /** First walk's start to the last walk's end, ms. */
  walkMs: number;
  /** The child process, spawn to exit, ms. */
  wallMs: number;
  pages: number;
  largestPages: number;
  /** List requests the shop answered (pages, the forbidden endpoint's 403, retries). */
  requests: number;
  /** The most walks under way at one moment. */
  walkersAtOnce: number;
  /** The most list requests the shop received within any one second. */
  mostRequestsInASecond: number;
  floorMs: number;
  /** floor ÷ walk time: 1.0 = as fast as any sync could be. */
  ofFloor: number;
}

export interface RemoteRow {
  latencyMs: number;
  maxRps: number;
  settings: string;
  median: RemoteRun;
  reps: RemoteRun[];
}

function runSync(
  env: NodeJS.ProcessEnv,
  args: string[],
): Promise<{ code: number | null; wallMs: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [MAIN, 'sync', '--mode', 'mirror', ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, wallMs: performance.now() - started, stderr }));
  });
}

function mostWithin(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; end < t.length; end++) {
    while (t[end]! - t[start]! >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

async function oneMirror(
  sim: Simulator,
  o: RemoteShopOptions,
  latencyMs: number,
  args: string[],
  tag: string,
): Promise<RemoteRun> {
  const scratch = await createScratchDatabase(o.databaseUrl, { prefix: 'ocs_bench_remote', tag, migrate: false });
  try {
    sim.resetStats();
    const env = syncEnv({ databaseUrl: scratch.url, sim, maxRps: o.maxRps });
    const r = await runSync(env, args);
    // 1: the forbidden endpoint is reported, not a failure; anything else is.
    if (r.code !== 0)
      throw new Error(`sync --mode mirror ${args.join(' ')} exited with ${r.code}\n${r.stderr.slice(-3000)}`);
    const { rows: runs } = await scratch.pool.query<{
      endpoint: string;
      status: string;
      pages: number;
      started: number;
      finished: number;
    }>(
      `select endpoint, status, pages, extract(epoch from started_at)::float8 * 1000 as started, extract(epoch from finished_at)::float8 * 1000 as finished
         from onecore_sync.sync_runs order by id`,
    );
    const walked = runs.filter((x) => x.status === 'succeeded');
    if (walked.length !== Object.keys(REMOTE_RECORDS).length)
      throw new Error(`expected ${Object.keys(REMOTE_RECORDS).length} succeeded walks, got ${walked.length}`);
    const walkMs = Math.max(...runs.map((x) => x.finished)) - Math.min(...runs.map((x) => x.started));
    const pages = walked.reduce((s, x) => s + x.pages, 0);
    const largestPages = Math.max(...walked.map((x) => x.pages));
    const stats = sim.stats();
    const requests = stats.requestTimes.length;
    const floorMs = Math.max((requests / o.maxRps) * 1000, largestPages * latencyMs);
    const walkersAtOnce = Math.max(
      ...runs.map((x) => runs.filter((y) => y.started <= x.started && y.finished > x.started).length),
    );
    return {
      walkMs,
      wallMs: r.wallMs,
      pages,
      largestPages,
      requests,
      walkersAtOnce,
      mostRequestsInASecond: mostWithin(stats.requestTimes, 1000),
      floorMs,
      ofFloor: floorMs / walkMs,
    };
  } finally {
    await scratch.drop().catch(() => undefined);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function medianRun(reps: RemoteRun[]): RemoteRun {
  const out = { ...reps[0]! } as Record<string, number>;
  for (const k of Object.keys(out)) out[k] = median(reps.map((r) => (r as unknown as Record<string, number>)[k]!));
  return out as unknown as RemoteRun;
}

/** Every latency: `repeat` mirrors with default settings (and one with the old fixed count). */
export async function measureRemoteShop(o: RemoteShopOptions): Promise<RemoteRow[]> {
  const rows: RemoteRow[] = [];
  for (const latencyMs of o.latenciesMs) {
    const sim = await startSimulator({ records: REMOTE_RECORDS, seed: 3, latencyMs });
    try {
      for (const e of Object.keys(REMOTE_RECORDS)) sim.count(e); // generated up front, not during a walk
      const variants: { settings: string; args: string[]; repeat: number }[] = [
        { settings: 'default (sized automatically)', args: [], repeat: o.repeat },
      ];
      if (o.compareFixed !== null)
        variants.push({
          settings: `--concurrency ${o.compareFixed} (the old fixed default)`,
          args: ['--concurrency', String(o.compareFixed)],
          repeat: 1,
        });
      for (const v of variants) {
        const reps: RemoteRun[] = [];
        for (let i = 0; i < v.repeat; i++) {
          const run = await oneMirror(sim, o, latencyMs, v.args, `l${latencyMs}_${i}`);
          reps.push(run);
          o.say(
            `remote shop, ${latencyMs} ms, ONECORE_MAX_RPS=${o.maxRps}, ${v.settings} #${i + 1}: walk ${(run.walkMs / 1000).toFixed(1)} s vs floor ${(run.floorMs / 1000).toFixed(1)} s = ${run.ofFloor.toFixed(2)} of the floor; ${run.walkersAtOnce} walkers at once, at most ${run.mostRequestsInASecond} requests in a second`,
          );
        }
        rows.push({ latencyMs, maxRps: o.maxRps, settings: v.settings, median: medianRun(reps), reps });
      }
    } finally {
      await sim.close();
    }
  }
  return rows;
}

export function renderRemoteShop(rows: RemoteRow[]): string {
  if (rows.length === 0) return '';
  const f = rows[0]!;
  const pages = Object.entries(REMOTE_RECORDS)
    .map(([e, n]) => `${e} ${n / 100}`)
    .join(', ');
  const head = [
    'latency',
    'settings',
    'walk time',
    'floor: max(requests ÷ rps, largest × RTT)',
    'of the floor (target ≥ 0.9)',
    'walkers at once',
    'most requests in 1 s',
    'process',
  ];
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const body = rows.map((r) => {
    const m = r.median;
    const fixed = !r.settings.startsWith('default');
    return [
      `${r.latencyMs} ms`,
      r.settings,
      s(m.walkMs),
      `max(${m.requests} ÷ ${r.maxRps} = ${s((m.requests / r.maxRps) * 1000)}, ${m.largestPages} × ${r.latencyMs} ms = ${s(m.largestPages * r.latencyMs)}) = ${s(m.floorMs)}`,
      `${m.ofFloor.toFixed(2)}${fixed ? '' : m.ofFloor >= 0.9 ? ' PASS' : ' FAIL'}`,
      String(m.walkersAtOnce),
      String(m.mostRequestsInASecond),
      s(m.wallMs),
    ];
  });
  return [
    `A remote shop: mirror of every endpoint (pages per endpoint: ${pages}; apiusers is forbidden, one 403), simulator latency added to every answer, ONECORE_MAX_RPS=${f.maxRps}; default settings are medians of ${f.reps.length} runs, the fixed count one run.`,
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...body.map((b) => `| ${b.join(' | ')} |`),
  ].join('\n');
}
