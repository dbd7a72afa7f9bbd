/**
 * The simulator over real HTTP: everything other tests, the demo and the benchmark rely on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  DATE_SAMPLES,
  type DateTimeForm,
  decodeCursor,
  encodeCursor,
  FAULT_KINDS,
  formatDateTime,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from '../src/simulator/index.js';

const open: Simulator[] = [];
async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator(options);
  open.push(sim);
  return sim;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Res {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function request(url: string, init: RequestInit = {}): Promise<Res> {
  const r = await fetch(url, init);
  const text = await r.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}

function renew(
  sim: Simulator,
  body: unknown = { refreshToken: sim.refreshToken },
  path = '/api/v2/tokens/renewtokens',
): Promise<Res> {
  return request(sim.url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function accessToken(sim: Simulator): Promise<string> {
  const r = await renew(sim);
  expect(r.status).toBe(200);
  return r.json.accessToken ?? r.json.AccessToken;
}

function get(sim: Simulator, pathAndQuery: string, token?: string, scheme = 'PublicApiV2'): Promise<Res> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.Authorization = `${scheme} ${token}`;
  return request(pathAndQuery.startsWith('http') ? pathAndQuery : sim.url + pathAndQuery, { headers });
}

/** Follow `next` links ("after=…") from the first page to the end. */
async function walk(
  sim: Simulator,
  endpoint: string,
  token: string,
  query = '',
): Promise<{ records: any[]; pages: number }> {
  const records: any[] = [];
  let pages = 0;
  let link: string | null = null;
  for (;;) {
    const sep = query ? `?${query}${link ? `&${link}` : ''}` : link ? `?${link}` : '';
    const r = await get(sim, `/api/v2/${endpoint}${sep}`, token);
    expect(r.status).toBe(200);
    pages++;
    records.push(...r.json.items);
    if (!r.json.metadata.hasNext) {
      expect(r.json.metadata.next).toBeNull();
      return { records, pages };
    }
    link = r.json.metadata.next;
  }
}

const keyOf = (r: any) => r.id ?? r.Id;

