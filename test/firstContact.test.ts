/**
 * First contact with a shop that differs from what we assumed: each wrong assumption either
 * works (detected) or fails loud — never a walk that ends `succeeded` with wrong or no data.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import type { EnvelopeOptions } from '../src/simulator/index.js';
import { compareWithSimulator, startStack, storedRows, type Stack } from './helpers/stack.js';
import { walkEndpoint } from '../src/sync/walkEndpoint.js';
import { discoverEndpoints, MAX_DISCOVERED_ENDPOINTS } from '../src/sync/discoverEndpoints.js';

const open: Stack[] = [];
async function stackWith(...args: Parameters<typeof startStack>): Promise<Stack> {
  const s = await startStack(...args);
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

function configFile(content: unknown): string {
  const path = join(tmpdir(), `ocs-config-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('key field', () => {
  it('finds the singular + Id key (InvoiceId) when records have no id, in both dialects', async () => {
    for (const dialect of ['camel', 'pascal'] as const) {
      const stack = await stackWith({ sim: { records: 120, dialect, keyFields: { invoices: 'InvoiceId' } } });
      const r = await stack.walk('invoices', 'mirror');
      expect(r, dialect).toMatchObject({ status: 'succeeded', inserted: 120, rejected: 0 });
      expect(await compareWithSimulator(stack, 'invoices'), dialect).toEqual([]);
    }
  });

  it('fails the walk with exit code 1, naming the candidate fields and the option, when no key is found', async () => {
    const stack = await stackWith({ sim: { records: 50, keyFields: { orders: 'OrderRef' } } });
    const run = await runCli(['sync', '--mode', 'mirror', '--endpoint', 'orders'], stack.env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/orders\s+mirror\s+failed/);
    const runs = await stack.db.pool.query(
      `select status, error, inserted, rejected from onecore_sync.sync_runs where endpoint = 'orders'`,
    );
    expect(runs.rows).toHaveLength(1);
    expect(runs.rows[0]).toMatchObject({ status: 'failed', inserted: '0', rejected: '0' });
    expect(runs.rows[0].error).toMatch(/no key field: none holds a string or integer in "id" or "orderId"/);
    expect(runs.rows[0].error).toMatch(/candidate fields: OrderRef, orderNumber/);
    expect(runs.rows[0].error).toMatch(/keyField.*ONECORE_CONFIG_FILE/);
    // The operator names the field: the walk succeeds.
    const fixed = await runCli(['sync', '--mode', 'mirror', '--endpoint', 'orders'], {
      ...stack.env,
      ONECORE_CONFIG_FILE: configFile({ endpoints: { orders: { keyField: 'orderref' } } }),
    });
    expect(fixed.code).toBe(0);
    expect((await storedRows(stack.db, 'orders')).size).toBe(50);
  });

  it('a configured keyField that no record holds fails the walk', async () => {
    const stack = await stackWith({ sim: { records: 30 }, env: {} });
    const run = await runCli(['sync', '--endpoint', 'products'], {
      ...stack.env,
      ONECORE_CONFIG_FILE: configFile({ endpoints: { products: { keyField: 'productId' } } }),
    });
    expect(run.code).toBe(1);
    const err = await stack.db.pool.query(
      `select status, error from onecore_sync.sync_runs where endpoint = 'products'`,
    );
    expect(err.rows[0].status).toBe('failed');
    expect(err.rows[0].error).toMatch(/configured keyField "productId".*candidate fields: id/);
  });

  it('a walk in which every record was rejected is not succeeded', async () => {
    const stack = await stackWith({ sim: { records: { shopusers: 0 } } });
    stack.sim.insertRecord('shopusers', 'not a record');
    stack.sim.insertRecord('shopusers', { id: 'x', text: 'a\u0000b' });
    const r = await stack.walk('shopusers', 'incremental');
    expect(r.status).toBe('failed');
    expect(r.message).toMatch(/every one of the 2 records of this walk was rejected/);
    const rej = await stack.db.pool.query(
      `select count(*)::int as n from onecore_sync.rejected_records where endpoint = 'shopusers'`,
    );
    expect(rej.rows[0].n).toBe(2);
  });
});

describe('envelopes: a mirror and an incremental run are exact with each page shape', () => {
  const variants: Array<[string, EnvelopeOptions, Record<string, unknown>?]> = [
    [
      'records under result.items, metadata under meta, bare cursor in next',
      { recordsKey: 'result.items', metaKey: 'meta', next: 'cursor' },
    ],
    [
      'dotted recordsKey from the config file',
      { recordsKey: 'payload.rows', metaKey: 'pagination' },
      { recordsKey: 'payload.rows' },
    ],
    ['pagination.nextCursor', { metaKey: 'pagination', nextKey: 'nextCursor' }],
    ['pageInfo.hasNextPage + endCursor', { metaKey: 'pageInfo', nextKey: 'endCursor' }],
    ['RFC 8288 Link header', { links: 'header' }],
    ['full-URL next links', { next: 'url', casing: 'pascal' }],
    ['a bare JSON array (one complete page)', { bare: true }],
  ];
  it.each(variants)('%s', async (_name, envelope, options) => {
    const stack = await stackWith({
      sim: { records: { orders: 230 }, envelope },
      env: options ? { ONECORE_CONFIG_FILE: configFile({ endpoints: { orders: options } }) } : {},
    });
    const m = await stack.walk('orders', 'mirror');
    expect(m).toMatchObject({ status: 'succeeded', inserted: 230, pages: envelope.bare ? 1 : 3 });
    stack.sim.insert('orders', 40);
    const inc = await stack.walk('orders', 'incremental');
    expect(inc).toMatchObject({ status: 'succeeded', inserted: 40 });
    expect(await compareWithSimulator(stack, 'orders')).toEqual([]);
  });
});

describe('newest-first listings', () => {
  it('detected: incremental runs walk from the start until a page holds nothing new, within new ÷ page size + 2 requests; the mirror is unaffected', async () => {
    const stack = await stackWith({ sim: { records: { orders: 250 }, order: 'newest-first' } });
    const first = await stack.walk('orders', 'incremental');
    expect(first).toMatchObject({ status: 'succeeded', inserted: 250 });
    expect(await compareWithSimulator(stack, 'orders')).toEqual([]);
    for (const fresh of [0, 30, 100, 230]) {
      stack.sim.insert('orders', fresh);
      stack.sim.resetStats();
      const r = await stack.walk('orders', 'incremental');
      expect(r, `${fresh} new`).toMatchObject({ status: 'succeeded', inserted: fresh, updated: 0 });
      expect(stack.sim.stats().requests.orders, `${fresh} new`).toBeLessThanOrEqual(fresh / 100 + 2);
      expect(await compareWithSimulator(stack, 'orders')).toEqual([]);
    }
    // A mirror still sees everything and marks what is gone.
    const gone = (stack.sim.truth('orders')[5] as { id: string }).id;
    stack.sim.remove('orders', gone);
    const m = await stack.walk('orders', 'mirror');
    expect(m).toMatchObject({ status: 'succeeded', deleted: 1 });
    stack.sim.insert('orders', 3);
    const after = await stack.walk('orders', 'incremental');
    expect(after).toMatchObject({ status: 'succeeded', inserted: 3 });
    expect(await compareWithSimulator(stack, 'orders')).toEqual([]);
  });

  it('detected on the page of a stored cursor: the run starts again at the head instead of seeing nothing new', async () => {
    const stack = await stackWith({ sim: { records: { orders: 250 }, order: 'newest-first' } });
    // A mirror leaves the incremental cursor at the end of the listing (the oldest records here).
    await stack.walk('orders', 'mirror');
    stack.sim.insert('orders', 20);
    const r = await stack.walk('orders', 'incremental');
    expect(r).toMatchObject({ status: 'succeeded', inserted: 20 });
    expect(await compareWithSimulator(stack, 'orders')).toEqual([]);
  });

  it('configured with order: "newest-first", in the pascal dialect; a run stopped half-way is finished first', async () => {
    const stack = await stackWith({
      sim: { records: { orders: 120 }, order: 'newest-first', dialect: 'pascal' },
      env: { ONECORE_CONFIG_FILE: configFile({ endpoints: { orders: { order: 'newest-first' } } }) },
    });
    expect((await stack.walk('orders', 'incremental')).inserted).toBe(120);
    stack.sim.insert('orders', 250);
    // Half-way: a walk interrupted after its first page (as a crash would leave it).
    const ac = new AbortController();
    const walk = walkEndpoint(
      { endpoint: 'orders', mode: 'incremental', order: 'newest-first' },
      {
        pool: stack.db.pool,
        pages: stack.api().pages,
        log: stack.log,
        maxDeleteShare: 0.5,
        signal: ac.signal,
        onProgress: () => ac.abort(new Error('stop')),
      },
    );
    await expect(walk).rejects.toThrow();
    const stored = (await storedRows(stack.db, 'orders')).size;
    expect(stored).toBeGreaterThan(120);
    expect(stored).toBeLessThan(370);
    const r = await stack.walk('orders', 'incremental');
    expect(r.status).toBe('succeeded');
    expect(await compareWithSimulator(stack, 'orders')).toEqual([]);
  });
});

describe('redirects and error bodies', () => {
  /** A tiny shop that answers renewals and redirects everything else, counting what it receives. */
  async function redirectingShop(location: (path: string) => string, status = 301) {
    const seen: Array<{ path: string; auth: string | undefined }> = [];
    const server = createServer((req, res) => {
      seen.push({ path: req.url ?? '', auth: req.headers.authorization });
      if (req.method === 'POST' && /renewtokens/i.test(req.url ?? '')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({
            refreshToken: 'redirect-test-refresh-0001',
            accessToken: 'redirect-test-access-0001',
            expiresIn: 3600,
          }),
        );
      }
      res.writeHead(status, { location: location(req.url ?? '/') });
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    return {
      url: `http://127.0.0.1:${port}`,
      seen,
      port,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }

  it('an http → https redirect fails in one line naming the Location and the corrected ONECORE_BASE_URL', async () => {
    const stack = await stackWith({ sim: { records: 1 } });
    const shop = await redirectingShop((path) => `https://127.0.0.1:PORT${path}`.replace('PORT', '8443'), 308);
    try {
      const run = await runCli(['sync', '--endpoint', 'orders'], {
        ...stack.env,
        ONECORE_BASE_URL: shop.url,
        ONECORE_REFRESH_TOKEN: 'redirect-test-refresh-0001',
        ONECORE_RETRIES: '0',
      });
      expect(run.code).toBe(1);
      const err = await stack.db.pool.query(`select error from onecore_sync.sync_runs where endpoint = 'orders'`);
      expect(err.rows[0].error).toMatch(
        /308 redirecting to https:\/\/127\.0\.0\.1:8443\/api\/v2\/orders; the shop wants HTTPS: set ONECORE_BASE_URL=https:\/\/127\.0\.0\.1:8443$/,
      );
      expect(run.stdout + run.stderr).not.toContain('redirect-test-access-0001');
    } finally {
      await shop.close();
    }
  });

  it('a redirect to another origin is not followed: the token never reaches it', async () => {
    const stack = await stackWith({ sim: { records: 1 } });
    const elsewhere = await redirectingShop(() => '/nowhere', 404);
    const shop = await redirectingShop((path) => `${elsewhere.url}${path}`, 302);
    try {
      const run = await runCli(['sync', '--endpoint', 'orders'], {
        ...stack.env,
        ONECORE_BASE_URL: shop.url,
        ONECORE_REFRESH_TOKEN: 'redirect-test-refresh-0001',
        ONECORE_RETRIES: '0',
      });
      expect(run.code).toBe(1);
      const err = await stack.db.pool.query(`select error from onecore_sync.sync_runs where endpoint = 'orders'`);
      expect(err.rows[0].error).toContain(`302 redirecting to ${elsewhere.url}/api/v2/orders; check ONECORE_BASE_URL`);
      expect(elsewhere.seen).toEqual([]);
      // An OpenAPI document on another origin is fetched without the token.
      const listed = await runCli(['endpoints'], {
        ...stack.env,
        ONECORE_OPENAPI_URL: `${elsewhere.url}/swagger.json`,
      });
      expect(listed.code).toBe(1);
      expect(elsewhere.seen.length).toBeGreaterThan(0);
      expect(elsewhere.seen.every((r) => r.auth === undefined)).toBe(true);
    } finally {
      await shop.close();
      await elsewhere.close();
    }
  });

  it('ASP.NET problem details are read into the error message', async () => {
    const stack = await stackWith({ sim: { records: 10, dialect: 'pascal' } });
    const run = await runCli(
      ['sync', '--mode', 'backfill', '--endpoint', 'orders', '--from', 'not-a-cursor'],
      stack.env,
    );
    expect(run.code).toBe(1);
    const err = await stack.db.pool.query(`select error from onecore_sync.sync_runs where endpoint = 'orders'`);
    expect(err.rows[0].error).toBe(
      'BadRequest: orders: 400 Bad Request — One or more validation errors occurred. — after: The cursor is invalid.',
    );
  });
});

