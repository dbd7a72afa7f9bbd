import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATE_SAMPLES, type Dialect } from '../src/simulator/index.js';
import { runCli } from './helpers/cli.js';
import { sleepUntil } from './helpers/sleepUntil.js';
import { compareWithSimulator, startStack, storedRows, type Stack } from './helpers/stack.js';

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
/** The core tests run against each API dialect the simulator speaks. */
const DIALECTS: Dialect[] = ['camel', 'pascal'];

/** A record's key as the simulator serves it (`id` or `Id`, string or integer). */
function keyOf(stack: Stack, endpoint: string, record: unknown): string {
  const field = stack.sim.endpoints.find((e) => e.name === endpoint)!.keyField;
  return String((record as Record<string, unknown>)[field]);
}

describe.each(DIALECTS)('sync (%s dialect): mirror of every endpoint through the CLI', (dialect) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sim: { records: 230, seed: 7, dialect } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('discovers the endpoints, mirrors them record by record and reports the forbidden one', async () => {
    const run = await runCli(['sync', '--mode', 'mirror'], stack.env);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/apiusers\s+mirror\s+forbidden/);
    for (const endpoint of LISTS) {
      expect(await compareWithSimulator(stack, endpoint), endpoint).toEqual([]);
      expect((await storedRows(stack.db, endpoint)).size).toBe(stack.sim.truth(endpoint).length);
    }
    const runs = await stack.db.pool.query(`select endpoint, status from onecore_sync.sync_runs order by endpoint`);
    expect(runs.rows).toContainEqual({ endpoint: 'apiusers', status: 'forbidden' });
    expect(runs.rows.filter((r) => r.status === 'succeeded')).toHaveLength(LISTS.length);
    const forbidden = await stack.db.pool.query(`select status from onecore_sync.endpoints where name = 'apiusers'`);
    expect(forbidden.rows[0].status).toBe('forbidden');
  });

  it('stores every date form as the right UTC instant and leaves dates and look-alikes alone', async () => {
    const seen = new Set<string>();
    // Walk upstream and stored records side by side, at every depth, on every endpoint.
    const check = (up: unknown, got: unknown, path: string): void => {
      if (typeof up === 'string') {
        const sample = DATE_SAMPLES.find((s) => s.pattern.test(up));
        if (!sample) return expect(got, path).toBe(up);
        seen.add(sample.name);
        if (sample.kind !== 'datetime') return expect(got, `${path}=${up}`).toBe(up);
        // Same instant, in UTC with Z, fractions kept to microseconds.
        expect(got, `${path}=${up}`).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/);
        if (up.startsWith('0001-01-01T00:00:00')) return expect(got).toBe('0001-01-01T00:00:00Z');
        const ms = (t: string) => Date.parse(t.replace(/(\.\d{3})\d+/, '$1'));
        expect(ms(got as string), `${path}=${up}`).toBe(ms(/(Z|[+-]\d{2}:\d{2})$/.test(up) ? up : up + 'Z'));
        const frac = /\.(\d+)/.exec(up)?.[1];
        if (frac) expect(/\.(\d+)Z$/.exec(got as string)?.[1], path).toBe(frac.slice(0, 6));
        return;
      }
      if (Array.isArray(up)) return up.forEach((v, i) => check(v, (got as unknown[])[i], `${path}[${i}]`));
      if (up && typeof up === 'object') {
        for (const [k, v] of Object.entries(up)) check(v, (got as Record<string, unknown>)[k], `${path}.${k}`);
        return;
      }
      expect(got, path).toEqual(up);
    };
    for (const endpoint of LISTS) {
      const stored = await storedRows(stack.db, endpoint);
      const key = stack.sim.endpoints.find((e) => e.name === endpoint)!.keyField;
      for (const record of stack.sim.truth(endpoint) as Array<Record<string, unknown>>) {
        check(record, stored.get(String(record[key])), `${endpoint}/${String(record[key])}`);
      }
    }
    // The simulator spreads every form across its records; make sure this test met them all.
    expect([...seen].sort()).toEqual(DATE_SAMPLES.map((s) => s.name).sort());
  });

  it('a second mirror over unchanged data writes no row', async () => {
    const before = await stack.db.pool.query(`select id, xmin::text as x from onecore.orders order by id`);
    const run = await runCli(['sync', '--mode', 'mirror', '--endpoint', 'orders'], stack.env);
    expect(run.code).toBe(0);
    const after = await stack.db.pool.query(`select id, xmin::text as x from onecore.orders order by id`);
    expect(after.rows).toEqual(before.rows);
    const last = await stack.db.pool.query(
      `select inserted, updated, unchanged from onecore_sync.sync_runs where endpoint = 'orders' order by id desc limit 1`,
    );
    expect(last.rows[0]).toEqual({ inserted: '0', updated: '0', unchanged: String(stack.sim.truth('orders').length) });
  });

  it('exits 1 and names the endpoint when a walk fails', async () => {
    stack.sim.faults.set({ rate: 1, kinds: ['500'] });
    try {
      const run = await runCli(
        ['sync', '--endpoint', 'products'],
        { ...stack.env, ONECORE_TIMEOUT_MS: '2000', ONECORE_RETRIES: '1' },
        { timeoutMs: 120_000 },
      );
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/products\s+incremental\s+failed/);
    } finally {
      stack.sim.faults.clear();
    }
  });
});