describe('renew tokens', () => {
  it('issues an access token and returns the same refresh token before rotation (v1 and v2 paths)', async () => {
    const sim = await start({ accessTokenTtlSeconds: 1234 });
    const refresh = sim.refreshToken;
    expect(refresh).toMatch(/^sim-refresh-/);
    const r = await renew(sim);
    expect(r.status).toBe(200);
    expect(Object.keys(r.json).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken']);
    expect(r.json.refreshToken).toBe(refresh);
    expect(r.json.expiresIn).toBe(1234);
    expect(r.json.accessToken).toMatch(/^CfDJ8[A-Za-z0-9_-]+$/);
    const v1 = await renew(sim, { refreshToken: refresh }, '/API/V1/Tokens/RenewTokens');
    expect(v1.status).toBe(200);
    expect(v1.json.accessToken).not.toBe(r.json.accessToken);
    // both access tokens stay valid: renewing does not revoke older ones
    expect((await get(sim, '/api/v2/orders?pageSize=1', r.json.accessToken)).status).toBe(200);
    expect((await get(sim, '/api/v2/orders?pageSize=1', v1.json.accessToken)).status).toBe(200);
  });

  it('reads the body key case-insensitively, 400 on malformed bodies, 401 on unknown tokens without echoing them', async () => {
    const sim = await start({ refreshToken: 'my-refresh' });
    expect(sim.refreshToken).toBe('my-refresh');
    expect((await renew(sim, { RefreshToken: 'my-refresh' })).status).toBe(200);
    expect((await renew(sim, { REFRESHTOKEN: 'my-refresh' })).status).toBe(200);
    expect((await renew(sim, '{not json')).status).toBe(400);
    expect((await renew(sim, '[]')).status).toBe(400);
    expect((await renew(sim, { token: 'my-refresh' })).status).toBe(400);
    const bad = await renew(sim, { refreshToken: 'secret-wrong-token' });
    expect(bad.status).toBe(401);
    expect(typeof bad.json.message).toBe('string');
    expect(bad.text).not.toContain('secret-wrong-token');
    const st = sim.stats();
    expect(st.renewCalls).toBe(6);
    expect(st.renewRefused).toBe(1);
    expect(st.badRequests).toBe(3);
  });

  it('rotates on rotateNow(): new token returned, old one refused (no grace)', async () => {
    const sim = await start();
    const old = sim.refreshToken;
    sim.rotateNow();
    const r = await renew(sim, { refreshToken: old });
    expect(r.status).toBe(200);
    expect(r.json.refreshToken).not.toBe(old);
    expect(sim.refreshToken).toBe(r.json.refreshToken);
    expect((await renew(sim, { refreshToken: old })).status).toBe(401);
    const again = await renew(sim, { refreshToken: r.json.refreshToken });
    expect(again.json.refreshToken).toBe(r.json.refreshToken); // no further rotation
    expect(sim.stats().rotations).toBe(1);
    expect(sim.stats().renewRefused).toBe(1);
  });

  it('rotates once the refresh token has been active rotateAfterSeconds', async () => {
    const sim = await start({ rotateAfterSeconds: 0.3 });
    const first = sim.refreshToken;
    expect((await renew(sim)).json.refreshToken).toBe(first);
    await sleep(350);
    const r = await renew(sim, { refreshToken: first });
    expect(r.json.refreshToken).not.toBe(first);
    expect((await renew(sim, { refreshToken: r.json.refreshToken })).json.refreshToken).toBe(r.json.refreshToken);
  });

  it('accepts the previous refresh token during the grace period, returning the current one', async () => {
    const sim = await start({ rotationGraceSeconds: 0.4 });
    const old = sim.refreshToken;
    sim.rotateNow();
    const rotated = (await renew(sim)).json.refreshToken;
    expect(rotated).not.toBe(old);
    const inGrace = await renew(sim, { refreshToken: old });
    expect(inGrace.status).toBe(200);
    expect(inGrace.json.refreshToken).toBe(rotated);
    expect(sim.stats().rotations).toBe(1);
    await sleep(450);
    expect((await renew(sim, { refreshToken: old })).status).toBe(401);
    expect((await renew(sim, { refreshToken: rotated })).status).toBe(200);
  });

  it('setRefreshToken replaces the accepted token', async () => {
    const sim = await start();
    const old = sim.refreshToken;
    sim.setRefreshToken('replaced');
    expect((await renew(sim, { refreshToken: old })).status).toBe(401);
    expect((await renew(sim, { refreshToken: 'replaced' })).status).toBe(200);
  });

  it('uses PascalCase renew responses with casing pascal', async () => {
    const sim = await start({ envelope: { casing: 'pascal' } });
    const r = await renew(sim);
    expect(Object.keys(r.json).sort()).toEqual(['AccessToken', 'ExpiresIn', 'RefreshToken']);
  });
});

describe('access tokens', () => {
  it('401 for a missing header, the V1 scheme, unknown, expired and expireAccessTokens() tokens', async () => {
    const sim = await start({ accessTokenTtlSeconds: 0.3 });
    const token = await accessToken(sim);
    const missing = await get(sim, '/api/v2/orders');
    expect(missing.status).toBe(401);
    expect(typeof missing.json.message).toBe('string');
    const v1 = await get(sim, '/api/v2/orders', token, 'PublicApi');
    expect(v1.status).toBe(401);
    expect(v1.text).not.toContain(token);
    expect((await get(sim, '/api/v2/orders', token, 'Bearer')).status).toBe(401);
    const unknown = await get(sim, '/api/v2/orders', 'CfDJ8made-up-token');
    expect(unknown.status).toBe(401);
    expect(unknown.text).not.toContain('made-up');
    expect((await get(sim, '/api/v2/orders', token, 'publicapiv2')).status).toBe(200); // scheme is case-insensitive
    await sleep(350);
    expect((await get(sim, '/api/v2/orders', token)).status).toBe(401);

    const fresh = await accessToken(sim);
    expect((await get(sim, '/api/v2/orders', fresh)).status).toBe(200);
    sim.expireAccessTokens();
    expect((await get(sim, '/api/v2/orders', fresh)).status).toBe(401);
    expect(sim.stats().unauthorized).toBe(6);
  });
});

describe('paging', () => {
  it('walks orders to the end with after= links; count and order equal truth', async () => {
    const sim = await start({ records: 1050 });
    const token = await accessToken(sim);
    const { records, pages } = await walk(sim, 'orders', token);
    expect(pages).toBe(11);
    expect(records.length).toBe(1050);
    expect(records).toEqual(sim.truth('orders'));
    expect(new Set(records.map(keyOf)).size).toBe(1050);
  });

  it('first page has previous null; walking backwards with before= yields the same records', async () => {
    const sim = await start({ records: 250 });
    const token = await accessToken(sim);
    const first = await get(sim, '/api/v2/products', token);
    expect(first.json.metadata).toMatchObject({ hasPrevious: false, previous: null, hasNext: true });
    // jump to the last page via an after cursor, then walk back
    const all = sim.truth('products') as any[];
    let r = await get(sim, `/api/v2/products?after=${encodeURIComponent(encodeCursor(200))}`, token);
    expect(r.json.items.map(keyOf)).toEqual(all.slice(200).map(keyOf));
    expect(r.json.metadata.hasNext).toBe(false);
    const back: any[] = [...r.json.items];
    while (r.json.metadata.hasPrevious) {
      expect(r.json.metadata.previous).toMatch(/^before=/);
      r = await get(sim, `/api/v2/products?${r.json.metadata.previous}`, token);
      expect(r.status).toBe(200);
      back.unshift(...r.json.items);
    }
    expect(r.json.metadata.previous).toBeNull();
    expect(back).toEqual(all);
  });

  it('pageSize query parameter (any case) overrides the default and is capped at 1000; invalid → 400', async () => {
    const sim = await start({ records: 1200, pageSize: 7 });
    const token = await accessToken(sim);
    expect((await get(sim, '/api/v2/shopusers', token)).json.items.length).toBe(7);
    expect((await get(sim, '/api/v2/shopusers?PageSize=25', token)).json.items.length).toBe(25);
    expect((await get(sim, '/api/v2/shopusers?pagesize=5000', token)).json.items.length).toBe(1000);
    expect((await get(sim, '/api/v2/shopusers?pageSize=abc', token)).status).toBe(400);
    expect((await get(sim, '/api/v2/shopusers?pageSize=0', token)).status).toBe(400);
  });

  it('cursors contain +, / and = and must be URL-encoded; bad cursors → 400 invalid cursor', async () => {
    const sim = await start({ records: 300 });
    const token = await accessToken(sim);
    const r = await get(sim, '/api/v2/orders', token);
    const next: string = r.json.metadata.next;
    expect(next).toMatch(/^after=/);
    const cursor = decodeURIComponent(next.slice('after='.length));
    expect(cursor).toMatch(/\+/);
    expect(cursor).toMatch(/\//);
    expect(cursor).toMatch(/=/);
    expect(next).toContain('%2B');
    expect(decodeCursor(cursor)).toBe(100);
    expect((await get(sim, `/api/v2/orders?after=${encodeURIComponent(cursor)}`, token)).json.items[0].id).toBe(
      'ord-000101',
    );
    // unencoded: "+" arrives as a space
    const raw = await get(sim, `/api/v2/orders?after=${cursor}`, token);
    expect(raw.status).toBe(400);
    expect(raw.json).toEqual({ message: 'invalid cursor' });
    const tampered = cursor.slice(0, 8) + (cursor[8] === 'A' ? 'B' : 'A') + cursor.slice(9);
    for (const bad of [
      'abc',
      '',
      tampered,
      cursor.toLowerCase(),
      cursor.slice(0, -1),
      Buffer.from('100').toString('base64'),
    ]) {
      const b = await get(sim, `/api/v2/orders?after=${encodeURIComponent(bad)}`, token);
      expect(b.status, bad).toBe(400);
      expect(b.json).toEqual({ message: 'invalid cursor' });
    }
    expect((await get(sim, `/api/v2/orders?before=${encodeURIComponent(tampered)}`, token)).status).toBe(400);
    const both = await get(
      sim,
      `/api/v2/orders?after=${encodeURIComponent(cursor)}&before=${encodeURIComponent(cursor)}`,
      token,
    );
    expect(both.status).toBe(400);
    expect(sim.stats().badRequests).toBe(9);
  });

  it('is case-insensitive in path and parameter names, but not in cursor values', async () => {
    const sim = await start({ records: 150 });
    const token = await accessToken(sim);
    const a = await get(sim, '/API/V2/Orders/', token);
    expect(a.status).toBe(200);
    const link: string = a.json.metadata.next;
    const b = await get(sim, `/api/v2/ORDERS?AFTER=${link.slice('after='.length)}`, token);
    expect(b.status).toBe(200);
    expect(b.json.items[0].id).toBe('ord-000101');
    const lowered = await get(
      sim,
      `/api/v2/orders?after=${encodeURIComponent(decodeURIComponent(link.slice(6)).toLowerCase())}`,
      token,
    );
    expect(lowered.status).toBe(400);
  });

  it('an after cursor at the last record gives an empty page; appended records show up on the same cursor', async () => {
    const sim = await start({ records: 150 });
    const token = await accessToken(sim);
    const p1 = await get(sim, '/api/v2/orders', token);
    const p2 = await get(sim, `/api/v2/orders?${p1.json.metadata.next}`, token);
    expect(p2.json.items.length).toBe(50);
    expect(p2.json.metadata).toMatchObject({ hasNext: false, next: null, hasPrevious: true });
    const atEnd = encodeURIComponent(encodeCursor(150));
    const empty = await get(sim, `/api/v2/orders?after=${atEnd}`, token);
    expect(empty.json.items).toEqual([]);
    expect(empty.json.metadata).toMatchObject({ hasNext: false, next: null, hasPrevious: true });
    // previous of an empty page leads back to the records before it
    const prev = await get(sim, `/api/v2/orders?${empty.json.metadata.previous}`, token);
    expect(prev.json.items.at(-1).id).toBe('ord-000150');

    const added = sim.insert('orders', 3);
    expect(added.map((r) => r.id)).toEqual(['ord-000151', 'ord-000152', 'ord-000153']);
    const again = await get(sim, `/api/v2/orders?${p1.json.metadata.next}`, token);
    expect(again.json.items.length).toBe(53); // same page again plus the appended records
    expect(again.json.items.slice(50)).toEqual(added);
    const after = await get(sim, `/api/v2/orders?after=${atEnd}`, token);
    expect(after.json.items.map(keyOf)).toEqual(['ord-000151', 'ord-000152', 'ord-000153']);
  });

  it('picks up records inserted mid-walk', async () => {
    const sim = await start({ records: 250 });
    const token = await accessToken(sim);
    const p1 = await get(sim, '/api/v2/invoices', token);
    sim.insert('invoices', 120);
    const { records } = await walk(sim, 'invoices', token);
    expect(records.length).toBe(370);
    const rest: any[] = [];
    let link: string | null = p1.json.metadata.next;
    while (link) {
      const r = await get(sim, `/api/v2/invoices?${link}`, token);
      rest.push(...r.json.items);
      link = r.json.metadata.next;
    }
    expect([...p1.json.items, ...rest]).toEqual(sim.truth('invoices'));
  });

  it('update keeps position, remove leaves a gap, cursors of removed records still work', async () => {
    const sim = await start({ records: 30, pageSize: 10 });
    const token = await accessToken(sim);
    const before = sim.truth('orders') as any[];
    sim.update('orders', 'ord-000005');
    const after = sim.truth('orders') as any[];
    expect(after.length).toBe(30);
    expect(after[4].id).toBe('ord-000005');
    expect(after[4].modified).not.toBe(before[4].modified);
    expect(after[4].status).not.toBe(before[4].status);
    expect(Date.parse(after[4].modified)).toBeGreaterThan(
      Math.max(...before.map((r) => Date.parse(r.modified.replace(/(\.\d{3})\d+/, '$1')) || 0)),
    );
    sim.update('orders', 'ord-000006', { status: 'Cancelled', comment: 'patched' });
    expect(sim.truth('orders')[5] as any).toMatchObject({ id: 'ord-000006', status: 'Cancelled', comment: 'patched' });

    const p1 = await get(sim, '/api/v2/orders', token);
    expect(p1.json.items[4]).toEqual(after[4]);
    sim.remove('orders', 'ord-000010'); // the last record of page 1: its cursor must still work
    sim.remove('orders', 'ord-000011');
    const p2 = await get(sim, `/api/v2/orders?${p1.json.metadata.next}`, token);
    expect(p2.json.items[0].id).toBe('ord-000012');
    expect(sim.truth('orders').length).toBe(28);
    expect(sim.truth('orders').map(keyOf)).not.toContain('ord-000011');
    expect(() => sim.remove('orders', 'ord-999999')).toThrow();
    expect(() => sim.update('nosuch', 'x')).toThrow();

    // numeric ids and PascalCase Id keys
    sim.update('databaseusages', 3, { apiCalls: -1 });
    expect(sim.truth('databaseusages')[2] as any).toMatchObject({ id: 3, apiCalls: -1 });
    sim.remove('productimages', 'img-000001');
    expect((sim.truth('productimages')[0] as any).Id).toBe('img-000002');
  });

  it('serves raw malformed records inserted with insertRecord', async () => {
    const sim = await start({ records: 2 });
    const token = await accessToken(sim);
    sim.insertRecord('orders', { status: 'no id here' });
    sim.insertRecord('orders', 'just a string');
    sim.insertRecord('orders', null);
    sim.insertRecord('orders', [1, 2]);
    const r = await get(sim, '/api/v2/orders', token);
    expect(r.json.items.slice(2)).toEqual([{ status: 'no id here' }, 'just a string', null, [1, 2]]);
    expect(sim.truth('orders').slice(2)).toEqual(r.json.items.slice(2));
  });

  it('answers 403 for apiusers, 404 for unknown paths, 405 for wrong methods', async () => {
    const sim = await start();
    const token = await accessToken(sim);
    const f = await get(sim, '/api/v2/apiusers', token);
    expect(f.status).toBe(403);
    expect(typeof f.json.message).toBe('string');
    expect((await get(sim, '/api/v2/apiusers')).status).toBe(401); // authentication comes first
    expect((await get(sim, '/api/v2/nosuchthing', token)).status).toBe(404);
    expect((await get(sim, '/api/v3/orders', token)).status).toBe(404);
    expect(
      (
        await request(sim.url + '/api/v2/orders', {
          method: 'POST',
          headers: { Authorization: `PublicApiV2 ${token}` },
        })
      ).status,
    ).toBe(405);
    expect((await request(sim.url + '/api/v2/tokens/renewtokens')).status).toBe(405);
    expect(sim.endpoints.find((e) => e.name === 'apiusers')).toEqual({
      name: 'apiusers',
      keyField: 'id',
      forbidden: true,
    });
    expect(sim.endpoints.find((e) => e.name === 'productimages')?.keyField).toBe('Id');
  });

  it('serves detail routes', async () => {
    const sim = await start({ records: 5 });
    const token = await accessToken(sim);
    expect((await get(sim, '/api/v2/orders/ord-000002', token)).json).toEqual(sim.truth('orders')[1]);
    expect((await get(sim, '/api/v2/orders/ord-000002/details', token)).json).toEqual(sim.truth('orders')[1]);
    expect((await get(sim, '/api/v2/products/prd-000003', token)).json).toEqual(sim.truth('products')[2]);
    expect((await get(sim, '/api/v2/orders/ord-999999', token)).status).toBe(404);
  });

  it('handles many concurrent keep-alive requests', async () => {
    const sim = await start({ records: 2000 });
    const token = await accessToken(sim);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        get(sim, `/api/v2/orders?pageSize=10&after=${encodeURIComponent(encodeCursor(i * 10))}`, token),
      ),
    );
    const ids = results.flatMap((r) => r.json.items.map(keyOf));
    expect(ids).toEqual((sim.truth('orders') as any[]).map(keyOf));
  });
});

