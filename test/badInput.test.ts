import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cursorQuery, parseNext } from '../src/onecore/page.js';
import { discoverEndpoints } from '../src/sync/discoverEndpoints.js';
import { quoteIdent } from '../src/db/quoteIdent.js';
import { runCli } from './helpers/cli.js';
import { compareWithSimulator, startStack, storedRows, type Stack } from './helpers/stack.js';

/**
 * Bad input from the API, the configuration or the command line: each gets a clear error or a
 * counted rejection, and no good data is lost.
 */
describe('bad API responses', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      sim: { records: 500, seed: 21 },
      env: { ONECORE_TIMEOUT_MS: '3000', ONECORE_RETRIES: '2' },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it.each(['malformed', 'html', 'empty', 'truncated'] as const)(
    'a page of %s body fails the walk clearly, keeps the pages before it, and the next run resumes',
    async (kind) => {
      const endpoint = { malformed: 'orders', html: 'products', empty: 'invoices', truncated: 'quotations' }[kind];
      // Every request from the third one on answers with the bad body, retries included.
      stack.sim.faults.set({ rate: 0, kinds: [kind] });
      for (let n = 3; n <= 6; n++) stack.sim.faults.once(kind, { endpoint, nth: n });
      const failed = await stack.walk(endpoint, 'incremental');
      expect(failed.status).toBe('failed');
      expect(failed.message).toMatch(/ProtocolError|not valid JSON|HTML|empty|no record array/i);
      expect(failed.pages).toBe(2);
      expect((await storedRows(stack.db, endpoint)).size).toBe(200);
      const run = await stack.db.pool.query(`select status, error from onecore_sync.sync_runs where id = $1`, [
        failed.runId,
      ]);
      expect(run.rows[0].status).toBe('failed');
      expect(run.rows[0].error).toBe(failed.message);

      stack.sim.faults.clear();
      stack.sim.resetStats();
      const resumed = await stack.walk(endpoint, 'incremental');
      expect(resumed.status).toBe('succeeded');
      expect(resumed.pages).toBe(3); // pages 3..5 only: resumed from the checkpoint
      expect(await compareWithSimulator(stack, endpoint)).toEqual([]);
    },
  );

  it('stores a 5 MB record, deep nesting, and leaves impossible date look-alikes as sent', async () => {
    const big = 'x'.repeat(5 * 1024 * 1024);
    let deep: Record<string, unknown> = { leaf: '2024-03-01T10:00:00+01:00' };
    for (let i = 0; i < 1000; i++) deep = { level: i, child: deep };
    const odd = {
      endOfDay: '2024-03-01T24:00:00',
      leapSecond: '2016-12-31T23:59:60Z',
      yearZero: '0000-01-01T00:00:00',
      year10000: '10000-01-01T00:00:00',
      noSuchDay: '2024-02-30T10:00:00',
    };
    stack.sim.insertRecord('shopusers', { id: 'big-1', blob: big, created: '2024-03-01T10:00:00+01:00' });
    stack.sim.insertRecord('shopusers', { id: 'deep-1', tree: deep });
    stack.sim.insertRecord('shopusers', { id: 'odd-1', ...odd });
    const r = await stack.walk('shopusers', 'incremental');
    expect(r.status).toBe('succeeded');
    expect(r.rejected).toBe(0);
    const rows = await stack.db.pool.query(
      `select id, length(data->>'blob') as blob, data->>'created' as created, data #>> '{tree,child,child,level}' as level, data - 'tree' - 'blob' as rest
         from onecore.shopusers where id in ('big-1', 'deep-1', 'odd-1') order by id`,
    );
    expect(rows.rows[0]).toMatchObject({ id: 'big-1', blob: 5 * 1024 * 1024, created: '2024-03-01T09:00:00Z' });
    expect(rows.rows[1]).toMatchObject({ id: 'deep-1', level: '997' });
    expect(rows.rows[2].rest).toEqual({ id: 'odd-1', ...odd });
    // The deepest leaf was normalized too.
    const leaf = await stack.db.pool.query(`select data::text as t from onecore.shopusers where id = 'deep-1'`);
    expect(leaf.rows[0].t).toContain('"leaf": "2024-03-01T09:00:00Z"');
    expect(await compareWithSimulator(stack, 'shopusers')).toEqual([]);
  });
});