describe('ONECORE_NAIVE_TZ', () => {
  it('stores date-times without an offset as instants in the configured zone', async () => {
    const stack = await stackWith({ sim: { records: { orders: 0 } }, env: { ONECORE_NAIVE_TZ: 'Europe/Zurich' } });
    stack.sim.insertRecord('orders', {
      id: 'tz-1',
      created: '2024-07-01T10:00:00.1234567',
      modified: '2024-07-01T10:00:00+02:00',
      day: '2024-07-01',
    });
    stack.sim.insertRecord('orders', {
      id: 'tz-2',
      created: '2024-01-15T10:00:00',
      modified: '2024-01-15T10:00:00Z',
      day: '2024-01-15',
    });
    expect((await stack.walk('orders', 'mirror')).status).toBe('succeeded');
    const rows = await storedRows(stack.db, 'orders');
    expect(rows.get('tz-1')).toEqual({
      id: 'tz-1',
      created: '2024-07-01T08:00:00.123456Z',
      modified: '2024-07-01T08:00:00Z',
      day: '2024-07-01',
    });
    expect(rows.get('tz-2')).toEqual({
      id: 'tz-2',
      created: '2024-01-15T09:00:00Z',
      modified: '2024-01-15T10:00:00Z',
      day: '2024-01-15',
    });
  });
});

