import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareWithSimulator, startStack, type Stack } from './helpers/stack.js';
import { runCli } from './helpers/cli.js';

/**
 * Exactness: nothing a shop sends is silently changed, dropped, or allowed to block an endpoint.
 * Every case is served by the simulator over HTTP (records as their exact JSON text or bytes when
 * JavaScript could not even hold them) and checked in Postgres.
 */

describe('numbers exactly as sent', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sim: { records: 150, seed: 31 } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('stores .NET decimal and long values, 1e400 and long integer keys with the value sent, dates still in UTC', async () => {
    stack.sim.insertRecordText(
      'orders',
      '{"id":"num-1","decimalMax":79228162514264337593543950335,"long":9223372036854775806,"fraction":0.1234567890123456789012345678,' +
        '"huge":1e400,"tiny":-2.5E-400,"price":12.5,"qty":3,"nested":{"list":[18446744073709551615,1.0000000000000001]},"created":"2024-03-01T10:00:00+01:00"}',
    );
    // A .NET long as the key: beyond 2^53, a double would make it another record's key.
    stack.sim.insertRecordText('orders', '{"id":9223372036854775807,"note":"long key"}');
    stack.sim.insertRecordText('orders', '{"id":9223372036854775806,"note":"its neighbour"}');
    const r = await stack.walk('orders', 'incremental');
    expect(r.status).toBe('succeeded');
    expect(r.rejected).toBe(0);
    const { rows } = await stack.db.pool.query(
      `select data->'decimalMax' = '79228162514264337593543950335'::jsonb as decimal_max,
              data->'long' = '9223372036854775806'::jsonb as long,
              data->'fraction' = '0.1234567890123456789012345678'::jsonb as fraction,
              (data->>'huge')::numeric = 1e400 as huge,
              (data->>'tiny')::numeric = -2.5e-400 as tiny,
              data #> '{nested,list}' = '[18446744073709551615, 1.0000000000000001]'::jsonb as nested,
              data->>'decimalMax' as decimal_text, data->>'price' as price, data->>'created' as created
         from onecore.orders where id = 'num-1'`,
    );
    expect(rows[0]).toEqual({
      decimal_max: true,
      long: true,
      fraction: true,
      huge: true,
      tiny: true,
      nested: true,
      decimal_text: '79228162514264337593543950335',
      price: '12.5',
      created: '2024-03-01T09:00:00Z',
    });
    const keys = await stack.db.pool.query(
      `select id, data->>'note' as note from onecore.orders where id like '92233720368547758%' order by id`,
    );
    expect(keys.rows).toEqual([
      { id: '9223372036854775806', note: 'its neighbour' },
      { id: '9223372036854775807', note: 'long key' },
    ]);
    // Re-reading the same page rewrites nothing: the exact values compare equal.
    const again = await stack.walk('orders', 'incremental');
    expect(again).toMatchObject({ status: 'succeeded', inserted: 0, updated: 0 });
  });
});