describe('bad cursors and names', () => {
  it('cursors with &, #, %, spaces and base64 signs survive the round trip through next and the query string', () => {
    for (const cursor of ['a&b', 'a#b', '50%off', 'with space', 'ab+/cd==', 'ü&?=#%/']) {
      const query = cursorQuery(cursor);
      expect(query).not.toMatch(/[ #]/);
      expect(new URLSearchParams(query).get('after')).toBe(cursor);
      expect(parseNext(query)).toBe(cursor);
      expect(parseNext('?' + query)).toBe(cursor);
      expect(parseNext(`https://shop.example.com/api/v2/orders?${query}&pageSize=100`)).toBe(cursor);
    }
  });

  it('a --from cursor with URL metacharacters reaches the API intact and is refused cleanly', async () => {
    const stack = await startStack({ sim: { records: 10 } });
    try {
      const run = await runCli(
        ['sync', '--mode', 'backfill', '--endpoint', 'orders', '--from', 'a&b#c%d e'],
        stack.env,
      );
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/orders\s+backfill\s+failed/);
      const err = await stack.db.pool.query(
        `select error from onecore_sync.sync_runs where endpoint = 'orders' order by id desc limit 1`,
      );
      expect(err.rows[0].error).toMatch(/400/);
      expect(stack.sim.stats().badRequests).toBe(1);
    } finally {
      await stack.close();
    }
  });

  it('discovery skips routes whose names could break a URL or an identifier, and says why', () => {
    const doc = {
      paths: {
        '/api/v2/orders': { get: {} },
        '/api/v2/or"ders': { get: {} },
        '/api/v2/x;drop table y': { get: {} },
        '/api/v2/aufträge': { get: {} },
        '/api/v2/orders/{id}': { get: {} },
        '/api/v2/tokens/renewtokens': { post: {} },
      },
    };
    const found = discoverEndpoints(doc);
    expect(found.endpoints).toEqual(['orders']);
    expect(
      found.skipped
        .filter((s) => /name is not/.test(s.reason))
        .map((s) => s.path)
        .sort(),
    ).toEqual(['/api/v2/aufträge', '/api/v2/or"ders', '/api/v2/x;drop table y'].sort());
    expect(() => discoverEndpoints({ nope: 1 })).toThrow(/no "paths" object; set ONECORE_ENDPOINTS/);
  });

  it('identifiers are always quoted, so no name can be read as SQL', () => {
    expect(quoteIdent('orders')).toBe('"orders"');
    expect(quoteIdent('a"; drop table x; --')).toBe('"a""; drop table x; --"');
    expect(() => quoteIdent('')).toThrow();
    expect(() => quoteIdent('x'.repeat(64))).toThrow();
  });

  it.each([
    [['sync', '--mode', 'sideways'], /sync: --mode must be one of incremental, mirror, backfill/],
    [['sync', '--from', 'abc'], /--from only goes with --mode backfill/],
    [['sync', '--endpoint', 'or"ders'], /endpoint name "or\\"ders" is not valid/],
    [['sync', '--bogus'], /Unknown option '--bogus'/],
    [['sync', 'extra'], /Unexpected argument 'extra'/i],
    [['simulate', '--port', 'http'], /--port must be a whole number/],
    [['simulate', '--latency-ms', '1e9'], /--latency-ms must be a whole number from 0/],
    [['simulate', '--jitter-ms', 'lots'], /--jitter-ms must be a whole number from 0/],
    [['sync', '--concurrency', '0'], /--concurrency must be a whole number from 1 to 16/],
  ])('the CLI refuses %j with one line and exit 2', async (args, message) => {
    const r = await runCli(args, {
      ONECORE_BASE_URL: 'http://127.0.0.1:1',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
