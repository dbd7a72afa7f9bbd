import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChromium, type HeadlessBrowser } from './helpers/browser.js';
import { ROOT, runCli } from './helpers/cli.js';
import { sleepUntil } from './helpers/sleepUntil.js';
import { startStack, type Stack } from './helpers/stack.js';
import {
  openTestQueue,
  queueBackends,
  queueEnv,
  startWorker,
  type TestQueue,
  type WorkerProcess,
} from './helpers/worker.js';

/** Where the screenshot goes (git-ignored): look at it after a run. */
export const ARTIFACTS = join(ROOT, 'test-artifacts');

/**
 * The worker's status page in a real browser: Debian's Chromium, headless, against a worker with
 * synced data (a queue in Postgres when the run has no Redis, else in Redis).
 */
describe('status page in a browser', () => {
  let stack: Stack;
  let worker: WorkerProcess | undefined;
  let testQueue: TestQueue | undefined;
  let chrome: HeadlessBrowser | undefined;
  const backend = queueBackends().at(-1)!;

  beforeAll(async () => {
    stack = await startStack({
      sim: { records: 400 },
      env: {
        ...queueEnv(backend),
        ONECORE_ENDPOINTS: 'orders,products,quotations',
        SYNC_INCREMENTAL_CRON: '*/5 * * * *',
      },
    });
    testQueue = await openTestQueue(stack.config);
    // Some history: walks of the two days before, then today's real mirror, as the charts show per day.
    await stack.db.pool
      .query(`insert into onecore_sync.sync_runs (endpoint, mode, status, started_at, finished_at, pages, records_seen)
      select e, 'mirror', 'succeeded', now() - make_interval(days => d), now() - make_interval(days => d) + make_interval(secs => 2 * d), 4 * d, 350 * d
        from unnest(array['orders', 'products', 'quotations']) e, generate_series(1, 2) d`);
    const sync = await runCli(['sync', '--mode', 'mirror'], stack.env);
    expect(sync.code, sync.stderr).toBe(0);
    worker = await startWorker(stack.env);
    chrome = await startChromium();
  });

  afterAll(async () => {
    await chrome?.close();
    await worker?.stop('SIGKILL');
    await testQueue?.close();
    await stack?.close();
  });

  it('shows every endpoint, a rendered chart and the queue counts; writes a screenshot', async () => {
    await runCli(['trigger', 'incremental', '--endpoint', 'orders'], stack.env);
    await sleepUntil(async () => (await testQueue!.queue.getJobSchedulers()).length === 2, { what: 'the schedules' });
    const page = await chrome!.browser.contexts()[0]!.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    const res = await page.goto(`${worker!.adminUrl}/`);
    expect(res?.status()).toBe(200);
    expect(await page.title()).toBe('onecore-sync status');

    const rows = await page.$$eval('#endpoints tr.endpoint', (trs) =>
      trs.map((tr) => ({ name: tr.getAttribute('data-endpoint'), live: tr.querySelector('td.live')?.textContent })),
    );
    const live = (name: string) => String(stack.sim.truth(name).length);
    expect(rows).toEqual(
      expect.arrayContaining([
        { name: 'orders', live: live('orders') },
        { name: 'products', live: live('products') },
        { name: 'quotations', live: live('quotations') },
      ]),
    );

    // The chart is drawn: a line per endpoint, with more than a flat baseline.
    const box = await page.locator('#chart-records').boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    const series = await page.$$eval('#chart-records polyline.series', (ps) =>
      ps.map((p) => ({
        endpoint: p.getAttribute('data-endpoint'),
        ys: new Set((p.getAttribute('points') ?? '').split(' ').map((xy: string) => xy.split(',')[1])).size,
      })),
    );
    expect(series.map((s) => s.endpoint).sort()).toEqual(['orders', 'products', 'quotations']);
    expect(series.every((s) => s.ys >= 2)).toBe(true);

    const counts = await page.$$eval('#queue td[data-count]', (tds) =>
      Object.fromEntries(tds.map((td) => [td.getAttribute('data-count'), Number(td.textContent)])),
    );
    expect(Object.keys(counts).sort()).toEqual(['active', 'delayed', 'failed', 'waiting']);
    expect(Object.values(counts).every((n) => Number.isInteger(n) && (n as number) >= 0)).toBe(true);
    expect(await page.locator('#schedules li').count()).toBe(2);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'status-page.png'), fullPage: true });
    await page.close();
  });
});