describe('records Postgres refuses never fail their page', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sim: { records: 150, seed: 32 } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('a lone surrogate, a 3,000-byte key and 10,000 levels of nesting are rejected with the reason; the page and its checkpoint commit', async () => {
    // 1,000 different CJK characters: 3,000 bytes of UTF-8 that do not compress below the btree limit.
    const longKey = Array.from({ length: 1000 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 20000))).join(
      '',
    );
    const deep =
      '{"id":"deep-1","tree":' + '['.repeat(10_000) + '"2024-03-01T10:00:00+01:00"' + ']'.repeat(10_000) + '}';
    stack.sim.insertRecordText('quotations', '{"id":"sur-1","name":"half a pair: \\ud800!"}');
    stack.sim.insertRecordText('quotations', JSON.stringify({ id: longKey, name: 'long key' }));
    stack.sim.insertRecordText('quotations', deep);
    stack.sim.insertRecord('quotations', { id: 'fine-after', name: 'stored' });
    const r = await stack.walk('quotations', 'incremental');
    expect(r.status).toBe('succeeded');
    expect(r.rejected).toBe(3);
    expect(r.recordsSeen).toBe(154);
    const stored = await stack.db.pool.query(
      `select count(*)::int as n, count(*) filter (where id = 'fine-after')::int as fine from onecore.quotations`,
    );
    expect(stored.rows[0]).toEqual({ n: 151, fine: 1 });
    const rej = await stack.db.pool.query(
      `select reason, record_key, raw from onecore_sync.rejected_records where endpoint = 'quotations' order by id`,
    );
    expect(rej.rows.map((x) => [x.reason, x.record_key])).toEqual([
      [
        'contains a lone UTF-16 surrogate (e.g. \\ud800), which is not Unicode text and PostgreSQL jsonb cannot store',
        'sur-1',
      ],
      ['key longer than 2048 bytes (UTF-8), more than a PostgreSQL index holds', null],
      ['nested too deeply to serialize (JSON.stringify gives up a few thousand levels down)', 'deep-1'],
    ]);
    expect(rej.rows[0].raw).toBe('{"id":"sur-1","name":"half a pair: \\ud800!"}');
    expect(JSON.parse(rej.rows[1].raw).id).toBe(longKey);
    // The deep record is kept whole, as sent (its date not rewritten).
    expect(rej.rows[2].raw).toBe(deep);
    const run = await stack.db.pool.query(`select rejected, records_seen from onecore_sync.sync_runs where id = $1`, [
      r.runId,
    ]);
    expect(run.rows[0]).toEqual({ rejected: '3', records_seen: '154' });
    const cp = await stack.db.pool.query(
      `select cursor from onecore_sync.checkpoints where endpoint = 'quotations' and mode = 'incremental'`,
    );
    expect(cp.rows[0].cursor).toBe(r.cursorEnd);

    // The next run re-reads that page: counted again, not inserted again.
    const again = await stack.walk('quotations', 'incremental');
    expect(again).toMatchObject({ status: 'succeeded', rejected: 3 });
    const count = await stack.db.pool.query(
      `select count(*)::int as n, count(last_seen_at)::int as again from onecore_sync.rejected_records where endpoint = 'quotations'`,
    );
    expect(count.rows[0]).toEqual({ n: 3, again: 3 });
  });

  it('a live record that becomes unstorable is counted as seen by the mirror, not marked deleted', async () => {
    const first = await stack.walk('invoices', 'mirror');
    expect(first.status).toBe('succeeded');
    const [a] = stack.sim.truth('invoices') as Array<{ id: string }>;
    stack.sim.update('invoices', a!.id, { note: 'gained a NUL: \u0000' });
    const m = await stack.walk('invoices', 'mirror');
    expect(m).toMatchObject({ rejected: 1, deleted: 0 });
    const row = await stack.db.pool.query(`select deleted_at from onecore.invoices where id = $1`, [a!.id]);
    expect(row.rows[0].deleted_at).toBeNull();
    const rej = await stack.db.pool.query(
      `select reason, record_key from onecore_sync.rejected_records where endpoint = 'invoices'`,
    );
    expect(rej.rows).toEqual([{ reason: 'contains \\u0000, which PostgreSQL jsonb cannot store', record_key: a!.id }]);
  });
});

describe('characters the database encoding cannot hold', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sim: { records: { products: 0 }, seed: 33 }, dbEncoding: 'LATIN1' });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('are isolated by Postgres itself: the refused records land in rejected_records with its message, the rest and the checkpoint commit', async () => {
    for (let i = 1; i <= 120; i++) {
      const name = i === 7 ? 'Euro € sign' : i === 99 ? '日本語' : `Produkt Nr. ${i} Größe`;
      stack.sim.insertRecord('products', { id: `p-${i}`, name });
    }
    const r = await stack.walk('products', 'mirror');
    expect(r.status).toBe('succeeded');
    expect(r.rejected).toBe(2);
    const stored = await stack.db.pool.query(
      `select count(*)::int as n, max(data->>'name') filter (where id = 'p-1') as name from onecore.products`,
    );
    expect(stored.rows[0]).toEqual({ n: 118, name: 'Produkt Nr. 1 Größe' });
    const rej = await stack.db.pool.query(
      `select reason, record_key, detail, raw from onecore_sync.rejected_records where endpoint = 'products' order by record_key`,
    );
    expect(rej.rows.map((x) => [x.reason, x.record_key])).toEqual([
      ['refused by PostgreSQL', 'p-7'],
      ['refused by PostgreSQL', 'p-99'],
    ]);
    expect(rej.rows[0].detail).toMatch(/has no equivalent in encoding "LATIN1".*SQLSTATE 22P05/);
    // Kept losslessly in an encoding that cannot hold it: as JSON escapes.
    expect(JSON.parse(rej.rows[0].raw)).toEqual({ id: 'p-7', name: 'Euro € sign' });
    const run = await stack.db.pool.query(`select status, rejected, pages from onecore_sync.sync_runs where id = $1`, [
      r.runId,
    ]);
    expect(run.rows[0]).toEqual({ status: 'succeeded', rejected: '2', pages: 2 });
    // A second mirror: still rejected, counted, not inserted again, and nothing marked deleted.
    const again = await stack.walk('products', 'mirror');
    expect(again).toMatchObject({ status: 'succeeded', rejected: 2, deleted: 0 });
    const n = await stack.db.pool.query(`select count(*)::int as n from onecore_sync.rejected_records`);
    expect(n.rows[0].n).toBe(2);
  });
});

