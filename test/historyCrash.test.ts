import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli, runCli } from './helpers/cli.js';
import { sleepUntil } from './helpers/sleepUntil.js';
import { compareWithSimulator, startStack, type Stack } from './helpers/stack.js';
import { historyProblems, versionChains } from './helpers/historyChains.js';
import { canonicalJson } from './helpers/canonicalJson.js';
import { normalizeRecord } from '../src/sync/normalizeDates.js';

const DELETED = 'DELETED';

/**
 * History mode under SIGKILL: the simulator's records are updated, removed, re-inserted and
 * appended while mirror walks are killed mid-page, then the walks complete. Each record's version
 * chain must then be what a sync could have observed of what the simulator did: the record's
 * successive states in order (some may be skipped, none invented, none doubled), ending in its
 * final state; and the chains must agree with the mirror (see historyProblems).
 */
describe('history mode: SIGKILL mid-walk', () => {
  let stack: Stack;
  /** Every state each key had upstream, in order: canonical JSON as stored, or DELETED. */
  const states = new Map<string, string[]>();
  const removed = new Map<string, unknown>();
  let seed = 17;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };

  beforeAll(async () => {
    stack = await startStack({
      sim: { records: 1000, pageSize: 50, latencyMs: 15, seed: 11 },
      env: { ONECORE_HISTORY: 'orders' },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  const truthById = () => new Map((stack.sim.truth('orders') as Array<{ id: string }>).map((r) => [r.id, r]));
  const record = (id: string, state: string) => {
    const list = states.get(id) ?? [];
    list.push(state);
    states.set(id, list);
  };
  const stateOf = (r: unknown) => canonicalJson(normalizeRecord(r).value);

  /** A few random changes upstream, each remembered as the record's next state. */
  function change(updates: number, removals: number, inserts: number, reinserts: number): void {
    const live = [...truthById().keys()];
    for (let i = 0; i < updates; i++) {
      const id = live[rand(live.length)]!;
      if (removed.has(id)) continue;
      stack.sim.update('orders', id);
      record(id, stateOf(truthById().get(id)));
    }
    for (let i = 0; i < removals; i++) {
      const id = live[rand(live.length)]!;
      if (removed.has(id)) continue;
      removed.set(id, truthById().get(id));
      stack.sim.remove('orders', id);
      record(id, DELETED);
    }
    for (const r of stack.sim.insert('orders', inserts)) record((r as { id: string }).id, stateOf(r));
    for (const [id, r] of [...removed].slice(0, reinserts)) {
      stack.sim.insertRecord('orders', r);
      removed.delete(id);
      record(id, stateOf(r));
    }
  }

  async function mirrorPages(): Promise<number> {
    const { rows } = await stack.db.pool.query(
      `select coalesce(sum(pages), 0)::int as n from onecore_sync.sync_runs where mode = 'mirror'`,
    );
    return rows[0].n;
  }

  /** Starts a mirror, changes things upstream while it runs, and SIGKILLs it mid-walk. */
  async function killedMirror(): Promise<void> {
    const before = await mirrorPages();
    const child = spawnCli(['sync', '--mode', 'mirror', '--endpoint', 'orders'], stack.env);
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    await sleepUntil(async () => (await mirrorPages()) >= before + 1 + rand(3), {
      timeoutMs: 180_000,
      what: 'a committed page',
    });
    change(6, 2, 3, 1);
    await sleepUntil(async () => (await mirrorPages()) >= before + 2 + rand(4), {
      timeoutMs: 180_000,
      what: 'another committed page',
    });
    await new Promise((r) => setTimeout(r, rand(40)));
    child.kill('SIGKILL');
    await exited;
  }

  async function completedMirror(): Promise<void> {
    const run = await runCli(['sync', '--mode', 'mirror', '--endpoint', 'orders'], stack.env, { timeoutMs: 180_000 });
    expect(run.code, run.stderr).toBe(0);
  }

  it(
    'version chains are exactly what the simulator changed, with no double version and no gap',
    { timeout: 900_000 },
    async () => {
      for (const r of stack.sim.truth('orders')) record((r as { id: string }).id, stateOf(r));
      await completedMirror();

      change(20, 10, 10, 0);
      for (let round = 0; round < 3; round++) await killedMirror();
      await completedMirror();

      change(10, 5, 5, 8);
      for (let round = 0; round < 3; round++) await killedMirror();
      await completedMirror();
      // Records removed in pages an interrupted walk had already passed are deleted by the next one.
      await completedMirror();

      expect(await compareWithSimulator(stack, 'orders')).toEqual([]);
      expect(await historyProblems(stack.db.pool, 'orders')).toEqual([]);
      const runs = await stack.db.pool.query(
        `select count(*) filter (where status = 'failed')::int as killed from onecore_sync.sync_runs where mode = 'mirror'`,
      );
      expect(runs.rows[0].killed).toBeGreaterThanOrEqual(5);

      const chains = await versionChains(stack.db.pool, 'orders');
      const seen = { update: 0, delete: 0, undelete: 0 };
      for (const [id, expected] of states) {
        const chain = (chains.get(id) ?? []).map((v) => (v.change === 'delete' ? DELETED : canonicalJson(v.data)));
        const final = expected.at(-1)!;
        if (chain.length === 0) {
          // Never seen: only a record that came and went between two walks.
          expect(final, id).toBe(DELETED);
          continue;
        }
        expect(chain.at(-1), `${id}: ends in its final state`).toBe(final);
        // A subsequence of what happened upstream, in order.
        let i = 0;
        for (const state of chain) {
          while (i < expected.length && expected[i] !== state) i++;
          expect(
            i < expected.length,
            `${id}: version ${JSON.stringify(state).slice(0, 60)} not among its upstream states in order`,
          ).toBe(true);
          i++;
        }
        for (const v of chains.get(id)!) if (v.change in seen) seen[v.change as keyof typeof seen]++;
      }
      for (const id of chains.keys()) expect(states.has(id), id).toBe(true);
      // The run observed every kind of change.
      expect(seen.update).toBeGreaterThan(0);
      expect(seen.delete).toBeGreaterThan(0);
      expect(seen.undelete).toBeGreaterThan(0);
    },
  );
});