describe('envelope variants', () => {
  it('data key + query-form links', async () => {
    const sim = await start({ records: 120, envelope: { recordsKey: 'data', next: 'query' } });
    const token = await accessToken(sim);
    const r = await get(sim, '/api/v2/orders', token);
    expect(Object.keys(r.json)).toEqual(['data', 'metadata']);
    expect(r.json.metadata.next).toMatch(/^\?after=%2B%2F/);
    const r2 = await get(sim, `/api/v2/orders${r.json.metadata.next}`, token);
    expect(r2.json.data.length).toBe(20);
    expect(r2.json.metadata.previous).toMatch(/^\?before=/);
    expect(r2.json.metadata.next).toBeNull();
  });

  it('PascalCase envelope + full-URL links', async () => {
    const sim = await start({ records: 120, envelope: { casing: 'pascal', next: 'url' } });
    const token = await accessToken(sim);
    const r = await get(sim, '/api/v2/Orders', token);
    expect(Object.keys(r.json)).toEqual(['Items', 'Metadata']);
    expect(Object.keys(r.json.Metadata)).toEqual(['HasNext', 'HasPrevious', 'Next', 'Previous']);
    expect(r.json.Metadata.Next).toBe(`${sim.url}/api/v2/orders?after=${encodeURIComponent(encodeCursor(100))}`);
    const r2 = await get(sim, r.json.Metadata.Next, token);
    expect(r2.json.Items.length).toBe(20);
    expect(r2.json.Metadata.Previous).toBe(`${sim.url}/api/v2/orders?before=${encodeURIComponent(encodeCursor(101))}`);
    // an explicit pageSize is kept in full-URL links
    const r3 = await get(sim, '/api/v2/orders?pageSize=50', token);
    expect(r3.json.Metadata.Next).toMatch(/&pageSize=50$/);
    const pascalData = await start({ records: 1, envelope: { casing: 'pascal', recordsKey: 'data' } });
    const t2 = await accessToken(pascalData);
    expect(Object.keys((await get(pascalData, '/api/v2/orders', t2)).json)).toEqual(['Data', 'Metadata']);
  });
});

