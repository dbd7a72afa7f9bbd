import { readConfig } from '../src/config/readConfig.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { sleepUntil } from './helpers/sleepUntil.js';
import { compareWithSimulator, startStack, type Stack } from './helpers/stack.js';
import { openTestQueue, startWorker, testQueuePrefix, type TestQueue, type WorkerProcess } from './helpers/worker.js';
import { walkersToFillBudget } from '../src/sync/walkerCount.js';

/**
 * Against a shop that is far away (the simulator with latency) and a request cap, the sync sizes
 * its walker count by itself so the cap is used, never exceeded, and an operator's fixed count
 * still wins. Speed itself is measured by the benchmark, not here: these tests count walkers
 * (overlapping runs in sync_runs) and requests per second (the simulator's arrival times).
 */
const LISTS = [
  'orders',
  'quotations',
  'products',
  'shopusers',
  'ordershipments',
  'invoices',
  'databaseusages',
  'productimages',
];
const MAX_RPS = 10;
// products is the longest walk by far; the others are two or three pages.
const RECORDS: Record<string, number> = Object.fromEntries(LISTS.map((e) => [e, e === 'products' ? 700 : 250]));
// The worker re-sizes every 2 s from measured round trips: its walks last long enough for that to
// matter on a loaded machine too (six pages per short endpoint, fifteen for products).
const WORKER_RECORDS: Record<string, number> = Object.fromEntries(LISTS.map((e) => [e, e === 'products' ? 1500 : 600]));

interface RunSpan {
  id: number;
  endpoint: string;
  started: number;
  finished: number;
}

async function runsAfter(stack: Stack, id: number): Promise<RunSpan[]> {
  const { rows } = await stack.db.pool.query<{ id: number; endpoint: string; started: number; finished: number }>(
    `select id::int, endpoint, extract(epoch from started_at)::float8 * 1000 as started, extract(epoch from finished_at)::float8 * 1000 as finished
       from onecore_sync.sync_runs where id > $1 and status <> 'forbidden' order by id`,
    [id],
  );
  return rows;
}

async function lastRunId(stack: Stack): Promise<number> {
  return (
    await stack.db.pool.query<{ id: number }>(`select coalesce(max(id), 0)::int as id from onecore_sync.sync_runs`)
  ).rows[0]!.id;
}

/** The most walks that were under way at the same moment. */
function mostAtOnce(runs: RunSpan[]): number {
  let most = 0;
  for (const r of runs)
    most = Math.max(most, runs.filter((o) => o.started <= r.started && o.finished > r.started).length);
  return most;
}

