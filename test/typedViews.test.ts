import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from './helpers/cli.js';
import { startStack, type Stack } from './helpers/stack.js';
import { sleepUntil } from './helpers/sleepUntil.js';
import { openTestQueue, startWorker, testQueuePrefix, type TestQueue, type WorkerProcess } from './helpers/worker.js';

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

async function columnsOf(stack: Stack, view: string): Promise<Record<string, string>> {
  const { rows } = await stack.db.pool.query<{ column_name: string; data_type: string }>(
    `select column_name, data_type from information_schema.columns where table_schema = 'onecore_typed' and table_name = $1 order by ordinal_position`,
    [view],
  );
  return Object.fromEntries(rows.map((r) => [r.column_name, r.data_type]));
}

async function one<T = Record<string, unknown>>(stack: Stack, sql: string, params: unknown[] = []): Promise<T> {
  return (await stack.db.pool.query(sql, params)).rows[0] as T;
}

const TS = 'timestamp with time zone';

describe('typed views of a camelCase shop with an OpenAPI document', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sim: { records: 120, seed: 3 } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('a mirror creates one typed view per endpoint and a child view per list of objects, typed from the OpenAPI document', async () => {
    const run = await runCli(['sync', '--mode', 'mirror'], stack.env);
    expect(run.code, run.stderr).toBe(0);
    for (const endpoint of LISTS)
      expect(Object.keys(await columnsOf(stack, endpoint)).length, endpoint).toBeGreaterThan(5);

    const orders = await columnsOf(stack, 'orders');
    expect(Object.keys(orders).slice(0, 6)).toEqual([
      'id',
      'synced_at',
      'deleted_at',
      'order_number',
      'status',
      'shop_user_id',
    ]);
    expect(orders).toMatchObject({
      id: 'text',
      synced_at: TS,
      deleted_at: TS,
      order_number: 'text',
      order_date: TS,
      created: TS,
      delivery_date: 'date',
      pickup_time: 'text',
      totals__net: 'numeric',
      totals__vat_rate: 'numeric',
      billing_address__city: 'text',
      shipping_address__zip: 'text',
      lines: 'jsonb',
      comment: 'text',
    });
    expect(orders).not.toHaveProperty('totals');
    expect(await columnsOf(stack, 'orders__lines')).toMatchObject({
      parent_id: 'text',
      position: 'bigint',
      line_no: 'bigint',
      quantity: 'bigint',
      unit_price: 'numeric',
      amount: 'numeric',
      delivered_at: TS,
      options: 'jsonb',
      description: 'text',
    });
    expect(await columnsOf(stack, 'quotations__lines')).toMatchObject({
      configuration__width_mm: 'bigint',
      configuration__glazing: 'text',
    });
    expect(await columnsOf(stack, 'databaseusages')).toMatchObject({
      id: 'text',
      large_counter: 'bigint',
      database_size_mb: 'numeric',
      period_start: 'date',
      record_counts__shop_users: 'bigint',
    });
    expect(await columnsOf(stack, 'products')).toMatchObject({
      active: 'boolean',
      price__amount: 'numeric',
      categories: 'jsonb',
    });
    expect(await columnsOf(stack, 'shopusers__addresses')).toMatchObject({
      parent_id: 'text',
      position: 'bigint',
      city: 'text',
    });

    // Every typed value is the jsonb value cast by hand, row by row.
    const diff = await one<{ n: string }>(
      stack,
      `
      select count(*) as n from onecore_typed.orders t join onecore.orders r using (id)
       where t.order_date is distinct from (r.data->>'orderDate')::timestamptz
          or t.delivery_date is distinct from (r.data->>'deliveryDate')::date
          or t.totals__gross is distinct from (r.data->'totals'->>'gross')::numeric
          or t.order_number is distinct from r.data->>'orderNumber'`,
    );
    expect(Number(diff.n)).toBe(0);
    const lines = await one<{ typed: string; raw: string; qty: string }>(
      stack,
      `
      select (select count(*) from onecore_typed.orders__lines) as typed,
             (select sum(jsonb_array_length(data->'lines')) from onecore.orders) as raw,
             (select count(*) from onecore_typed.orders__lines l join onecore.orders r on r.id = l.parent_id
               where l.quantity = (r.data->'lines'->(l.position::int - 1)->>'quantity')::bigint) as qty`,
    );
    expect(Number(lines.typed)).toBe(Number(lines.raw));
    expect(Number(lines.qty)).toBe(Number(lines.raw));
    const minValue = await one<{ n: string }>(
      stack,
      `select count(*) as n from onecore_typed.orders__lines where delivered_at = '0001-01-01T00:00:00Z'`,
    );
    expect(Number(minValue.n)).toBeGreaterThan(0);

    // Descriptions from the document reach the columns (psql \d+, BI tools).
    const comment = await one<{ c: string }>(
      stack,
      `select col_description('onecore_typed.orders'::regclass, 
      (select attnum from pg_attribute where attrelid = 'onecore_typed.orders'::regclass and attname = 'order_date')) as c`,
    );
    expect(comment.c).toBe('When the order was placed (date-time).');
  });

  it('a value that does not cast reads as NULL and every query on the view still works', async () => {
    const [victim] = stack.sim.truth('orders') as Array<Record<string, unknown>>;
    const lines = structuredClone(victim!.lines) as Array<Record<string, unknown>>;
    lines[0]!.quantity = 1.5;
    lines[0]!.deliveredAt = 'soon';
    stack.sim.update('orders', victim!.id as string, {
      orderDate: '2024-02-30T10:00:00',
      deliveryDate: '2024-13-01',
      totals: { net: 'n/a', vat: '1e99999', gross: 12.5, vatRate: true },
      lines,
    });
    expect((await stack.walk('orders', 'mirror')).status).toBe('succeeded');
    const run = await runCli(['views', '--endpoint', 'orders'], stack.env);
    expect(run.code, run.stderr).toBe(0);
    const row = await one(
      stack,
      `select order_date, delivery_date, totals__net, totals__vat, totals__gross, totals__vat_rate from onecore_typed.orders where id = $1`,
      [victim!.id],
    );
    expect(row).toEqual({
      order_date: null,
      delivery_date: null,
      totals__net: null,
      totals__vat: null,
      totals__gross: '12.5',
      totals__vat_rate: null,
    });
    const line = await one(
      stack,
      `select quantity, delivered_at from onecore_typed.orders__lines where parent_id = $1 and position = 1`,
      [victim!.id],
    );
    expect(line).toEqual({ quantity: null, delivered_at: null });
    // Filters, sorts and aggregates over the whole view do not trip on it.
    const all = await one<{ n: string; latest: Date }>(
      stack,
      `select count(*) as n, max(order_date) as latest from onecore_typed.orders where order_date < now() and delivery_date is not null and totals__net >= 0`,
    );
    expect(Number(all.n)).toBeGreaterThan(0);
    // The raw record is untouched in onecore.orders.
    const raw = await one<{ d: string }>(stack, `select data->>'orderDate' as d from onecore.orders where id = $1`, [
      victim!.id,
    ]);
    expect(raw.d).toBe('2024-02-30T10:00:00');
  });

  it('the safe casts: exact to the day, NULL for anything that would not cast', async () => {
    const cases: Array<[string, string | null, string | null]> = [
      // value, as date, as timestamptz (in UTC)
      ['2024-02-29', '2024-02-29', null],
      ['2023-02-29', null, null],
      ['2000-02-29', '2000-02-29', null],
      ['1900-02-29', null, null],
      ['0000-01-01', null, null],
      ['2024-13-01', null, null],
      ['2024-04-31', null, null],
      ['2024-04-30', '2024-04-30', null],
      ['2024-02-28T10:00:00Z', null, '2024-02-28 10:00:00.000000'],
      ['2024-02-30T10:00:00Z', null, null],
      ['2024-02-28T24:00:00Z', null, null],
      ['2024-02-28T23:59:60Z', null, null],
      ['2024-02-28T10:00:00.123456+05:30', null, '2024-02-28 04:30:00.123456'],
      ['0001-01-01T00:00:00Z', null, '0001-01-01 00:00:00.000000'],
      ['2024-01-01T00:00:00', null, null],
      ['2024-01-01T00:00:00+15:00', null, null],
      ['2023-06-31T00:00:00Z', null, null],
      ['2023-06-30T23:59:59.999999Z', null, '2023-06-30 23:59:59.999999'],
      ['2024-0001', null, null],
      ['12:30', null, null],
    ];
    const { rows } = await stack.db.pool.query(
      `select v, onecore_sync.typed_date(v)::text as d, to_char(onecore_sync.typed_timestamptz(v) at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') as t from unnest($1::text[]) with ordinality as x(v, i) order by i`,
      [cases.map((c) => c[0])],
    );
    expect(rows.map((r) => [r.v, r.d, r.t])).toEqual(cases);
    const numbers = await stack.db.pool.query(
      `select onecore_sync.typed_bigint(v)::text as b, onecore_sync.typed_numeric(v)::text as n, onecore_sync.typed_boolean(v) as t from unnest($1::text[]) with ordinality as x(v, i) order by i`,
      [['12', '-9223372036854775808', '9223372036854775808', '1.5', '1.5e3', '1e9999', 'abc', '', 'true']],
    );
    expect(numbers.rows).toEqual([
      { b: '12', n: '12', t: null },
      { b: '-9223372036854775808', n: '-9223372036854775808', t: null },
      { b: null, n: '9223372036854775808', t: null },
      { b: null, n: '1.5', t: null },
      { b: null, n: '1500', t: null },
      { b: null, n: null, t: null },
      { b: null, n: null, t: null },
      { b: null, n: null, t: null },
      { b: null, n: null, t: true },
    ]);
  });

  it('the views’ faster casts (jsonb and text in) give what the text casts give, never an error, over thousands of near-misses', async () => {
    // Valid values at the edges of the calendar, in the canonical form the sync stores and others.
    const valid: string[] = [];
    for (const year of ['0001', '1900', '2000', '2023', '2024', '9999'])
      for (const md of [
        '01-01',
        '01-31',
        '02-28',
        '02-29',
        '02-30',
        '04-30',
        '04-31',
        '12-31',
        '00-10',
        '13-01',
        '06-00',
      ])
        for (const time of [
          'T00:00:00Z',
          'T23:59:59.999999Z',
          'T10:00:00.12Z',
          'T10:00:00.120Z',
          'T10:00:00.000Z',
          'T10:00:00.0Z',
          'T10:00:00.1200000Z',
        ])
          valid.push(`${year}-${md}`, `${year}-${md}${time}`);
    valid.push('0000-01-01', '0000-01-01T00:00:00Z', '2024-02-28T10:00:00.1234567Z', '2024-02-28T10:00:00.123456789Z');
    valid.push('2024-02-28T10:00:00.1234567891Z', '2024-02-28T10:00:00+01:00', '2024-02-28T10:00:00-14:00');
    valid.push('2024-02-28T10:00:00+14:30', '2024-02-28T24:00:00Z', '2024-02-28T23:60:00Z', '2024-02-28T23:59:60Z');
    valid.push('2024-02-28T10:00:00', '2024-02-28 10:00:00Z', '2024-02-28t10:00:00z', '2024-02-28T10:00:00.Z', '');
    // Every one-character change of a few of them: a space, a sign, a letter, a separator, a
    // digit, a character outside ASCII, or the character dropped or doubled.
    const near: string[] = [];
    for (const base of [
      '2024-02-29T23:59:59.123456Z',
      '2023-12-31T00:00:00.100Z',
      '0001-01-01T00:00:00Z',
      '2024-02-29',
    ])
      for (let i = 0; i < base.length; i++) {
        for (const ch of [' ', '\t', '+', '-', 'x', ':', '.', 'T', 'Z', '0', '9', 'é'])
          near.push(base.slice(0, i) + ch + base.slice(i + 1));
        near.push(base.slice(0, i) + base.slice(i + 1), base.slice(0, i) + base[i] + base.slice(i));
      }
    const values = [...valid, ...near];
    const { rows } = await stack.db.pool.query<Record<'v' | 'slow_t' | 'fast_t' | 'slow_d' | 'fast_d', string | null>>(
      `select v,
              onecore_sync.typed_timestamptz(v)::text as slow_t, onecore_sync.typed_timestamptz(to_jsonb(v), v)::text as fast_t,
              onecore_sync.typed_date(v)::text as slow_d, onecore_sync.typed_date(to_jsonb(v), v)::text as fast_d
         from unnest($1::text[]) as x(v)`,
      [values],
    );
    expect(rows.length).toBe(values.length);
    expect(rows.filter((r) => r.slow_t !== r.fast_t || r.slow_d !== r.fast_d)).toEqual([]);
    // The corpus does reach both answers.
    expect(rows.filter((r) => r.fast_t !== null).length).toBeGreaterThan(100);
    expect(rows.filter((r) => r.slow_d !== null).length).toBeGreaterThan(30);

    const numbers = await stack.db.pool.query(
      `select j::text as j, onecore_sync.typed_numeric(j)::text as fast, onecore_sync.typed_numeric(j #>> '{}')::text as slow
         from unnest($1::jsonb[]) as x(j)`,
      [
        [
          '12',
          '-0.50',
          '1e3',
          '123456789012345678901234567890.5',
          '"12.50"',
          '"1e9999"',
          '"n/a"',
          'true',
          'null',
          '[1]',
        ],
      ],
    );
    expect(numbers.rows.map((r) => [r.j, r.fast])).toEqual([
      ['12', '12'],
      ['-0.50', '-0.50'],
      ['1000', '1000'],
      ['123456789012345678901234567890.5', '123456789012345678901234567890.5'],
      ['"12.50"', '12.50'],
      ['"1e9999"', null],
      ['"n/a"', null],
      ['true', null],
      ['null', null],
      ['[1]', null],
    ]);
    expect(numbers.rows.every((r) => r.fast === r.slow)).toBe(true);
  });

  it('a field added upstream becomes a new column at the end; existing columns keep their names and places', async () => {
    const before = Object.keys(await columnsOf(stack, 'orders'));
    const ids = (stack.sim.truth('orders') as Array<{ id: string }>).slice(1, 4).map((r) => r.id);
    for (const [i, id] of ids.entries())
      stack.sim.update('orders', id, {
        promoCode: `SUMMER-${i}`,
        loyaltyPoints: 10 * i,
        campaign: { name: 'Sommer', startsOn: '2025-06-01' },
      });
    const run = await runCli(['sync', '--mode', 'mirror', '--endpoint', 'orders'], stack.env);
    expect(run.code, run.stderr).toBe(0);
    const after = await columnsOf(stack, 'orders');
    expect(Object.keys(after).slice(0, before.length)).toEqual(before);
    expect(Object.fromEntries(Object.entries(after).slice(before.length))).toEqual({
      campaign__name: 'text',
      campaign__starts_on: 'date',
      loyalty_points: 'bigint',
      promo_code: 'text',
    });
    const rows = (
      await stack.db.pool.query(
        `select id, promo_code, loyalty_points, campaign__starts_on::text as starts from onecore_typed.orders where promo_code is not null order by id`,
      )
    ).rows;
    expect(rows).toEqual(
      ids.map((id, i) => ({ id, promo_code: `SUMMER-${i}`, loyalty_points: String(10 * i), starts: '2025-06-01' })),
    );
  });

  it('names that collide in snake_case get _2, _3, and keep them on every later run', async () => {
    const id = (stack.sim.truth('orders') as Array<{ id: string }>)[5]!.id;
    stack.sim.update('orders', id, { OrderNumber: 'upper', 'order-number': 'dash', PromoCode: 'P' });
    expect((await stack.walk('orders', 'mirror')).status).toBe('succeeded');
    expect((await runCli(['views'], stack.env)).code).toBe(0);
    const first = await columnsOf(stack, 'orders');
    const row = await one(
      stack,
      `select order_number, order_number_2, order_number_3, promo_code_2 from onecore_typed.orders where id = $1`,
      [id],
    );
    // Byte order decides who came first: "OrderNumber" < "order-number" (uppercase sorts first).
    expect(row).toMatchObject({ order_number_2: 'upper', order_number_3: 'dash', promo_code_2: 'P' });
    expect(row.order_number).toMatch(/^\d{4}-\d{4}$/);
    expect((await runCli(['views', '--offline'], stack.env)).code).toBe(0);
    expect(await columnsOf(stack, 'orders')).toEqual(first);
  });

  it('a column under a user view is never retyped silently: the conflict is reported, the sync still succeeds, and the retype happens once the user view is gone', async () => {
    await stack.db.pool.query(
      `create view public.loyalty_report as select id, loyalty_points from onecore_typed.orders where loyalty_points > 0`,
    );
    const id = (stack.sim.truth('orders') as Array<{ id: string }>)[7]!.id;
    stack.sim.update('orders', id, { loyaltyPoints: 'lots', giftWrap: true });
    const run = await runCli(['sync', '--mode', 'mirror', '--endpoint', 'orders'], { ...stack.env, LOG_LEVEL: 'warn' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/loyalty_points should change from bigint to text, but public\.loyalty_report depends/);
    const cols = await columnsOf(stack, 'orders');
    expect(cols).toMatchObject({ loyalty_points: 'bigint', gift_wrap: 'boolean' }); // kept, and the new field still added
    expect((await stack.db.pool.query(`select * from public.loyalty_report`)).rows.length).toBe(2);

    const views = await runCli(['views', '--endpoint', 'orders', '--offline'], stack.env);
    expect(views.code).toBe(0);
    expect(views.stderr).toMatch(/conflict: .*loyalty_points/);

    await stack.db.pool.query(`drop view public.loyalty_report`);
    const again = await runCli(['views', '--endpoint', 'orders', '--offline'], stack.env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/loyalty_points: bigint → text/);
    expect(await columnsOf(stack, 'orders')).toMatchObject({ loyalty_points: 'text' });
  });

  it('a field that vanished upstream keeps its column (NULL)', async () => {
    for (const r of stack.sim.truth('orders') as Array<Record<string, unknown>>) {
      if ('promoCode' in r || 'PromoCode' in r)
        stack.sim.update('orders', r.id as string, { promoCode: undefined, PromoCode: undefined });
    }
    expect((await stack.walk('orders', 'mirror')).status).toBe('succeeded');
    expect((await runCli(['views', '--offline'], stack.env)).code).toBe(0);
    expect(await columnsOf(stack, 'orders')).toMatchObject({ promo_code: 'text', promo_code_2: 'text' });
    const n = await one<{ n: string }>(
      stack,
      `select count(promo_code) + count(promo_code_2) as n from onecore_typed.orders`,
    );
    expect(Number(n.n)).toBe(0);
  });

  it('dbt writes a sources.yml for onecore and onecore_typed with column types, descriptions and freshness', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocs-dbt-'));
    try {
      const out = join(dir, 'sources.yml');
      const run = await runCli(['dbt', '--out', out], stack.env);
      expect(run.code, run.stderr).toBe(0);
      const doc = parse(await readFile(out, 'utf8'));
      expect(doc.version).toBe(2);
      const [raw, typed] = doc.sources;
      expect(raw).toMatchObject({
        name: 'onecore',
        schema: 'onecore',
        loaded_at_field: 'synced_at',
        freshness: { warn_after: { count: 24, period: 'hour' }, error_after: { count: 72, period: 'hour' } },
      });
      expect(raw.tables.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(LISTS));
      const rawOrders = raw.tables.find((t: { name: string }) => t.name === 'orders');
      expect(rawOrders.description).toBe('A customer order placed in the shop.');
      expect(rawOrders.columns.map((c: { name: string; data_type: string }) => `${c.name} ${c.data_type}`)).toEqual([
        'id text',
        'data jsonb',
        `synced_at ${TS}`,
        `deleted_at ${TS}`,
      ]);
      expect(typed).toMatchObject({ name: 'onecore_typed', schema: 'onecore_typed', loaded_at_field: 'synced_at' });
      const orders = typed.tables.find((t: { name: string }) => t.name === 'orders');
      expect(orders.columns).toContainEqual({
        name: 'order_date',
        data_type: TS,
        description: 'When the order was placed (date-time).',
      });
      expect(orders.columns).toContainEqual({ name: 'loyalty_points', data_type: 'text' });
      expect(typed.tables.map((t: { name: string }) => t.name)).toEqual(
        expect.arrayContaining(['orders__lines', 'quotations__lines', 'shopusers__addresses']),
      );

      const stdout = await runCli(['dbt', '--warn-after-hours', '2'], stack.env);
      expect(stdout.code).toBe(0);
      expect(parse(stdout.stdout).sources[0].freshness.warn_after.count).toBe(2);
      const bad = await runCli(['dbt', '--warn-after-hours', 'soon'], stack.env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--warn-after-hours/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('views refuses an endpoint that has no table, with a clear line', async () => {
    const run = await runCli(['views', '--endpoint', 'nosuch'], stack.env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no table onecore\.nosuch/);
  });
});

describe('typed views of a pascal-dialect shop (PascalCase, integer ids and enums) with an OpenAPI document', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      sim: { records: 80, seed: 4, dialect: 'pascal' },
      env: { ONECORE_ENDPOINTS: 'orders,quotations,productimages' },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('names the columns in snake_case, types integer ids and enums as bigint, and describes the enum values', async () => {
    const run = await runCli(['sync', '--mode', 'mirror'], stack.env);
    expect(run.code, run.stderr).toBe(0);
    const orders = await columnsOf(stack, 'orders');
    expect(Object.keys(orders).slice(0, 6)).toEqual([
      'id',
      'synced_at',
      'deleted_at',
      'order_number',
      'status',
      'shop_user_id',
    ]);
    expect(orders).toMatchObject({
      status: 'bigint',
      shop_user_id: 'bigint',
      order_date: TS,
      delivery_date: 'date',
      totals__vat_rate: 'numeric',
      billing_address__zip: 'text',
      lines: 'jsonb',
    });
    expect(orders).not.toHaveProperty('id_2'); // the key field Id is the id column, not repeated
    expect(await columnsOf(stack, 'orders__lines')).toMatchObject({
      parent_id: 'text',
      position: 'bigint',
      line_no: 'bigint',
      product_id: 'bigint',
      delivered_at: TS,
    });
    expect(await columnsOf(stack, 'quotations__lines')).toMatchObject({ configuration__width_mm: 'bigint' });
    const statuses = await one<{ n: string; confirmed: string }>(
      stack,
      `select count(*) as n, count(*) filter (where status = 1) as confirmed from onecore_typed.orders`,
    );
    expect(Number(statuses.n)).toBe(80);
    const expected = (stack.sim.truth('orders') as Array<{ Status: number }>).filter((o) => o.Status === 1).length;
    expect(Number(statuses.confirmed)).toBe(expected);
    const comment = await one<{ c: string }>(
      stack,
      `select col_description('onecore_typed.orders'::regclass,
      (select attnum from pg_attribute where attrelid = 'onecore_typed.orders'::regclass and attname = 'status')) as c`,
    );
    expect(comment.c).toBe(
      'Processing state of the order. (0 = New, 1 = Confirmed, 2 = InProduction, 3 = Shipped, 4 = Delivered, 5 = Cancelled)',
    );
    const ids = await one<{ same: string }>(
      stack,
      `select count(*) as same from onecore_typed.orders t join onecore.orders r using (id) where t.id = (r.data->>'Id')`,
    );
    expect(Number(ids.same)).toBe(80);
  });
});

describe('typed views of a pascal-dialect shop without an OpenAPI document', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      sim: { records: 80, seed: 5, dialect: 'pascal' },
      env: {
        ONECORE_ENDPOINTS: 'orders,productimages,databaseusages',
        ONECORE_OPENAPI_URL: 'http://127.0.0.1:9/none.json',
      },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('types every column from the stored rows, the same as the document would', async () => {
    const run = await runCli(['sync', '--mode', 'mirror'], stack.env);
    expect(run.code, run.stderr).toBe(0);
    expect(await columnsOf(stack, 'productimages')).toEqual({
      id: 'text',
      synced_at: TS,
      deleted_at: TS,
      // Inferred views list fields in name order (the rows do not keep the API's order).
      alt_text: 'text',
      created: TS,
      file_name: 'text',
      height: 'bigint',
      is_main: 'boolean',
      modified: TS,
      product_id: 'text',
      sort_order: 'bigint',
      url: 'text',
      width: 'bigint',
    });
    expect(await columnsOf(stack, 'orders')).toMatchObject({
      order_date: TS,
      delivery_date: 'date',
      totals__net: 'numeric',
      order_number: 'text',
      pickup_time: 'text',
      lines: 'jsonb',
      status: 'bigint',
    });
    expect(await columnsOf(stack, 'orders__lines')).toMatchObject({
      parent_id: 'text',
      position: 'bigint',
      quantity: 'bigint',
      delivered_at: TS,
    });
    expect(await columnsOf(stack, 'databaseusages')).toMatchObject({
      large_counter: 'bigint',
      database_size_mb: 'numeric',
    });
    const report = await runCli(['views', '--json', '--offline'], stack.env);
    expect(
      JSON.parse(report.stdout).map((r: { endpoint: string; source: string }) => `${r.endpoint}:${r.source}`),
    ).toEqual(['databaseusages:rows', 'orders:rows', 'productimages:rows']);
    const main = await one<{ n: string }>(
      stack,
      `select count(*) as n from onecore_typed.productimages where is_main and width > 0 and created <= now()`,
    );
    expect(Number(main.n)).toBeGreaterThan(0);
  });
});

describe('typed views refreshed by the worker', () => {
  let stack: Stack;
  let testQueue: TestQueue | undefined;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    const prefix = testQueuePrefix();
    stack = await startStack({
      sim: { records: 60, seed: 8 },
      env: { SYNC_QUEUE_PREFIX: prefix, ONECORE_ENDPOINTS: 'orders,invoices' },
    });
    testQueue = await openTestQueue(stack.config);
  });
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await testQueue?.close();
    await stack?.close();
  });

  it('after a mirror job the views exist, and a field added upstream appears after the next mirror', async () => {
    worker = await startWorker(stack.env);
    expect((await runCli(['trigger', 'mirror'], stack.env)).code).toBe(0);
    await sleepUntil(
      async () =>
        (await columnsOf(stack, 'invoices__lines')).line_no === 'bigint' &&
        (await columnsOf(stack, 'orders')).order_date === TS,
      { timeoutMs: 90_000, what: 'the worker to create the typed views' },
    );
    const id = (stack.sim.truth('orders') as Array<{ id: string }>)[0]!.id;
    stack.sim.update('orders', id, { rushOrder: true });
    expect((await runCli(['trigger', 'mirror', '--endpoint', 'orders'], stack.env)).code).toBe(0);
    await sleepUntil(async () => (await columnsOf(stack, 'orders')).rush_order === 'boolean', {
      timeoutMs: 90_000,
      what: 'the new column after the second mirror',
    });
    const row = await one(stack, `select rush_order from onecore_typed.orders where id = $1`, [id]);
    expect(row).toEqual({ rush_order: true });
    expect(worker.logs().filter((l) => l.msg === 'typed views refreshed').length).toBeGreaterThanOrEqual(3);
  });
});