describe('discovery', () => {
  const page = {
    responses: {
      '200': {
        content: {
          'application/json': {
            schema: { type: 'object', properties: { items: { type: 'array' }, metadata: { type: 'object' } } },
          },
        },
      },
    },
  };
  it('reads paths under OpenAPI 3 servers (with variables), Swagger 2 basePath, and /api/v{version}/ templates', () => {
    expect(
      discoverEndpoints({
        servers: [{ url: 'https://shop.example.com/api/v2' }],
        paths: { '/orders': { get: page }, '/orders/{id}': { get: {} } },
      }),
    ).toMatchObject({ endpoints: ['orders'] });
    expect(
      discoverEndpoints({
        servers: [
          { url: '{scheme}://shop/api/v{v}', variables: { scheme: { default: 'https' }, v: { default: '2' } } },
        ],
        paths: { '/quotations': { get: page } },
      }).endpoints,
    ).toEqual(['quotations']);
    expect(
      discoverEndpoints({ swagger: '2.0', basePath: '/api/v2', paths: { '/products': { get: {} } } }).endpoints,
    ).toEqual(['products']);
    expect(
      discoverEndpoints({
        paths: {
          '/api/v{version}/shopusers': { get: { parameters: [{ name: 'version', in: 'path' }] } },
          '/api/v1/orders': { get: {} },
        },
      }).endpoints,
    ).toEqual(['shopusers']);
    // a bare-array list is a list (one complete page)
    expect(
      discoverEndpoints({
        paths: { '/api/v2/productimages': { get: { responses: { '200': { schema: { type: 'array', items: {} } } } } } },
      }).endpoints,
    ).toEqual(['productimages']);
  });

  it('lists the parameterized routes it skipped, and caps the number of endpoints', () => {
    const found = discoverEndpoints({
      paths: {
        '/api/v2/orders': { get: page },
        '/api/v2/orders/{id}/details': { get: {} },
        '/api/v{version}/ordershipments/{orderId}/list': { get: {} },
      },
    });
    expect(found.skipped).toEqual([
      { path: '/api/v2/orders/{id}/details', reason: 'has path parameters (a detail route), not a list' },
      {
        path: '/api/v{version}/ordershipments/{orderId}/list',
        reason: expect.stringMatching(/per-parent list .*"path" and "parent"/),
      },
    ]);
    const many = Object.fromEntries(
      Array.from({ length: 250 }, (_, i) => [`/api/v2/list${String(i).padStart(3, '0')}`, { get: {} }]),
    );
    const capped = discoverEndpoints({ paths: many });
    expect(capped.endpoints).toHaveLength(MAX_DISCOVERED_ENDPOINTS);
    expect(capped.capped).toBe(250);
  });

  it('`endpoints` shows the skipped routes; a capped discovery warns', async () => {
    const stack = await stackWith({ sim: { records: 1 } });
    const run = await runCli(['endpoints'], stack.env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/skipped routes/);
    expect(run.stdout).toMatch(/\/api\/v2\/orders\/\{id\}\/details\s+has path parameters/);
  });
});