/** The most requests that arrived within any `windowMs` (a sliding window over arrival times). */
function mostPerWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < t.length; end++) {
    while (t[end]! - t[start]! >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/**
 * The cap as the shop sees it. The pacing happens in the client, so a request whose turn has come
 * can reach the shop late when its process is busy (this shared machine is often loaded), and the
 * next ones then arrive close behind it: one second may see a few more than the cap. Over several
 * seconds the cap must hold; the walkers these tests start would, uncapped, make 3–4 times it.
 */
function expectCapHeld(times: number[]) {
  expect(times.length).toBeGreaterThan(0);
  const sorted = [...times].sort((a, b) => a - b);
  const spanSeconds = (sorted[sorted.length - 1]! - sorted[0]!) / 1000;
  expect(times.length).toBeLessThanOrEqual(MAX_RPS * spanSeconds + MAX_RPS);
  expect(mostPerWindow(times, 5000)).toBeLessThanOrEqual(6 * MAX_RPS);
  expect(mostPerWindow(times, 1000)).toBeLessThanOrEqual(2 * MAX_RPS);
}

describe('walker count: sized to fill the request budget', () => {
  it('adds walkers as the round trip grows, up to the bounds', () => {
    expect(walkersToFillBudget({ maxRps: 10, roundTripMs: undefined, max: 8 })).toBe(2);
    expect(walkersToFillBudget({ maxRps: 10, roundTripMs: 5, max: 8 })).toBe(2);
    expect(walkersToFillBudget({ maxRps: 10, roundTripMs: 200, max: 8 })).toBe(2);
    expect(walkersToFillBudget({ maxRps: 10, roundTripMs: 250, max: 8 })).toBe(3);
    expect(walkersToFillBudget({ maxRps: 10, roundTripMs: 500, max: 8 })).toBe(5);
    expect(walkersToFillBudget({ maxRps: 10, roundTripMs: 5000, max: 8 })).toBe(8);
    // Requests already wait for their turns: no more walkers, whatever the round trip says.
    expect(walkersToFillBudget({ maxRps: 10, roundTripMs: 700, max: 8, current: 4, budgetBusy: true })).toBe(4);
    expect(walkersToFillBudget({ maxRps: 10, roundTripMs: 700, max: 8, current: 4, budgetBusy: false })).toBe(7);
    // No cap, no budget to fill: the count stays where it starts.
    expect(walkersToFillBudget({ maxRps: 0, roundTripMs: 500, max: 8 })).toBe(2);
  });
});

describe('sync: adaptive concurrency against a remote shop with a request cap', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      sim: { records: RECORDS, latencyMs: 250, latencyJitterMs: 50, seed: 21 },
      env: { ONECORE_MAX_RPS: String(MAX_RPS) },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('runs more than two walkers by default and keeps to ONECORE_MAX_RPS', async () => {
    const before = await lastRunId(stack);
    stack.sim.resetStats();
    const run = await runCli(['sync', '--mode', 'mirror'], stack.env, { timeoutMs: 120_000 });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const runs = await runsAfter(stack, before);
    expect(runs).toHaveLength(LISTS.length);
    expect(mostAtOnce(runs)).toBeGreaterThan(2);
    expectCapHeld(stack.sim.stats().requestTimes);
    for (const endpoint of LISTS) expect(await compareWithSimulator(stack, endpoint), endpoint).toEqual([]);
  });

  it('--concurrency wins, and the longest walk of the last mirror starts first', async () => {
    const before = await lastRunId(stack);
    const run = await runCli(['sync', '--mode', 'mirror', '--concurrency', '1'], stack.env, { timeoutMs: 120_000 });
    expect(run.code).toBe(0);
    const runs = await runsAfter(stack, before);
    expect(runs).toHaveLength(LISTS.length);
    expect(mostAtOnce(runs)).toBe(1);
    expect(runs[0]!.endpoint).toBe('products');
  });

  it('SYNC_CONCURRENCY wins over the sizing, and the flag over SYNC_CONCURRENCY', async () => {
    const env = { ...stack.env, ONECORE_ENDPOINTS: 'orders,quotations,invoices', SYNC_CONCURRENCY: '1' };
    let before = await lastRunId(stack);
    expect((await runCli(['sync', '--mode', 'mirror'], env, { timeoutMs: 120_000 })).code).toBe(0);
    expect(mostAtOnce(await runsAfter(stack, before))).toBe(1);

    before = await lastRunId(stack);
    expect((await runCli(['sync', '--mode', 'mirror', '--concurrency', '3'], env, { timeoutMs: 120_000 })).code).toBe(
      0,
    );
    expect(mostAtOnce(await runsAfter(stack, before))).toBeGreaterThan(1);
  });

  it('refuses a bad SYNC_MAX_CONCURRENCY with one line naming it', async () => {
    const run = await runCli(['sync', '--mode', 'mirror'], { ...stack.env, SYNC_MAX_CONCURRENCY: 'many' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/SYNC_MAX_CONCURRENCY/);
  });
});

describe('worker: adaptive concurrency', () => {
  let stack: Stack;
  let testQueue: TestQueue | undefined;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    const prefix = testQueuePrefix();
    stack = await startStack({
      sim: { records: WORKER_RECORDS, latencyMs: 250, latencyJitterMs: 50, seed: 22 },
      env: {
        ONECORE_MAX_RPS: String(MAX_RPS),
        SYNC_QUEUE_PREFIX: prefix,
        SYNC_MIRROR_CRON: '0 2 1 1 *',
        SYNC_INCREMENTAL_CRON: '0 3 1 1 *',
      },
    });
    testQueue = await openTestQueue(readConfig(stack.env));
  });
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await testQueue?.close();
    await stack?.close();
  });

  it('raises its walks at once to fill the budget and keeps to ONECORE_MAX_RPS', async () => {
    worker = await startWorker(stack.env);
    stack.sim.resetStats();
    expect((await runCli(['trigger', 'mirror'], stack.env)).code).toBe(0);
    await sleepUntil(
      async () =>
        (
          await stack.db.pool.query(
            `select count(*)::int as n from onecore_sync.sync_runs where mode = 'mirror' and status = 'succeeded'`,
          )
        ).rows[0].n === LISTS.length,
      { timeoutMs: 90_000, what: 'every endpoint mirrored by the worker' },
    );
    const runs = await runsAfter(stack, 0);
    expect(mostAtOnce(runs.filter((r) => r.finished !== null))).toBeGreaterThan(2);
    expect(
      worker.logs().some((l) => l.msg === 'walks at once re-sized to fill the request budget' && Number(l.to) > 2),
    ).toBe(true);
    expectCapHeld(stack.sim.stats().requestTimes);
    for (const endpoint of LISTS) expect(await compareWithSimulator(stack, endpoint), endpoint).toEqual([]);
  });
});
