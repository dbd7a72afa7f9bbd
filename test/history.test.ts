import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli as runCliDefault } from './helpers/cli.js';
import { compareWithSimulator, startStack, type Stack } from './helpers/stack.js';
import { historyProblems, versionChains } from './helpers/historyChains.js';
import { canonicalJson } from './helpers/canonicalJson.js';
import { readConfig } from '../src/config/readConfig.js';
import { historyEnabled } from '../src/config/history.js';
import { ConfigError } from '../src/config/ConfigError.js';
import { readModifiedAt } from '../src/history/modifiedAt.js';
import { storePage } from '../src/db/sql/storePage.js';
import { ensureRecordTable } from '../src/db/sql/ensureRecordTable.js';
import { ensureHistoryTable } from '../src/db/sql/historyTable.js';

/** The machine may be busy: give each CLI run time. */
const runCli = (args: string[], env: Record<string, string>) => runCliDefault(args, env, { timeoutMs: 240_000 });

/** A moment strictly between two walks: Postgres' clock, so comparable with valid_from/valid_to. */
async function dbNow(stack: Stack): Promise<Date> {
  const { rows } = await stack.db.pool.query<{ t: Date }>(`select clock_timestamp() as t`);
  await new Promise((r) => setTimeout(r, 5));
  return rows[0]!.t;
}

async function asOf(stack: Stack, endpoint: string, at: Date): Promise<Map<string, unknown>> {
  const { rows } = await stack.db.pool.query<{ id: string; data: unknown }>(
    `select id, data from onecore_history.${endpoint}_as_of($1)`,
    [at],
  );
  return new Map(rows.map((r) => [r.id, r.data]));
}

async function liveRows(stack: Stack, endpoint: string): Promise<Map<string, unknown>> {
  const { rows } = await stack.db.pool.query<{ id: string; data: unknown }>(
    `select id, data from onecore.${endpoint} where deleted_at is null`,
  );
  return new Map(rows.map((r) => [r.id, r.data]));
}