describe('faults', () => {
  async function setup(options: SimulatorOptions = {}) {
    const sim = await start({ records: 150, ...options });
    return { sim, token: await accessToken(sim) };
  }

  it('429 with Retry-After in seconds (default 1) or as an HTTP-date', async () => {
    const { sim, token } = await setup();
    sim.faults.once('429');
    const a = await get(sim, '/api/v2/orders', token);
    expect(a.status).toBe(429);
    expect(a.headers.get('retry-after')).toBe('1');
    const date = new Date(Date.now() + 2000).toUTCString();
    sim.faults.once('429', { retryAfter: date });
    expect((await get(sim, '/api/v2/orders', token)).headers.get('retry-after')).toBe(date);
    sim.faults.once('429', { retryAfter: 7 });
    expect((await get(sim, '/api/v2/orders', token)).headers.get('retry-after')).toBe('7');
    expect((await get(sim, '/api/v2/orders', token)).status).toBe(200);
    expect(sim.stats().faultsInjected['429']).toBe(3);
  });

  it('500, 502, 503 with short bodies', async () => {
    const { sim, token } = await setup();
    for (const kind of ['500', '502', '503'] as const) {
      sim.faults.once(kind);
      const r = await get(sim, '/api/v2/orders', token);
      expect(r.status).toBe(Number(kind));
      expect(r.text.length).toBeGreaterThan(0);
      expect(r.text.length).toBeLessThan(200);
    }
    sim.faults.once('503', { retryAfter: 3 });
    expect((await get(sim, '/api/v2/orders', token)).headers.get('retry-after')).toBe('3');
  });

  it('slow delays the normal answer', async () => {
    const { sim, token } = await setup();
    sim.faults.once('slow', { delayMs: 250 });
    const t0 = Date.now();
    const r = await get(sim, '/api/v2/orders', token);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
    expect(r.status).toBe(200);
    expect(r.json.items.length).toBe(100);
  });

  it('reset destroys the socket without a response', async () => {
    const { sim, token } = await setup();
    sim.faults.once('reset');
    await expect(get(sim, '/api/v2/orders', token)).rejects.toThrow();
    expect((await get(sim, '/api/v2/orders', token)).status).toBe(200);
    expect(sim.stats().faultsInjected.reset).toBe(1);
  });

  it('truncated, malformed, html and empty bodies come with status 200', async () => {
    const { sim, token } = await setup();
    sim.faults.once('truncated');
    const t = await get(sim, '/api/v2/orders', token);
    expect(t.status).toBe(200);
    expect(t.headers.get('content-type')).toMatch(/application\/json/);
    expect(t.text.startsWith('{"items":[{')).toBe(true);
    expect(() => JSON.parse(t.text)).toThrow();

    sim.faults.once('malformed');
    const m = await get(sim, '/api/v2/orders', token);
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toMatch(/application\/json/);
    expect(() => JSON.parse(m.text)).toThrow();

    sim.faults.once('html');
    const h = await get(sim, '/api/v2/orders', token);
    expect(h.status).toBe(200);
    expect(h.headers.get('content-type')).toMatch(/text\/html/);
    expect(h.text).toContain('<html>');

    sim.faults.once('empty');
    const e = await get(sim, '/api/v2/orders', token);
    expect(e.status).toBe(200);
    expect(e.text).toBe('');
  });

  it('loop repeats the cursor that fetched the page', async () => {
    const { sim, token } = await setup();
    const p1 = await get(sim, '/api/v2/orders', token);
    sim.faults.once('loop');
    const p2 = await get(sim, `/api/v2/orders?${p1.json.metadata.next}`, token);
    expect(p2.json.metadata.next).toBe(p1.json.metadata.next);
    expect(p2.json.metadata.hasNext).toBe(true);
    sim.faults.once('loop');
    const first = await get(sim, '/api/v2/orders', token);
    const again = await get(sim, `/api/v2/orders?${first.json.metadata.next}`, token);
    expect(again.json.items).toEqual(first.json.items); // the link leads back to the same page
  });

  it('once honours endpoint and nth; renew faults only when targeted or includeRenew', async () => {
    const { sim, token } = await setup();
    sim.faults.once('500', { endpoint: 'products', nth: 2 });
    expect((await get(sim, '/api/v2/products', token)).status).toBe(200);
    expect((await get(sim, '/api/v2/orders', token)).status).toBe(200); // other endpoint: not counted
    expect((await get(sim, '/api/v2/Products', token)).status).toBe(500);
    expect((await get(sim, '/api/v2/products', token)).status).toBe(200);

    sim.faults.once('503'); // any list endpoint, never renew
    expect((await renew(sim)).status).toBe(200);
    expect((await get(sim, '/api/v2/quotations', token)).status).toBe(503);

    sim.faults.once('503', { endpoint: 'renewtokens' });
    expect((await renew(sim)).status).toBe(503);
    expect((await renew(sim)).status).toBe(200);
  });

  it('random faults at a rate are deterministic per seed; clear() stops them', async () => {
    const seq = async (seed: number) => {
      const { sim, token } = await setup({ seed });
      sim.faults.set({ rate: 0.5, kinds: ['500', '503'] });
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await get(sim, '/api/v2/orders?pageSize=1', token)).status);
      expect(await renew(sim).then((r) => r.status)).toBe(200); // renew untouched by default
      sim.faults.clear();
      expect((await get(sim, '/api/v2/orders', token)).status).toBe(200);
      const st = sim.stats();
      expect(st.faultsInjected['500'] + st.faultsInjected['503']).toBe(statuses.filter((s) => s !== 200).length);
      return statuses;
    };
    const a = await seq(42);
    expect(a).toEqual(await seq(42));
    expect(a.filter((s) => s !== 200).length).toBeGreaterThan(5);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(5);
  });

  it('includeRenew applies random faults to renew; rate 1 with one kind hits every request', async () => {
    const { sim, token } = await setup();
    sim.faults.set({ rate: 1, kinds: ['502'], includeRenew: true });
    expect((await renew(sim)).status).toBe(502);
    expect((await get(sim, '/api/v2/orders', token)).status).toBe(502);
    sim.faults.set({ rate: 1, kinds: ['slow'], slowMs: 50 });
    expect((await get(sim, '/api/v2/orders', token)).status).toBe(200);
    expect(() => sim.faults.set({ rate: 2 })).toThrow();
  });

  it('every fault kind is counted', async () => {
    const { sim, token } = await setup();
    for (const kind of FAULT_KINDS) {
      sim.faults.once(kind, { delayMs: 10 });
      await get(sim, '/api/v2/orders', token).catch(() => undefined);
    }
    const counts = sim.stats().faultsInjected;
    for (const kind of FAULT_KINDS) expect(counts[kind], kind).toBe(1);
  });

  it('latencyMs delays list responses', async () => {
    const { sim, token } = await setup({ latencyMs: 150 });
    const t0 = Date.now();
    await get(sim, '/api/v2/orders', token);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('latencyJitterMs adds up to that much more per response, and requestTimes records each arrival', async () => {
    const { sim, token } = await setup({ latencyMs: 50, latencyJitterMs: 100 });
    sim.resetStats();
    const took: number[] = [];
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      expect((await get(sim, '/api/v2/orders', token)).status).toBe(200);
      took.push(performance.now() - t0);
    }
    expect(Math.min(...took)).toBeGreaterThanOrEqual(45);
    // Drawn, not fixed: the answers do not all take the same time.
    expect(Math.max(...took) - Math.min(...took)).toBeGreaterThan(5);
    const times = sim.stats().requestTimes;
    expect(times).toHaveLength(6);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });
});

