import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli, runCli } from './helpers/cli.js';
import { sleepUntil } from './helpers/sleepUntil.js';
import { compareWithSimulator, startStack, type Stack } from './helpers/stack.js';

/**
 * The process is SIGKILLed mid-walk at random points, several times, then rerun: because each
 * page's rows and the checkpoint commit together, the final state equals the simulator's with
 * no duplicate and no missing row.
 */
describe('crash safety', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sim: { records: 1500, pageSize: 50, latencyMs: 15, seed: 11 } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('SIGKILL mid-walk at random points, then a rerun: Postgres equals the simulator', async () => {
    const endpoints = ['orders', 'products'];
    const args = ['sync', '--mode', 'mirror', ...endpoints.flatMap((e) => ['--endpoint', e])];
    let kills = 0;
    for (let round = 0; round < 4; round++) {
      const pagesBefore = await committedPages(stack);
      const child = spawnCli(args, stack.env);
      const exited = new Promise<void>((r) => child.on('exit', () => r()));
      // Kill after a random number of further pages has committed (1..6).
      const target = pagesBefore + 1 + Math.floor(Math.random() * 6);
      // Generous: a CLI's start-up (TypeScript through tsx) takes tens of seconds on a loaded machine.
      await sleepUntil(async () => (await committedPages(stack)) >= target, {
        timeoutMs: 90_000,
        what: `page ${target}`,
      });
      // And at a random moment within the next page.
      await new Promise((r) => setTimeout(r, Math.random() * 40));
      child.kill('SIGKILL');
      await exited;
      kills++;
    }
    expect(kills).toBe(4);
    const pagesAtKill = await committedPages(stack);
    expect(pagesAtKill).toBeGreaterThan(4);

    // The upstream changes while we are down; the resumed mirror must end exact.
    stack.sim.insert('orders', 30);
    const final = await runCli(args, stack.env, { timeoutMs: 120_000 });
    expect(final.code).toBe(0);
    for (const e of endpoints) {
      expect(await compareWithSimulator(stack, e)).toEqual([]);
      const dup = await stack.db.pool.query(
        `select count(*)::int as n, count(distinct id)::int as d from onecore.${e}`,
      );
      expect(dup.rows[0].n).toBe(dup.rows[0].d);
    }
    // The killed runs are closed as failed (not left "running") and the walk resumed, not restarted.
    const runs = await stack.db.pool.query(
      `select status, cursor_start from onecore_sync.sync_runs where mode = 'mirror' order by id`,
    );
    expect(runs.rows.filter((r) => r.status === 'running')).toEqual([]);
    expect(runs.rows.filter((r) => r.status === 'failed').length).toBeGreaterThanOrEqual(2);
    expect(runs.rows.some((r) => r.cursor_start !== null)).toBe(true);
  }, 600_000); // five CLI runs, each with a start-up that takes tens of seconds on a loaded machine
});

async function committedPages(stack: Stack): Promise<number> {
  const { rows } = await stack.db.pool.query(
    `select coalesce(sum(pages), 0)::int as n from onecore_sync.checkpoints where mode = 'mirror'`,
  );
  return rows[0].n;
}