const canon = (m: Map<string, unknown>) =>
  [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${canonicalJson(v)}`);

describe('history mode', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sim: { records: 250, seed: 5 }, env: { ONECORE_HISTORY: 'quotations,orders' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('keeps every version: inserts, updates, deletions and un-deletions, each in the run that saw it', async () => {
    const first = await stack.walk('quotations', 'mirror');
    expect(first.status).toBe('succeeded');
    let chains = await versionChains(stack.db.pool, 'quotations');
    expect(chains.size).toBe(250);
    for (const [, chain] of chains)
      expect(chain).toMatchObject([{ change: 'insert', valid_to: null, run_id: String(first.runId) }]);
    // The record's own modification date-time is kept beside the version.
    const [someId, [someVersion]] = [...chains.entries()][0]!;
    const upstream = stack.sim.truth('quotations').find((r) => (r as { id: string }).id === someId) as {
      modified: string;
    };
    expect(someVersion!.modified_at!.getTime()).toBe(Date.parse(upstream.modified));
    const beforeChanges = await dbNow(stack);

    const [a, b] = stack.sim.truth('quotations') as Array<{ id: string }>;
    const aBefore = (await liveRows(stack, 'quotations')).get(a!.id);
    stack.sim.update('quotations', a!.id);
    const bRecord = structuredClone(stack.sim.truth('quotations').find((r) => (r as { id: string }).id === b!.id));
    stack.sim.remove('quotations', b!.id);
    const second = await stack.walk('quotations', 'mirror');
    expect(second).toMatchObject({ status: 'succeeded', updated: 1, deleted: 1 });
    const afterDelete = await dbNow(stack);

    chains = await versionChains(stack.db.pool, 'quotations');
    const aChain = chains.get(a!.id)!;
    expect(aChain.map((v) => [v.change, v.run_id])).toEqual([
      ['insert', String(first.runId)],
      ['update', String(second.runId)],
    ]);
    expect(aChain[0]!.valid_to).toEqual(aChain[1]!.valid_from);
    expect(canonicalJson(aChain[0]!.data)).toBe(canonicalJson(aBefore));
    const bChain = chains.get(b!.id)!;
    expect(bChain.map((v) => v.change)).toEqual(['insert', 'delete']);
    expect(bChain[1]).toMatchObject({ valid_to: null, run_id: String(second.runId) });
    expect(canonicalJson(bChain[1]!.data)).toBe(canonicalJson(bChain[0]!.data));

    stack.sim.insertRecord('quotations', bRecord);
    const third = await stack.walk('quotations', 'incremental');
    expect(third.status).toBe('succeeded');
    chains = await versionChains(stack.db.pool, 'quotations');
    expect(chains.get(b!.id)!.map((v) => v.change)).toEqual(['insert', 'delete', 'undelete']);
    expect(await historyProblems(stack.db.pool, 'quotations')).toEqual([]);

    // As of any moment: the table as it was then.
    const then = await asOf(stack, 'quotations', beforeChanges);
    expect(then.size).toBe(250);
    expect(canonicalJson(then.get(a!.id))).toBe(canonicalJson(aBefore));
    const deletedThen = await asOf(stack, 'quotations', afterDelete);
    expect(deletedThen.size).toBe(249);
    expect(deletedThen.has(b!.id)).toBe(false);
    expect(canon(await asOf(stack, 'quotations', await dbNow(stack)))).toEqual(
      canon(await liveRows(stack, 'quotations')),
    );
    expect(await asOf(stack, 'quotations', new Date('2000-01-01T00:00:00Z'))).toEqual(new Map());
  });

  it('an unchanged re-mirror writes no data row and no history row', async () => {
    await stack.walk('orders', 'mirror');
    const rowVersions = async () => ({
      data: (await stack.db.pool.query(`select id, xmin::text as x from onecore.orders order by id`)).rows,
      history: (
        await stack.db.pool.query(
          `select id, valid_from, xmin::text as x from onecore_history.orders order by id, valid_from`,
        )
      ).rows,
    });
    const before = await rowVersions();
    const again = await stack.walk('orders', 'mirror');
    expect(again).toMatchObject({ status: 'succeeded', inserted: 0, updated: 0, deleted: 0 });
    expect(await rowVersions()).toEqual(before);
    expect(await historyProblems(stack.db.pool, 'orders')).toEqual([]);
  });

  it('a page too large for one statement (written in batches) versions each record once, atomically', async () => {
    const client = await stack.db.pool.connect();
    try {
      await ensureRecordTable(client, 'bigpages');
      await ensureHistoryTable(client, 'bigpages');
      const page = (round: number) => {
        const ids = Array.from({ length: 40 }, (_, i) => `k${i}`);
        // Round 2 changes every other record (and its modification date).
        const day = (i: number) => (round === 2 && i % 2 === 0 ? 2 : 1);
        const json = ids.map((id, i) => JSON.stringify({ id, v: day(i), modified: `2024-01-0${day(i)}T00:00:00Z` }));
        const modifiedAt = ids.map((_, i) => `2024-01-0${day(i)}T00:00:00Z`);
        return {
          endpoint: 'bigpages',
          mode: 'incremental' as const,
          runId: round,
          walkId: null,
          pageNo: 0,
          ids,
          json,
          rejections: [],
          recordsSeen: 40,
          cursorAfter: null,
          history: { modifiedAt },
        };
      };
      // ~60 characters a record: batches of about 4 records, ten statements in one transaction.
      expect(await storePage(client, page(1), 250)).toMatchObject({ inserted: 40, updated: 0 });
      expect(await storePage(client, page(1), 250)).toMatchObject({ inserted: 0, updated: 0, unchanged: 40 });
      expect(await storePage(client, page(2), 250)).toMatchObject({ inserted: 0, updated: 20 });
      const chains = await versionChains(stack.db.pool, 'bigpages');
      expect(chains.size).toBe(40);
      expect(chains.get('k0')!.map((v) => [v.change, v.run_id, v.modified_at?.toISOString()])).toEqual([
        ['insert', '1', '2024-01-01T00:00:00.000Z'],
        ['update', '2', '2024-01-02T00:00:00.000Z'],
      ]);
      expect(chains.get('k1')!.map((v) => v.change)).toEqual(['insert']);
      expect(await historyProblems(stack.db.pool, 'bigpages')).toEqual([]);
      // Modification dates that do not line up with the records are refused before anything is written.
      await expect(storePage(client, { ...page(3), history: { modifiedAt: [] } })).rejects.toThrow(
        /0 modification dates for 40 records/,
      );
    } finally {
      client.release();
    }
  });

  it('endpoints without history get no history table', async () => {
    await stack.walk('invoices', 'mirror');
    const { rows } = await stack.db.pool.query(`select to_regclass('onecore_history.invoices') as t`);
    expect(rows[0].t).toBeNull();
  });

  it(
    'turning history on for an endpoint with data seeds each record once; a pause is reconciled',
    { timeout: 300_000 },
    async () => {
      // products: mirrored without history, one record deleted meanwhile.
      await stack.walk('products', 'mirror');
      const ids = (stack.sim.truth('products') as Array<{ id: string }>).map((r) => r.id);
      stack.sim.remove('products', ids[0]!);
      await stack.walk('products', 'mirror');

      const withHistory = { ...stack.env, ONECORE_HISTORY: 'products' };
      const run = await runCli(['sync', '--endpoint', 'products'], withHistory);
      expect(run.code).toBe(0);
      let chains = await versionChains(stack.db.pool, 'products');
      expect(chains.size).toBe(250);
      const synced = new Map(
        (await stack.db.pool.query(`select id, synced_at, deleted_at from onecore.products`)).rows.map((r) => [
          r.id,
          r,
        ]),
      );
      expect(chains.get(ids[1]!)).toMatchObject([
        { change: 'insert', valid_to: null, valid_from: synced.get(ids[1]!).synced_at },
      ]);
      expect(chains.get(ids[0]!)!.map((v) => [v.change, v.valid_to === null])).toEqual([
        ['insert', false],
        ['delete', true],
      ]);
      expect(chains.get(ids[0]!)![1]!.valid_from).toEqual(synced.get(ids[0]!).deleted_at);
      expect(await historyProblems(stack.db.pool, 'products')).toEqual([]);
      const count = async () =>
        (await stack.db.pool.query(`select count(*)::int as n from onecore_history.products`)).rows[0].n;
      const seeded = await count();

      // Seeded once: further walks with history on add nothing when nothing changed.
      expect((await runCli(['sync', '--mode', 'mirror', '--endpoint', 'products'], withHistory)).code).toBe(0);
      expect(await count()).toBe(seeded);

      // History off for a while (this stack's own setting): a change goes unrecorded ...
      stack.sim.update('products', ids[2]!);
      await stack.walk('products', 'mirror');
      expect(await count()).toBe(seeded);
      // ... and is reconciled by the next walk with history on.
      expect((await runCli(['sync', '--endpoint', 'products'], withHistory)).code).toBe(0);
      chains = await versionChains(stack.db.pool, 'products');
      expect(chains.get(ids[2]!)!.map((v) => v.change)).toEqual(['insert', 'update']);
      expect(await count()).toBe(seeded + 1);
      expect(await historyProblems(stack.db.pool, 'products')).toEqual([]);
    },
  );

  it(
    'ONECORE_HISTORY_KEEP_DAYS drops closed versions older than that after a mirror, never current ones',
    { timeout: 300_000 },
    async () => {
      const closedBefore = (
        await stack.db.pool.query(
          `select count(*)::int as n from onecore_history.quotations where valid_to is not null`,
        )
      ).rows[0].n;
      expect(closedBefore).toBeGreaterThan(0);
      // Age the closed versions by 40 days.
      await stack.db.pool.query(
        `update onecore_history.quotations set valid_from = valid_from - interval '40 days', valid_to = valid_to - interval '40 days' where valid_to is not null`,
      );
      const currentBefore = (
        await stack.db.pool.query(`select count(*)::int as n from onecore_history.quotations where valid_to is null`)
      ).rows[0].n;
      const run = await runCli(['sync', '--mode', 'mirror', '--endpoint', 'quotations'], {
        ...stack.env,
        ONECORE_HISTORY_KEEP_DAYS: '30',
      });
      expect(run.code).toBe(0);
      const after = (
        await stack.db.pool.query(
          `select count(*) filter (where valid_to is not null)::int as closed, count(*) filter (where valid_to is null)::int as current from onecore_history.quotations`,
        )
      ).rows[0];
      expect(after).toEqual({ closed: 0, current: currentBefore });
      expect(await compareWithSimulator(stack, 'quotations')).toEqual([]);
    },
  );

  it(
    'a typed history view: every version of a record with the typed columns of each, refreshed after each mirror',
    { timeout: 300_000 },
    async () => {
      expect((await runCli(['sync', '--mode', 'mirror', '--endpoint', 'orders'], stack.env)).code).toBe(0);
      const columns = async (schema: string) =>
        (
          await stack.db.pool.query<{ c: string }>(
            `select column_name || ' ' || data_type as c from information_schema.columns where table_schema = $1 and table_name = 'orders' order by ordinal_position`,
            [schema],
          )
        ).rows.map((r) => r.c);
      // The typed view's columns, names and types, after the version's own.
      const typed = await columns('onecore_typed');
      const history = await columns('onecore_typed_history');
      expect(history.slice(0, 6)).toEqual([
        'id text',
        'valid_from timestamp with time zone',
        'valid_to timestamp with time zone',
        'change text',
        'run_id bigint',
        'modified_at timestamp with time zone',
      ]);
      expect(history.slice(6)).toEqual(typed.slice(3));
      expect(history).toEqual(expect.arrayContaining(['status text', 'delivery_date date', 'totals__gross numeric']));

      const order = (
        stack.sim.truth('orders') as Array<{
          id: string;
          status: string;
          deliveryDate: string;
          totals: { gross: number };
        }>
      ).find((r) => r.status !== 'Cancelled')!;
      stack.sim.update('orders', order.id, {
        status: 'Cancelled',
        deliveryDate: '2027-01-15',
        totals: { ...order.totals, gross: 1234.56 },
      });
      expect((await runCli(['sync', '--mode', 'mirror', '--endpoint', 'orders'], stack.env)).code).toBe(0);

      const { rows } = await stack.db.pool.query(
        `select change, valid_to is null as current, status, delivery_date::text as delivery_date, totals__gross::text as gross
         from onecore_typed_history.orders where id = $1 order by valid_from`,
        [order.id],
      );
      expect(rows).toEqual([
        {
          change: 'insert',
          current: false,
          status: order.status,
          delivery_date: order.deliveryDate,
          gross: String(order.totals.gross),
        },
        { change: 'update', current: true, status: 'Cancelled', delivery_date: '2027-01-15', gross: '1234.56' },
      ]);
      // The current versions are the typed view's live rows.
      const diff = await stack.db.pool.query(`
      (select id, status, delivery_date, totals__gross from onecore_typed_history.orders where valid_to is null and change <> 'delete'
       except select id, status, delivery_date, totals__gross from onecore_typed.orders where deleted_at is null)
      union all
      (select id, status, delivery_date, totals__gross from onecore_typed.orders where deleted_at is null
       except select id, status, delivery_date, totals__gross from onecore_typed_history.orders where valid_to is null and change <> 'delete')`);
      expect(diff.rows).toEqual([]);

      // dbt lists them as a source of their own, typed and described like onecore_typed.
      const dbt = await runCli(['dbt'], stack.env);
      expect(dbt.code, dbt.stderr).toBe(0);
      const source = parse(dbt.stdout).sources.find((s: { name: string }) => s.name === 'onecore_typed_history');
      expect(source).toMatchObject({
        schema: 'onecore_typed_history',
        loaded_at_field: 'valid_from',
        freshness: { warn_after: { count: 24, period: 'hour' }, error_after: { count: 72, period: 'hour' } },
      });
      const orders = source.tables.find((t: { name: string }) => t.name === 'orders');
      expect(orders.description).toMatch(/Every stored version of onecore\.orders \(onecore_history\.orders\)/);
      expect(orders.columns.map((c: { name: string; data_type: string }) => `${c.name} ${c.data_type}`)).toEqual(
        history,
      );
      expect(orders.columns).toContainEqual({
        name: 'valid_to',
        data_type: 'timestamp with time zone',
        description: 'When the next version replaced it; NULL while it is the current one.',
      });
      expect(orders.columns).toContainEqual({
        name: 'order_date',
        data_type: 'timestamp with time zone',
        description: 'When the order was placed (date-time).',
      });
    },
  );

  it('"history": true in the options file turns it on for that endpoint', { timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocs-history-'));
    const file = join(dir, 'options.json');
    writeFileSync(file, JSON.stringify({ endpoints: { shopusers: { history: true } } }));
    const run = await runCli(['sync', '--endpoint', 'shopusers'], {
      ...stack.env,
      ONECORE_HISTORY: '',
      ONECORE_CONFIG_FILE: file,
    });
    expect(run.code).toBe(0);
    expect((await versionChains(stack.db.pool, 'shopusers')).size).toBe(250);
  });
});

describe('history settings', () => {
  const base = { ONECORE_BASE_URL: 'https://shop.example.com' };
  it('ONECORE_HISTORY: a list, all, or a clear error', () => {
    const c = readConfig({ ...base, ONECORE_HISTORY: 'Orders, quotations' });
    expect(historyEnabled(c, 'orders')).toBe(true);
    expect(historyEnabled(c, 'products')).toBe(false);
    expect(historyEnabled(readConfig({ ...base, ONECORE_HISTORY: 'ALL' }), 'anything')).toBe(true);
    expect(historyEnabled(readConfig(base), 'orders')).toBe(false);
    expect(() => readConfig({ ...base, ONECORE_HISTORY: 'all,orders' })).toThrow(/ONECORE_HISTORY must be "all" alone/);
    expect(() => readConfig({ ...base, ONECORE_HISTORY: 'or ders' })).toThrow(ConfigError);
    expect(() => readConfig({ ...base, ONECORE_HISTORY_KEEP_DAYS: '0' })).toThrow(
      /ONECORE_HISTORY_KEEP_DAYS must be greater than zero/,
    );
    expect(() => readConfig({ ...base, ONECORE_HISTORY_KEEP_DAYS: '1.5' })).toThrow(
      /ONECORE_HISTORY_KEEP_DAYS must be a whole number/,
    );
    expect(readConfig({ ...base, ONECORE_HISTORY_KEEP_DAYS: '90' }).historyKeepDays).toBe(90);
  });

  it('the options file decides per endpoint, also against ONECORE_HISTORY=all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocs-history-'));
    const file = join(dir, 'options.json');
    writeFileSync(file, JSON.stringify({ endpoints: { orders: { history: false }, products: {} } }));
    const c = readConfig({ ...base, ONECORE_HISTORY: 'all', ONECORE_CONFIG_FILE: file });
    expect(historyEnabled(c, 'orders')).toBe(false);
    expect(historyEnabled(c, 'products')).toBe(true);
    writeFileSync(file, JSON.stringify({ endpoints: { orders: { history: 'yes' } } }));
    expect(() => readConfig({ ...base, ONECORE_CONFIG_FILE: file })).toThrow(
      /endpoints\.orders\.history must be true or false/,
    );
  });

  it('the modification date-time: the documented field names, case-insensitively, real instants only', () => {
    expect(readModifiedAt({ id: 1, Modified: '2024-05-01T10:00:00Z' })).toBe('2024-05-01T10:00:00Z');
    expect(
      readModifiedAt({ id: 1, UPDATEDAT: '2024-05-01T10:00:00.123456Z', lastModified: '2024-05-02T10:00:00Z' }),
    ).toBe('2024-05-02T10:00:00Z');
    expect(readModifiedAt({ id: 1, modified: '2024-02-30T10:00:00Z' })).toBeNull();
    expect(readModifiedAt({ id: 1, modified: '2024-05-01' })).toBeNull();
    expect(readModifiedAt({ id: 1, modified: 5, updated: '2024-05-01T10:00:00Z' })).toBe('2024-05-01T10:00:00Z');
    expect(readModifiedAt({ id: 1, created: '2024-05-01T10:00:00Z' })).toBeNull();
  });
});