describe('openapi document', () => {
  it('lists every list endpoint, detail routes and the renew route', async () => {
    const sim = await start();
    const r = await get(sim, '/swagger/v2/swagger.json');
    expect(r.status).toBe(200);
    const doc = r.json;
    expect(doc.openapi).toMatch(/^3\./);
    for (const e of sim.endpoints) {
      const op = doc.paths[`/api/v2/${e.name}`]?.get;
      expect(op, e.name).toBeDefined();
      const names = op.parameters.map((p: any) => p.name);
      expect(names).toEqual(expect.arrayContaining(['after', 'before']));
      const ref: string = op.responses['200'].content['application/json'].schema.$ref;
      const page = doc.components.schemas[ref.split('/').pop()!];
      expect(page.properties.items.type).toBe('array');
      expect(page.properties.metadata).toBeDefined();
    }
    expect(doc.paths['/api/v2/orders/{id}'].get).toBeDefined();
    expect(doc.paths['/api/v2/orders/{id}/details'].get).toBeDefined();
    expect(doc.paths['/api/v2/products/{id}'].get).toBeDefined();
    expect(doc.paths['/api/v2/tokens/renewtokens'].post).toBeDefined();
    expect(doc.components.schemas.Order.properties.created.format).toBe('date-time');
    expect(doc.components.schemas.Order.properties.deliveryDate.format).toBe('date');
    expect(doc.components.schemas.ProductImage.properties.Id.type).toBe('string');
    expect(doc.components.schemas.DatabaseUsage.properties.id.type).toBe('integer');
  });

  it('is served at a configurable path, case-insensitively, with the configured envelope keys', async () => {
    const sim = await start({
      openapiPath: '/api-swagger/v2.json',
      envelope: { recordsKey: 'data', casing: 'pascal' },
    });
    expect((await get(sim, '/swagger/v2/swagger.json')).status).toBe(404);
    const doc = (await get(sim, '/API-Swagger/V2.json')).json;
    expect(doc.components.schemas.OrderPage.properties.Data.type).toBe('array');
    expect(doc.components.schemas.OrderPage.properties.Metadata).toBeDefined();
  });
});