describe('a newest-first page that Postgres refuses whole', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      sim: { records: { products: 0 }, seed: 34, order: 'newest-first' },
      dbEncoding: 'LATIN1',
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('does not end the incremental run: the new records behind it are stored', async () => {
    for (let i = 1; i <= 150; i++) stack.sim.insertRecord('products', { id: `p-${i}`, name: `Produkt ${i}` });
    expect(await stack.walk('products', 'incremental')).toMatchObject({ status: 'succeeded', inserted: 150 });
    // 50 storable new records, then 100 newer ones (the whole head page) the database cannot hold.
    for (let i = 151; i <= 200; i++) stack.sim.insertRecord('products', { id: `p-${i}`, name: `Produkt ${i}` });
    for (let i = 201; i <= 300; i++) stack.sim.insertRecord('products', { id: `p-${i}`, name: `Euro € ${i}` });
    const r = await stack.walk('products', 'incremental');
    expect(r).toMatchObject({ status: 'succeeded', inserted: 50, rejected: 100 });
    const n = await stack.db.pool.query(`select count(*)::int as n from onecore.products`);
    expect(n.rows[0].n).toBe(200);
    // The next run re-reads the refused page, finds nothing new behind it, and stops.
    for (let i = 301; i <= 310; i++) stack.sim.insertRecord('products', { id: `p-${i}`, name: `Produkt ${i}` });
    expect(await stack.walk('products', 'incremental')).toMatchObject({ status: 'succeeded', inserted: 10 });
  });
});

describe('bytes as sent: the declared charset', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      sim: { records: { orders: 0, products: 0, shopusers: 0, invoices: 0, quotations: 0 }, seed: 34 },
      env: { ONECORE_RETRIES: '1', ONECORE_TIMEOUT_MS: '5000' },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('decodes iso-8859-1, windows-1252 and utf-16 bodies by their declared charset', async () => {
    stack.sim.setCharset('orders', { declare: 'iso-8859-1', encode: 'latin1' });
    stack.sim.insertRecord('orders', { id: 'l-1', name: 'Müller Straße, café' });
    stack.sim.setCharset('products', { declare: 'windows-1252' });
    stack.sim.insertRecordText(
      'products',
      Buffer.concat([
        Buffer.from('{"id":"w-1","price":"12 '),
        Buffer.from([0x80]),
        Buffer.from(' caf'),
        Buffer.from([0xe9]),
        Buffer.from('"}'),
      ]),
    );
    stack.sim.setCharset('shopusers', { declare: 'utf-16', encode: 'utf16le' });
    stack.sim.insertRecord('shopusers', { id: 'u-1', name: '日本語 € 😀' });
    for (const endpoint of ['orders', 'products', 'shopusers']) {
      expect((await stack.walk(endpoint, 'incremental')).status, endpoint).toBe('succeeded');
    }
    const rows = await stack.db.pool.query(
      `select data->>'name' as v from onecore.orders union all select data->>'price' from onecore.products union all select data->>'name' from onecore.shopusers`,
    );
    expect(rows.rows.map((r) => r.v)).toEqual(['Müller Straße, café', '12 € café', '日本語 € 😀']);
    expect(await compareWithSimulator(stack, 'orders')).toEqual([]);
  });

  it('a body that is not valid UTF-8 fails its page with a clear error instead of storing U+FFFD', async () => {
    stack.sim.insertRecord('invoices', { id: 'i-1', name: 'fine' });
    stack.sim.insertRecordText(
      'invoices',
      Buffer.concat([Buffer.from('{"id":"i-2","name":"Caf'), Buffer.from([0xe9]), Buffer.from('"}')]),
    );
    const r = await stack.walk('invoices', 'incremental');
    expect(r.status).toBe('failed');
    expect(r.message).toMatch(/not valid UTF-8 .*byte 0xe9 at offset \d+, after ".*Caf"/);
    const n = await stack.db.pool.query(`select count(*)::int as n from onecore.invoices`);
    expect(n.rows[0].n).toBe(0);
    const run = await stack.db.pool.query(`select error from onecore_sync.sync_runs where id = $1`, [r.runId]);
    expect(run.rows[0].error).toMatch(/not valid UTF-8/);
  });

  it('a charset nobody can decode fails its page and says which', async () => {
    stack.sim.setCharset('quotations', { declare: 'x-klingon' });
    stack.sim.insertRecord('quotations', { id: 'q-1' });
    const r = await stack.walk('quotations', 'incremental');
    expect(r.status).toBe('failed');
    expect(r.message).toMatch(/declares charset=x-klingon, which this client cannot decode/);
  });
});

