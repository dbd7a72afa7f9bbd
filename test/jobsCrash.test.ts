import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncQueue } from '../src/jobs/queueStore.js';
import { runCli } from './helpers/cli.js';
import { sleepUntil } from './helpers/sleepUntil.js';
import { compareWithSimulator, startStack, type Stack } from './helpers/stack.js';
import {
  startWorker,
  type WorkerProcess,
  openTestQueue,
  type TestQueue,
  queueBackends,
  queueEnv,
} from './helpers/worker.js';

/**
 * Workers die: SIGKILL mid-walk (another worker takes the stalled job over and resumes it from
 * the Postgres checkpoint) and SIGTERM mid-walk (the page under way commits, the process exits
 * within the grace period, and the next run resumes from that page).
 */
describe.each(queueBackends())('jobs on the %s queue: a worker fleet that survives kills', (backend) => {
  let stack: Stack;
  let queue: SyncQueue;
  let testQueue: TestQueue | undefined;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    // Walks of a few seconds each: 60 pages of 50 records, 20 ms per response.
    stack = await startStack({
      sim: { records: 3000, pageSize: 50, latencyMs: 20, seed: 7 },
      // Short job locks, so a killed worker's job is declared stalled within seconds.
      env: { ...queueEnv(backend), SYNC_LOCK_MS: '3000', SHUTDOWN_GRACE_MS: '10000' },
    });
    testQueue = await openTestQueue(stack.config);
    ({ queue } = testQueue);
  });

  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await testQueue?.close();
    await stack?.close();
  });

  const start = async (extra: Record<string, string> = {}) => {
    const w = await startWorker(stack.env, extra);
    workers.push(w);
    return w;
  };
  const readable = () => stack.sim.endpoints.filter((e) => !e.forbidden).map((e) => e.name);
  /** Run ids of walks this worker started and has not reported finished. */
  const unfinishedRuns = (w: WorkerProcess) => {
    const started = new Set<number>();
    for (const l of w.logs()) {
      if (typeof l.runId !== 'number') continue;
      if (/^walk (starting|resuming)/.test(String(l.msg))) started.add(l.runId);
      else if (/^walk (succeeded|failed)/.test(String(l.msg)) || l.level === 40) started.delete(l.runId);
    }
    return [...started];
  };

  it('two workers share a mirror of every endpoint; one is SIGKILLed mid-walk; the other finishes it exactly', async () => {
    const a = await start();
    const b = await start();
    const trig = await runCli(['trigger', 'mirror'], stack.env);
    expect(trig.code, trig.stderr).toBe(0);

    // Kill A while it is inside a walk that has committed pages.
    const killed = await sleepUntil(
      async () => {
        const ids = unfinishedRuns(a);
        if (ids.length === 0) return undefined;
        const { rows } = await stack.db.pool.query(
          `select id::int, endpoint from onecore_sync.sync_runs where id = any($1) and status = 'running' and pages >= 3`,
          [ids],
        );
        return rows.length > 0 ? rows : undefined;
      },
      { timeoutMs: 30_000, what: 'worker A to be mid-walk' },
    );
    await a.stop('SIGKILL');
    expect(b.logs().some((l) => /^walk (starting|resuming)/.test(String(l.msg)))).toBe(true);

    // B takes A's stalled walks over and every readable endpoint's mirror completes.
    await sleepUntil(
      async () => {
        const { rows } = await stack.db.pool.query(
          `select (select count(*)::int from onecore_sync.checkpoints where mode = 'mirror' and completed_at is not null) as done,
                (select count(*)::int from onecore_sync.sync_runs where status = 'running') as running`,
        );
        return rows[0].done === readable().length && rows[0].running === 0;
      },
      { timeoutMs: 150_000, intervalMs: 200, what: 'every mirror to complete on worker B' },
    );

    for (const { id, endpoint } of killed) {
      // The killed run is closed as failed; a later run of the same walk resumed from its checkpoint.
      const { rows } = await stack.db.pool.query(
        `select id::int, status, cursor_start from onecore_sync.sync_runs where endpoint = $1 and mode = 'mirror' and id >= $2 order by id`,
        [endpoint, id],
      );
      expect(rows[0].status).toBe('failed');
      expect(rows.at(-1)!.status).toBe('succeeded');
      expect(rows.at(-1)!.cursor_start).not.toBeNull();
    }
    expect(b.logs().some((l) => String(l.msg).startsWith('job stalled'))).toBe(true);

    for (const e of readable()) {
      expect(await compareWithSimulator(stack, e), e).toEqual([]);
      const { rows } = await stack.db.pool.query(
        `select count(*)::int as n, count(distinct id)::int as d from onecore.${e}`,
      );
      expect(rows[0].n, e).toBe(stack.sim.truth(e).length);
      expect(rows[0].d, e).toBe(rows[0].n);
    }
    // Nothing failed for good: the forbidden endpoint completed as reported, the rest succeeded.
    expect((await queue.getJobCounts('failed')).failed).toBe(0);
    const { rows: forbidden } = await stack.db.pool.query(
      `select status from onecore_sync.sync_runs where endpoint = 'apiusers' and mode = 'mirror'`,
    );
    expect(forbidden.map((r) => r.status)).toEqual(['forbidden']);

    const stopped = await b.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    // A dozen endpoints of 60 pages on one surviving worker: minutes on a loaded machine.
  }, 240_000);

  it('SIGTERM mid-walk: exits 0 within the grace period; the next run resumes from the committed page', async () => {
    const c = await start();
    const trig = await runCli(['trigger', 'mirror', '--endpoint', 'orders'], stack.env);
    expect(trig.code, trig.stderr).toBe(0);
    const jobId = trig.stdout.trim();
    const [run] = await sleepUntil(
      async () => {
        const { rows } = await stack.db.pool.query(
          `select id::int, pages from onecore_sync.sync_runs where job_id = $1 and status = 'running' and pages >= 3`,
          [jobId],
        );
        return rows.length > 0 ? rows : undefined;
      },
      { what: 'the mirror to be under way' },
    );
    const pagesAtSignal = (await checkpoint()).pages;

    const stopped = await c.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    // Not a speed check: SIGTERM must stop the walk, not wait for it to finish.
    expect(stopped.ms).toBeLessThan(30_000);

    const saved = await checkpoint();
    expect(saved.completed_at).toBeNull();
    expect(saved.pages).toBeGreaterThanOrEqual(pagesAtSignal);
    expect(saved.pages).toBeLessThan(60);
    const {
      rows: [stoppedRun],
    } = await stack.db.pool.query(`select status, error, cursor_end from onecore_sync.sync_runs where id = $1`, [
      run!.id,
    ]);
    expect(stoppedRun.status).toBe('failed');
    expect(stoppedRun.error).toMatch(/shutdown/);
    expect(stoppedRun.cursor_end).toBe(saved.cursor);

    // The job went back to the queue; the next worker resumes the walk where it stopped.
    const d = await start();
    const [resumed] = await sleepUntil(
      async () => {
        const { rows } = await stack.db.pool.query(
          `select id::int, status, cursor_start, job_id from onecore_sync.sync_runs where endpoint = 'orders' and mode = 'mirror' and id > $1 and status = 'succeeded'`,
          [run!.id],
        );
        return rows.length > 0 ? rows : undefined;
      },
      { timeoutMs: 30_000, what: 'the resumed mirror' },
    );
    expect(resumed!.cursor_start).toBe(saved.cursor);
    expect(resumed!.job_id).toBe(jobId);
    expect(await compareWithSimulator(stack, 'orders')).toEqual([]);
    expect((await d.stop('SIGTERM')).code).toBe(0);
  });

  async function checkpoint(): Promise<{ cursor: string | null; pages: number; completed_at: Date | null }> {
    const { rows } = await stack.db.pool.query(
      `select cursor, pages, completed_at from onecore_sync.checkpoints where endpoint = 'orders' and mode = 'mirror'`,
    );
    return rows[0];
  }
});