describe('data', () => {
  it('is deterministic: same seed → same data and bytes; other seed → other data', async () => {
    const a = await start({ seed: 7, records: 300 });
    const b = await start({ seed: 7, records: 300 });
    const c = await start({ seed: 8, records: 300 });
    expect(a.refreshToken).toBe(b.refreshToken);
    expect(a.refreshToken).not.toBe(c.refreshToken);
    // touching endpoints in a different order must not matter
    b.truth('products');
    for (const e of a.endpoints) expect(a.truth(e.name), e.name).toEqual(b.truth(e.name));
    expect(a.truth('orders')).not.toEqual(c.truth('orders'));
    const ta = await accessToken(a);
    const tb = await accessToken(b);
    const pa = await get(a, '/api/v2/orders?pageSize=50', ta);
    const pb = await get(b, '/api/v2/orders?pageSize=50', tb);
    expect(pa.text).toBe(pb.text);
    expect(a.insert('orders', 5)).toEqual(b.insert('orders', 5));
  });

  it('accepts per-endpoint record counts', async () => {
    const sim = await start({ records: { orders: 3 } });
    expect(sim.truth('orders').length).toBe(3);
    expect(sim.truth('products').length).toBe(1000);
    expect(sim.count('products')).toBe(1000);
    expect(sim.count('Apiusers')).toBe(0);
    sim.insert('orders', 2);
    sim.remove('orders', 'ord-000001');
    expect(sim.count('orders')).toBe(4);
  });

  it('uses string ids except on databaseusages (numbers) and Id on productimages', async () => {
    const sim = await start({ records: 20 });
    for (const e of sim.endpoints.filter((x) => !x.forbidden)) {
      const recs = sim.truth(e.name) as any[];
      expect(recs.length).toBe(20);
      for (const r of recs)
        expect(typeof r[e.keyField], e.name).toBe(e.name === 'databaseusages' ? 'number' : 'string');
    }
    const order = sim.truth('orders')[0] as any;
    expect(order).toMatchObject({ id: 'ord-000001', orderNumber: expect.stringMatching(/^\d{4}-\d{4}$/) });
    expect(order.totals).toEqual({
      net: expect.any(Number),
      vat: expect.any(Number),
      gross: expect.any(Number),
      vatRate: expect.any(Number),
    });
    expect(order.billingAddress).toEqual({
      street: expect.any(String),
      zip: expect.any(String),
      city: expect.any(String),
      country: expect.any(String),
    });
    expect(order.lines[0]).toMatchObject({
      lineNo: 1,
      productId: expect.any(String),
      sku: expect.any(String),
      quantity: expect.any(Number),
    });
  });

  it('DATE_SAMPLES: formatDateTime reproduces each date-time form, patterns are exclusive', () => {
    const forms: Record<string, DateTimeForm> = {
      'utc-z': 'z',
      'offset+01:00': '+01:00',
      'offset+02:00': '+02:00',
      'offset-05:00': '-05:00',
      'offset+05:30': '+05:30',
      'no-offset': 'no-offset',
      'frac7-offset': 'frac7-offset',
      'frac7-no-offset': 'frac7-no-offset',
      'frac3-z': 'frac3-z',
      'frac3-offset': 'frac3-offset',
    };
    for (const s of DATE_SAMPLES) {
      const form = forms[s.name];
      if (form) expect(formatDateTime(s.epochMs!, form, 4567), s.name).toBe(s.value);
      if (s.kind === 'datetime')
        expect(new Date(s.utc!.replace(/(\.\d{3})\d+/, '$1')).getTime(), s.name).toBe(s.epochMs);
      const matching = DATE_SAMPLES.filter((o) => o.pattern.test(s.value)).map((o) => o.name);
      expect(matching, s.value).toEqual([s.name]);
    }
  });

  it('every date form of DATE_SAMPLES appears in served orders', async () => {
    const sim = await start({ records: 40 });
    const strings: string[] = [];
    const collect = (v: unknown) => {
      if (typeof v === 'string') strings.push(v);
      else if (Array.isArray(v)) v.forEach(collect);
      else if (v && typeof v === 'object') Object.values(v).forEach(collect);
    };
    collect(sim.truth('orders'));
    for (const s of DATE_SAMPLES)
      expect(
        strings.some((v) => s.pattern.test(v)),
        s.name,
      ).toBe(true);
  });
});