describe.each(DIALECTS)('sync (%s dialect): incremental, mirror deletions, backfill', (dialect) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sim: { records: 250, seed: 3, dialect } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('incremental picks up appended records re-reading at most one page, also after a mirror', async () => {
    const first = await stack.walk('orders', 'incremental');
    expect(first.status).toBe('succeeded');
    expect(first.pages).toBe(3);
    expect(await compareWithSimulator(stack, 'orders')).toEqual([]);

    // Nothing new: one request, which re-reads the last page.
    stack.sim.resetStats();
    const idle = await stack.walk('orders', 'incremental');
    expect(stack.sim.stats().requests.orders).toBe(1);
    expect(idle.inserted + idle.updated).toBe(0);

    stack.sim.insert('orders', 120);
    stack.sim.resetStats();
    const next = await stack.walk('orders', 'incremental');
    expect(next.inserted).toBe(120);
    // 250 records = pages of 100,100,50. The stored cursor re-fetches the last page, which now
    // holds those 50 and 50 new ones; one more page holds the other 70.
    expect(stack.sim.stats().requests.orders).toBe(2);
    expect(await compareWithSimulator(stack, 'orders')).toEqual([]);

    // A mirror moves the incremental cursor to its end.
    const mirror = await stack.walk('orders', 'mirror');
    expect(mirror.status).toBe('succeeded');
    stack.sim.insert('orders', 5);
    stack.sim.resetStats();
    const afterMirror = await stack.walk('orders', 'incremental');
    expect(afterMirror.inserted).toBe(5);
    expect(stack.sim.stats().requests.orders).toBeLessThanOrEqual(2);
  });

  it('a mirror takes updates, marks deletions, and un-deletes a record that comes back', async () => {
    await stack.walk('quotations', 'mirror');
    const [a, b] = stack.sim.truth('quotations').map((r) => keyOf(stack, 'quotations', r));
    stack.sim.update('quotations', a!);
    const gone = structuredClone(stack.sim.truth('quotations').find((r) => keyOf(stack, 'quotations', r) === b));
    stack.sim.remove('quotations', b!);
    const m = await stack.walk('quotations', 'mirror');
    expect(m).toMatchObject({ status: 'succeeded', updated: 1, deleted: 1 });
    const deleted = await stack.db.pool.query(`select deleted_at from onecore.quotations where id = $1`, [b]);
    expect(deleted.rows[0].deleted_at).not.toBeNull();
    expect(await compareWithSimulator(stack, 'quotations')).toEqual([]);

    stack.sim.insertRecord('quotations', gone);
    await stack.walk('quotations', 'incremental');
    const back = await stack.db.pool.query(`select deleted_at from onecore.quotations where id = $1`, [b]);
    expect(back.rows[0].deleted_at).toBeNull();
    expect(await compareWithSimulator(stack, 'quotations')).toEqual([]);
  });

  it('refuses to delete more than MIRROR_MAX_DELETE_SHARE of live records, and says why', async () => {
    await stack.walk('invoices', 'mirror');
    const ids = stack.sim.truth('invoices').map((r) => keyOf(stack, 'invoices', r));
    for (const id of ids.slice(0, 200)) stack.sim.remove('invoices', id);
    const m = await stack.walk('invoices', 'mirror', { maxDeleteShare: 0.5 });
    expect(m.status).toBe('incomplete');
    expect(m.deleted).toBe(0);
    expect(m.message).toMatch(/deletions refused: the mirror would mark 200 of 250 live records deleted/);
    const live = await stack.db.pool.query(`select count(*)::int as n from onecore.invoices where deleted_at is null`);
    expect(live.rows[0].n).toBe(250);
    const run = await stack.db.pool.query(`select error from onecore_sync.sync_runs where id = $1`, [m.runId]);
    expect(run.rows[0].error).toMatch(/MIRROR_MAX_DELETE_SHARE/);
  });

  it('a stored cursor the API rejects restarts the endpoint from the beginning with a warning', async () => {
    await stack.walk('products', 'incremental');
    await stack.db.pool.query(
      `update onecore_sync.checkpoints set cursor = 'bm90LWEtY3Vyc29y' where endpoint = 'products' and mode = 'incremental'`,
    );
    const r = await stack.walk('products', 'incremental');
    expect(r.status).toBe('succeeded');
    expect(r.cursorStart).toBeNull();
    const runs = await stack.db.pool.query(
      `select status, error from onecore_sync.sync_runs where endpoint = 'products' order by id`,
    );
    expect(runs.rows.at(-2)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/rejected the stored incremental cursor/),
    });
    expect(await compareWithSimulator(stack, 'products')).toEqual([]);
  });

  it('a backfill from a cursor does not move the incremental checkpoint', async () => {
    await stack.walk('shopusers', 'incremental');
    const before = await stack.db.pool.query(
      `select cursor from onecore_sync.checkpoints where endpoint = 'shopusers' and mode = 'incremental'`,
    );
    // A cursor from the middle: the one that fetched the second page.
    const second = await stack.db.pool.query(
      `select cursor_end from onecore_sync.sync_runs where endpoint = 'shopusers' and mode = 'incremental' order by id limit 1`,
    );
    expect(second.rows[0].cursor_end).not.toBeNull();
    stack.sim.resetStats();
    const run = await runCli(
      [
        'sync',
        '--mode',
        'backfill',
        '--endpoint',
        'shopusers',
        '--from',
        before.rows[0].cursor ?? second.rows[0].cursor_end,
      ],
      stack.env,
    );
    expect(run.code).toBe(0);
    expect(stack.sim.stats().requests.shopusers).toBe(1);
    const after = await stack.db.pool.query(
      `select cursor from onecore_sync.checkpoints where endpoint = 'shopusers' and mode = 'incremental'`,
    );
    expect(after.rows[0].cursor).toBe(before.rows[0].cursor);
    const bad = await runCli(['sync', '--mode', 'backfill', '--endpoint', 'shopusers', '--from', 'garbage'], stack.env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/shopusers\s+backfill\s+failed/);
  });

  it('bad records are kept in rejected_records with the reason and the walk goes on', async () => {
    stack.sim.insertRecord('ordershipments', 'just a string');
    stack.sim.insertRecord('ordershipments', { note: 'no key here' });
    stack.sim.insertRecord('ordershipments', { [dialect === 'pascal' ? 'Id' : 'id']: 'nul-1', text: 'a\u0000b' });
    stack.sim.insertRecord('ordershipments', [1, 2]);
    const r = await stack.walk('ordershipments', 'incremental');
    expect(r.status).toBe('succeeded');
    expect(r.rejected).toBe(4);
    const rej = await stack.db.pool.query(
      `select reason from onecore_sync.rejected_records where endpoint = 'ordershipments' order by id`,
    );
    expect(rej.rows.map((x) => x.reason)).toEqual([
      'not an object (string)',
      'no key: field "id" is missing, empty or not a string or integer',
      'contains \\u0000, which PostgreSQL jsonb cannot store',
      'not an object (array)',
    ]);
    const live = await stack.db.pool.query(`select count(*)::int as n from onecore.ordershipments`);
    expect(live.rows[0].n).toBe(250);
  });

  it('a second walker of the same endpoint reports "already running" instead of waiting', async () => {
    const slow = await startStack({ sim: { records: 300, latencyMs: 150, seed: 9, dialect } });
    try {
      const first = slow.walk('orders', 'mirror');
      await sleepUntil(
        async () =>
          (await slow.db.pool.query(`select 1 from onecore_sync.sync_runs where status = 'running'`)).rowCount,
        { what: 'the first walk to start' },
      );
      const second = await slow.walk('orders', 'incremental');
      expect(second.status).toBe('skipped');
      expect(second.message).toMatch(/already being walked/);
      expect((await first).status).toBe('succeeded');
    } finally {
      await slow.close();
    }
  });
});