describe('a listing that ends early is not the truth', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sim: { records: 250, seed: 35 } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('a mirror whose listing stops at 75 % marks nothing deleted and says why in sync_runs, status, the log and the exit code', async () => {
    expect((await stack.walk('products', 'mirror')).status).toBe('succeeded');
    stack.sim.limitListing('products', 188);
    const run = await runCli(['sync', '--mode', 'mirror', '--endpoint', 'products'], stack.env, { timeoutMs: 120_000 });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/products\s+mirror\s+incomplete/);
    expect(run.stderr).toMatch(/listing ended early/);
    const runs = await stack.db.pool.query(
      `select status, deleted, error from onecore_sync.sync_runs where endpoint = 'products' order by id desc limit 1`,
    );
    expect(runs.rows[0]).toMatchObject({
      status: 'incomplete',
      deleted: '0',
      error: expect.stringMatching(
        /listing ended early: the mirror did not see the last 62 of the 100 live records the previous complete walk reached last/,
      ),
    });
    const live = await stack.db.pool.query(`select count(*)::int as n from onecore.products where deleted_at is null`);
    expect(live.rows[0].n).toBe(250);
    const status = await runCli(['status'], stack.env);
    expect(status.stdout).toMatch(/products .*mirror incomplete.*listing ended early/);

    // The whole listing again: nothing was lost, nothing is deleted.
    stack.sim.limitListing('products', null);
    const full = await stack.walk('products', 'mirror');
    expect(full).toMatchObject({ status: 'succeeded', deleted: 0 });
    expect(await compareWithSimulator(stack, 'products')).toEqual([]);
  });

  it('MIRROR_MAX_DELETE_SHARE holds across consecutive runs: short listings cannot ratchet the table down', async () => {
    expect((await stack.walk('invoices', 'mirror', { maxDeleteShare: 0.5 })).status).toBe('succeeded');
    const ids = (stack.sim.truth('invoices') as Array<{ id: string }>).map((r) => r.id);
    // 30 % gone (from the front, so the listing still reaches its end): under the cap, marked.
    for (const id of ids.slice(0, 75)) stack.sim.remove('invoices', id);
    const first = await stack.walk('invoices', 'mirror', { maxDeleteShare: 0.5 });
    expect(first).toMatchObject({ status: 'succeeded', deleted: 75 });
    // Another 30 % of what is left: alone it is under the cap, but with the first it is more than half of 250.
    for (const id of ids.slice(75, 128)) stack.sim.remove('invoices', id);
    const second = await stack.walk('invoices', 'mirror', { maxDeleteShare: 0.5 });
    expect(second).toMatchObject({ status: 'incomplete', deleted: 0 });
    expect(second.message).toMatch(
      /deletions refused: the mirror would mark 53 of 175 live records deleted, leaving 122, fewer than \(1 − MIRROR_MAX_DELETE_SHARE=0.5\) × 250/,
    );
    const live = await stack.db.pool.query(`select count(*)::int as n from onecore.invoices where deleted_at is null`);
    expect(live.rows[0].n).toBe(175);
    // The operator's way through, after a real deletion upstream: one mirror with the cap at 1.
    const accepted = await stack.walk('invoices', 'mirror', { maxDeleteShare: 1 });
    expect(accepted).toMatchObject({ status: 'succeeded', deleted: 53 });
    expect(await compareWithSimulator(stack, 'invoices')).toEqual([]);
    const mark = await stack.db.pool.query(
      `select live_high_water from onecore_sync.mirror_baselines where endpoint = 'invoices'`,
    );
    expect(mark.rows[0].live_high_water).toBe('122');
  });

  it('an incremental re-read of a last page that holds only a rejected record does not fail the endpoint', async () => {
    expect((await stack.walk('shopusers', 'incremental')).status).toBe('succeeded');
    // 250 records: the last page holds 50. Append enough for the next page to hold just one bad record.
    stack.sim.insert('shopusers', 50);
    stack.sim.insertRecord('shopusers', { id: 'nul-tail', note: 'a\u0000b' });
    expect((await stack.walk('shopusers', 'incremental')).status).toBe('succeeded');
    const again = await stack.walk('shopusers', 'incremental');
    expect(again).toMatchObject({ status: 'succeeded', rejected: 1, recordsSeen: 1 });
  });
});