describe('stats and lifecycle', () => {
  it('counts requests per endpoint and resets', async () => {
    const sim = await start({ records: 10 });
    const token = await accessToken(sim);
    await get(sim, '/api/v2/orders', token);
    await get(sim, '/api/v2/ORDERS', token);
    await get(sim, '/api/v2/products');
    await get(sim, '/api/v2/apiusers', token);
    const st = sim.stats();
    expect(st.requests.orders).toBe(2);
    expect(st.requests.products).toBe(1);
    expect(st.requests.apiusers).toBe(1);
    expect(st.requests.quotations).toBe(0);
    expect(st.unauthorized).toBe(1);
    expect(st.renewCalls).toBe(1);
    st.requests.orders = 99; // a copy
    expect(sim.stats().requests.orders).toBe(2);
    sim.resetStats();
    expect(sim.stats()).toMatchObject({
      renewCalls: 0,
      renewRefused: 0,
      unauthorized: 0,
      badRequests: 0,
      rotations: 0,
    });
    expect(sim.stats().requests.orders).toBe(0);
  });

  it('close() does not hang with open keep-alive sockets and pending slow responses', async () => {
    const sim = await startSimulator({ records: 10 });
    const token = await accessToken(sim);
    await get(sim, '/api/v2/orders', token);
    sim.faults.once('slow', { delayMs: 60_000 });
    const pending = get(sim, '/api/v2/orders', token).catch((e: unknown) => e);
    await sleep(50);
    const t0 = Date.now();
    await sim.close();
    // Not a speed check: closing must not wait out the 60 s slow response.
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await pending).toBeInstanceOf(Error);
    await sim.close(); // idempotent
  });

  it('listens on a given port', async () => {
    const probe = await startSimulator({ records: 0 });
    const port = Number(new URL(probe.url).port);
    await probe.close();
    const sim = await start({ port, records: 0 });
    expect(sim.url).toBe(`http://127.0.0.1:${port}`);
  });
});