describe('per-parent lists', () => {
  it('walk once per parent with their own cursors, store the parent key, skip and count a parent that is gone; both dialects', async () => {
    for (const dialect of ['camel', 'pascal'] as const) {
      const config = configFile({
        endpoints: { orders: {}, ordershipments: { path: 'ordershipments/{orderId}/list', parent: 'orders' } },
      });
      const stack = await stackWith({
        sim: { records: { orders: 25, ordershipments: 80 }, dialect },
        env: { ONECORE_CONFIG_FILE: config },
      });
      const sync = await runCli(['sync', '--mode', 'mirror'], stack.env);
      expect(sync.code, `${dialect}: ${sync.stdout}${sync.stderr}`).toBe(0);
      expect(await compareWithSimulator(stack, 'ordershipments'), dialect).toEqual([]);
      const refField = dialect === 'pascal' ? 'OrderId' : 'orderId';
      const keyField = dialect === 'pascal' ? 'Id' : 'id';
      const parents = await stack.db.pool.query(`select id, parent_id from onecore.ordershipments`);
      const truth = new Map(
        (stack.sim.truth('ordershipments') as Array<Record<string, unknown>>).map((r) => [
          String(r[keyField]),
          String(r[refField]),
        ]),
      );
      for (const row of parents.rows) expect(row.parent_id, `${dialect} ${row.id}`).toBe(truth.get(row.id));
      // Cursors name the parent: the mirror's checkpoint ends on the last parent.
      const cp = await stack.db.pool.query(
        `select cursor from onecore_sync.checkpoints where endpoint = 'ordershipments' and mode = 'mirror'`,
      );
      expect(JSON.parse(cp.rows[0].cursor)[0]).toBe(
        (await stack.db.pool.query(`select max(id collate "C") as m from onecore.orders`)).rows[0].m,
      );

      // An order removed upstream but still stored: its list answers 404, skipped and counted.
      const gone = String((stack.sim.truth('orders')[3] as Record<string, unknown>)[keyField]);
      stack.sim.remove('orders', gone);
      const fresh = stack.sim.insert('ordershipments', 6);
      const r = await stack.walk('ordershipments', 'incremental');
      expect(r.status, dialect).toBe('succeeded');
      expect(r.message, dialect).toBe('1 parent(s) gone (404) were skipped');
      expect(r.inserted, dialect).toBe(fresh.filter((f) => String(f[refField]) !== gone).length);
    }
  });

  it('config: path needs one placeholder and a parent', async () => {
    const stack = await stackWith({ sim: { records: 1 } });
    const bad = await runCli(['endpoints'], {
      ...stack.env,
      ONECORE_CONFIG_FILE: configFile({
        endpoints: { ordershipments: { path: 'ordershipments/list', parent: 'orders' } },
      }),
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /endpoints.ordershipments.path must be a path under \/api\/v2\/ with one \{placeholder\}/,
    );
  });
});