describe('dialects, listing order and more envelope variants', () => {
  it('pascal: PascalCase fields, integer Id and references, integer enums, PascalCase envelope, problem details', async () => {
    const sim = await start({ records: 120, dialect: 'pascal' });
    expect(sim.endpoints.find((e) => e.name === 'orders')!.keyField).toBe('Id');
    const token = await accessToken(sim);
    const r = await get(sim, '/api/v2/orders', token);
    expect(Object.keys(r.json)).toEqual(['Items', 'Metadata']);
    const order = r.json.Items[0];
    expect(order).toMatchObject({
      Id: 1,
      OrderNumber: expect.any(String),
      Status: expect.any(Number),
      ShopUserId: expect.any(Number),
      Created: expect.any(String),
    });
    expect(order.Lines[0]).toMatchObject({ LineNo: 1, ProductId: expect.any(Number) });
    expect(order.BillingAddress).toEqual({
      Street: expect.any(String),
      Zip: expect.any(String),
      City: expect.any(String),
      Country: expect.any(String),
    });
    expect(Object.keys(order).every((k) => /^[A-Z]/.test(k))).toBe(true);
    // update() bumps Modified and a business field, keeps the integer key
    sim.update('orders', 1);
    const updated = sim.truth('orders')[0] as any;
    expect(updated.Id).toBe(1);
    expect(updated.Modified).not.toBe(order.Modified);
    expect(Object.keys(updated)).toEqual(Object.keys(order));
    const bad = await get(sim, '/api/v2/orders?after=nope', token);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(bad.json).toMatchObject({
      title: 'One or more validation errors occurred.',
      status: 400,
      errors: { after: ['The cursor is invalid.'] },
    });
    const doc = (await get(sim, '/swagger/v2/swagger.json')).json;
    expect(doc.components.schemas.Order.properties.Id.type).toBe('integer');
    expect(doc.components.schemas.Order.properties.Status.type).toBe('integer');
    expect(doc.components.schemas.OrderPage.properties.Items.type).toBe('array');
  });

  it('keyFields serves a key under another name', async () => {
    const sim = await start({ records: 5, keyFields: { invoices: 'InvoiceId' } });
    const rec = sim.truth('invoices')[0] as any;
    expect(rec.id).toBeUndefined();
    expect(rec.InvoiceId).toBe('inv-000001');
    expect(Object.keys(rec)[0]).toBe('InvoiceId');
    sim.update('invoices', 'inv-000001');
    sim.remove('invoices', 'inv-000002');
    expect(sim.count('invoices')).toBe(4);
  });

  it('newest-first: the first page holds the newest records, after= walks to older ones, inserts show up first', async () => {
    const sim = await start({ records: 250, order: 'newest-first' });
    const token = await accessToken(sim);
    const { records, pages } = await walk(sim, 'orders', token);
    expect(pages).toBe(3);
    expect(records.map(keyOf)).toEqual((sim.truth('orders') as any[]).map(keyOf).reverse());
    const [fresh] = sim.insert('orders', 1);
    const first = await get(sim, '/api/v2/orders', token);
    expect(first.json.items[0].id).toBe(fresh!.id);
    // walking backwards from the second page with before= gives the first page again
    const second = await get(sim, `/api/v2/orders?${first.json.metadata.next}`, token);
    const back = await get(sim, `/api/v2/orders?${second.json.metadata.previous}`, token);
    expect(back.json.items.map(keyOf)).toEqual(first.json.items.map(keyOf));
  });

  it('dotted recordsKey, meta/pagination/pageInfo, nextCursor/endCursor, bare cursors', async () => {
    const a = await start({ records: 120, envelope: { recordsKey: 'result.items', metaKey: 'meta', next: 'cursor' } });
    const ta = await accessToken(a);
    const ra = await get(a, '/api/v2/orders', ta);
    expect(Object.keys(ra.json)).toEqual(['result', 'meta']);
    expect(ra.json.result.items).toHaveLength(100);
    expect(ra.json.meta.next).toBe(encodeCursor(100));
    const b = await start({ records: 120, envelope: { metaKey: 'pageInfo', nextKey: 'endCursor' } });
    const rb = await get(b, '/api/v2/orders', await accessToken(b));
    expect(rb.json.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      endCursor: encodeCursor(100),
      startCursor: null,
    });
    const c = await start({ records: 120, envelope: { metaKey: 'pagination', nextKey: 'nextCursor' } });
    const rc = await get(c, '/api/v2/orders', await accessToken(c));
    expect(rc.json.pagination.nextCursor).toBe(encodeCursor(100));
  });

  it('Link header (RFC 8288) and a bare array body', async () => {
    const sim = await start({ records: 120, envelope: { links: 'header' } });
    const token = await accessToken(sim);
    const r = await get(sim, '/api/v2/orders', token);
    expect(r.headers.get('link')).toBe(
      `<${sim.url}/api/v2/orders?after=${encodeURIComponent(encodeCursor(100))}>; rel="next"`,
    );
    expect(r.json.metadata).toEqual({ hasNext: true, hasPrevious: false });
    const bare = await start({ records: 120, envelope: { bare: true } });
    const rb = await get(bare, '/api/v2/orders', await accessToken(bare));
    expect(Array.isArray(rb.json)).toBe(true);
    expect(rb.json).toHaveLength(120);
  });
});
