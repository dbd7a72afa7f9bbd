/**
 * The API client against the simulator over real HTTP and a real Postgres: page parsing in every
 * envelope, retries and their limits, the paging-loop guard, the shop-wide rate cap, and no token
 * in any log line or error message.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/simulator/index.js';
import { createOneCoreClient, type OneCoreClient, type OneCoreClientOptions } from '../src/onecore/client.js';
import { createTokenService, type TokenService } from '../src/onecore/tokenService.js';
import { createRateLimiter } from '../src/onecore/rateLimiter.js';
import { storeRefreshToken } from '../src/db/sql/credentials.js';
import { walkPages } from '../src/onecore/pager.js';
import { nextFromLinkHeader, parseNext, parsePage, readEnvelope } from '../src/onecore/page.js';
import { parseRetryAfter } from '../src/onecore/retry.js';
import { excerpt } from '../src/onecore/secrets.js';
import {
  BadRequest,
  Forbidden,
  NetworkError,
  NotFound,
  OneCoreError,
  PagingLoop,
  ProtocolError,
  RateLimited,
  ServerError,
  isTransient,
} from '../src/onecore/errors.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { SecretScan, caught } from './helpers/secretScan.js';

const scan = new SecretScan();
const log = scan.logger();
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

interface Conn {
  sim: Simulator;
  tokens: TokenService;
  client: OneCoreClient;
}
const open: Conn[] = [];

/** A simulator, its refresh token stored as `token set` would, and a client (no rate cap, quick retries). */
async function connect(
  simOptions: SimulatorOptions = {},
  clientOptions: Partial<OneCoreClientOptions> = {},
): Promise<Conn> {
  const sim = await startSimulator({ records: 40, pageSize: 10, ...simOptions });
  scan.token(sim.refreshToken);
  await storeRefreshToken(db.pool, sim.refreshToken, 'test');
  const tokens = createTokenService({ pool: db.pool, baseUrl: sim.url, log });
  const client = createOneCoreClient({
    baseUrl: sim.url,
    tokens,
    log,
    retry: { baseMs: 20, capMs: 200 },
    timeoutMs: 5_000,
    ...clientOptions,
  });
  const conn = { sim, tokens, client };
  open.push(conn);
  return conn;
}

afterEach(async () => {
  await scan.tokensFrom(db.pool);
  for (const c of open.splice(0)) {
    scan.token(c.sim.refreshToken);
    await c.client.close();
    await c.tokens.close();
    await c.sim.close();
  }
});

async function walkIds(client: OneCoreClient, endpoint: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of walkPages(client, endpoint, null))
    for (const r of page.records)
      ids.push(String((r as Record<string, unknown>).id ?? (r as Record<string, unknown>).Id));
  return ids;
}

function truthIds(sim: Simulator, endpoint: string): string[] {
  return sim.truth(endpoint).map((r) => String((r as Record<string, unknown>).id ?? (r as Record<string, unknown>).Id));
}

describe('page parsing', () => {
  it('reads next in every form and keeps raw base64 cursors intact', () => {
    expect(parseNext(null)).toBeNull();
    expect(parseNext(undefined)).toBeNull();
    expect(parseNext('')).toBeNull();
    expect(parseNext('after=abc')).toBe('abc');
    expect(parseNext('?after=abc')).toBe('abc');
    expect(parseNext('https://shop.example.com/api/v2/orders?pageSize=5&after=%2B%2FAAA%3D')).toBe('+/AAA=');
    expect(parseNext('/api/v2/orders?After=x&pageSize=5')).toBe('x');
    // Raw base64: "+" stays "+" (form decoding would make it a space), "/" and "=" stay.
    expect(parseNext('after=+/ab+c==')).toBe('+/ab+c==');
    // a bare cursor (base64 padding is not a parameter)
    expect(parseNext('+/ab+c==')).toBe('+/ab+c==');
    expect(parseNext('abc=')).toBe('abc=');
    expect(parseNext('eyJpZCI6MTAwfQ')).toBe('eyJpZCI6MTAwfQ');
    expect(() => parseNext('before=abc')).toThrow(/no after=/);
    expect(() => parseNext(42)).toThrow(/not a string/);
  });

  it('finds the record array by shape, reads metadata in any casing, and names what is wrong', () => {
    const ctx = { endpoint: 'orders', cursor: 'c0' };
    expect(parsePage({ Data: [{ id: 1 }], Metadata: { HasNext: true, Next: '?after=c1' } }, ctx)).toEqual({
      records: [{ id: 1 }],
      cursor: 'c0',
      next: 'c1',
      hasNext: true,
    });
    expect(parsePage({ items: [], metadata: { hasNext: false, next: null } }, ctx)).toEqual({
      records: [],
      cursor: 'c0',
      next: null,
      hasNext: false,
    });
    expect(() => parsePage({ items: [], errors: [], metadata: { hasNext: false } }, ctx)).toThrow(
      /several array properties \(items, errors\)/,
    );
    expect(
      parsePage({ items: [1], errors: [], metadata: { hasNext: false } }, { ...ctx, recordsKey: 'Items' }).records,
    ).toEqual([1]);
    expect(() => parsePage({ count: 3, metadata: { hasNext: false } }, ctx)).toThrow(ProtocolError);
    expect(() => parsePage({ items: [], metadata: { hasNext: true, next: null } }, ctx)).toThrow(
      /hasNext is true but metadata.next is null/,
    );
    // A bare array is one complete page, unless a Link header names the next one.
    expect(parsePage([{ id: 1 }], ctx)).toEqual({ records: [{ id: 1 }], cursor: 'c0', next: null, hasNext: false });
    expect(
      parsePage([{ id: 1 }], { ...ctx, link: '<https://shop.example.com/api/v2/orders?after=c9>; rel="next"' }),
    ).toMatchObject({ next: 'c9', hasNext: true });
    expect(() => parsePage('text', ctx)).toThrow(/is string, not a V2 page/);
    expect(() => parsePage({ items: [] }, ctx)).toThrow(/no metadata.hasNext/);
  });

  it('reads Retry-After as seconds or an HTTP-date', () => {
    const now = Date.parse('2024-03-01T10:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Fri, 01 Mar 2024 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Fri, 01 Mar 2024 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('excerpts are short, one line, and have token-shaped text redacted', () => {
    const body = `{"message":"bad","refreshToken":"sim-refresh-abc","auth":"PublicApiV2 CfDJ8${'x'.repeat(60)}"}\n${'y'.repeat(500)}`;
    const e = excerpt(body);
    expect(e.length).toBeLessThanOrEqual(200);
    expect(e).not.toContain('sim-refresh-abc');
    expect(e).not.toContain('CfDJ8x');
    expect(e).not.toContain('\n');
  });
});

describe('client against the simulator', () => {
  it('walks every record of an endpoint, following cursors that need URL-encoding', async () => {
    const { sim, client } = await connect();
    expect(await walkIds(client, 'orders')).toEqual(truthIds(sim, 'orders'));
    expect(sim.stats().badRequests).toBe(0);
  });

  it.each<[string, SimulatorOptions['envelope']]>([
    ['a "data" record array', { recordsKey: 'data' }],
    ['PascalCase keys', { casing: 'pascal' }],
    ['next as ?after=', { next: 'query' }],
    ['next as a full URL', { next: 'url' }],
    ['PascalCase "Data" with full-URL links', { recordsKey: 'data', casing: 'pascal', next: 'url' }],
  ])('reads the envelope variant with %s', async (_name, envelope) => {
    const { sim, client } = await connect({ envelope, records: 25 });
    expect(await walkIds(client, 'orders')).toEqual(truthIds(sim, 'orders'));
  });

  it('sends the page-size parameter only when both halves are configured', async () => {
    const { sim, client } = await connect(
      {},
      { endpointOptions: { orders: { pageSizeParam: 'pageSize', pageSize: 7 }, products: { pageSize: 3 } } },
    );
    expect((await client.fetchPage('orders', null)).records).toHaveLength(7);
    expect((await client.fetchPage('products', null)).records).toHaveLength(10);
    expect(sim.stats().badRequests).toBe(0);
  });

  it('waits out a 429 with Retry-After: 2', async () => {
    const { sim, client } = await connect();
    sim.faults.once('429', { endpoint: 'orders', retryAfter: 2 });
    const started = Date.now();
    const page = await client.fetchPage('orders', null);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(page.records).toHaveLength(10);
    expect(sim.stats().requests.orders).toBe(2);
  });

  it('honours Retry-After given as an HTTP-date', async () => {
    const { sim, client } = await connect();
    sim.faults.once('503', { endpoint: 'orders', retryAfter: new Date(Date.now() + 2_500).toUTCString() });
    const started = Date.now();
    await client.fetchPage('orders', null);
    // HTTP-dates have whole seconds: at least 1.5 s of the 2.5 s remain after rounding.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(sim.stats().requests.orders).toBe(2);
  });

  it('throws RateLimited with retryAfterMs when 429s outlast the retries, or Retry-After exceeds the cap', async () => {
    const { sim, client } = await connect({}, { retry: { retries: 1, baseMs: 10 } });
    sim.faults.set({ rate: 1, kinds: ['429'], retryAfter: 1 });
    const err = await caught(() => client.fetchPage('orders', null));
    scan.text(err);
    expect(err).toBeInstanceOf(RateLimited);
    expect((err as RateLimited).retryAfterMs).toBe(1_000);
    expect(sim.stats().requests.orders).toBe(2);

    sim.faults.clear();
    sim.resetStats();
    sim.faults.once('429', { endpoint: 'orders', retryAfter: 3600 });
    const started = Date.now();
    const long = await caught(() => client.fetchPage('orders', null));
    scan.text(long);
    expect(long).toBeInstanceOf(RateLimited);
    expect((long as RateLimited).retryAfterMs).toBe(3_600_000);
    // Not a speed check: the client must not sit out the hour it was told to wait.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(sim.stats().requests.orders).toBe(1);
  });

  it('completes a walk under 10% injected 429/5xx/reset/truncated faults with every record', async () => {
    const { sim, client } = await connect({ records: { orders: 400 }, seed: 11 });
    sim.faults.set({
      rate: 0.1,
      kinds: ['429', '500', '502', '503', 'reset', 'truncated', 'html', 'empty', 'malformed'],
      retryAfter: 1,
    });
    const ids = await walkIds(client, 'orders');
    expect(ids).toEqual(truthIds(sim, 'orders'));
    const injected = Object.values(sim.stats().faultsInjected).reduce((a, b) => a + b, 0);
    expect(injected).toBeGreaterThanOrEqual(3);
  });

  it('retries a request that timed out', async () => {
    const { sim, client } = await connect({}, { timeoutMs: 300 });
    sim.faults.once('slow', { endpoint: 'orders', delayMs: 1_500 });
    const page = await client.fetchPage('orders', null);
    expect(page.records).toHaveLength(10);
    expect(sim.stats().requests.orders).toBe(2);
  });

  it('gives up on transient failures after the retries, with the typed error', async () => {
    const { sim, client } = await connect({}, { retry: { retries: 2, baseMs: 5 } });
    sim.faults.set({ rate: 1, kinds: ['500'] });
    const server = await caught(() => client.fetchPage('orders', null));
    expect(server).toBeInstanceOf(ServerError);
    expect(isTransient(server)).toBe(true);
    expect((server as ServerError).status).toBe(500);
    sim.faults.set({ rate: 1, kinds: ['reset'] });
    const reset = await caught(() => client.fetchPage('orders', null));
    expect(reset).toBeInstanceOf(NetworkError);
    sim.faults.set({ rate: 1, kinds: ['truncated'] });
    const cut = await caught(() => client.fetchPage('orders', null));
    expect(cut).toBeInstanceOf(ProtocolError);
    expect(isTransient(cut)).toBe(true);
    expect(sim.stats().requests.orders).toBe(9);
    scan.text(server, reset, cut);
  });

  it('detects a paging loop', async () => {
    const { sim, client } = await connect();
    // The second page links back to itself.
    sim.faults.once('loop', { endpoint: 'orders', nth: 2 });
    const err = await caught(() => walkIds(client, 'orders'));
    scan.text(err);
    expect(err).toBeInstanceOf(PagingLoop);
    expect(err.message).toMatch(/paging loop/);
    expect(sim.stats().requests.orders).toBe(2);
  });

  it('does not retry 400, 403 or 404', async () => {
    const { sim, client } = await connect();
    const bad = await caught(() => client.fetchPage('orders', 'not-a-cursor'));
    expect(bad).toBeInstanceOf(BadRequest);
    expect((bad as OneCoreError).status).toBe(400);
    expect((bad as OneCoreError).endpoint).toBe('orders');
    expect((bad as OneCoreError).excerpt).toContain('invalid cursor');
    expect(sim.stats().requests.orders).toBe(1);

    const forbidden = await caught(() => client.fetchPage('apiusers', null));
    expect(forbidden).toBeInstanceOf(Forbidden);
    expect(sim.stats().requests.apiusers).toBe(1);

    const missing = await caught(() => client.fetchPage('nosuchthing', null));
    expect(missing).toBeInstanceOf(NotFound);
    expect(isTransient(bad) || isTransient(forbidden) || isTransient(missing)).toBe(false);
    scan.text(bad, forbidden, missing);
  });

  it('fetches the OpenAPI document with the same client', async () => {
    const { sim, client } = await connect();
    sim.faults.once('500', { endpoint: 'orders' }); // not for this route; just proves nothing leaks across
    const doc = (await client.getJson('/swagger/v2/swagger.json')) as { paths?: Record<string, unknown> };
    expect(Object.keys(doc.paths ?? {})).toContain('/api/v2/orders');
  });

  it('stops at once when the caller aborts, even during a Retry-After wait', async () => {
    const { sim, client } = await connect();
    sim.faults.once('429', { endpoint: 'orders', retryAfter: 30 });
    const abort = new AbortController();
    const started = Date.now();
    setTimeout(() => abort.abort(new Error('shutdown')), 200);
    const err = await caught(() => client.fetchPage('orders', null, abort.signal));
    expect(err.message).toBe('shutdown');
    // Not a speed check: it must not sit out the 30 s Retry-After.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('caps the request rate for the whole shop across clients (maxRps 20: 40 requests take ≥ ~1.9 s)', async () => {
    const { sim, tokens } = await connect();
    await tokens.getAccessToken();
    const clients = [0, 1].map(() =>
      createOneCoreClient({
        baseUrl: sim.url,
        tokens,
        log,
        rateLimiter: createRateLimiter({ pool: db.pool, maxRps: 20, key: 'rate-test' }),
      }),
    );
    const started = Date.now();
    await Promise.all(clients.flatMap((c) => Array.from({ length: 20 }, () => c.fetchPage('orders', null))));
    const elapsed = Date.now() - started;
    for (const c of clients) await c.close();
    expect(elapsed).toBeGreaterThanOrEqual(1_800);
    // Loose on purpose: only that the cap does not serialize far below its rate.
    expect(elapsed).toBeLessThan(20_000);
    expect(sim.stats().requests.orders).toBe(40);
  });
});

describe('secrets', () => {
  it('no token value appears in any log line or error message of this file', async () => {
    await scan.tokensFrom(db.pool);
    expect(scan.tokens.size).toBeGreaterThan(3);
    expect(scan.texts.length).toBeGreaterThan(10);
    expect(scan.texts.join('\n')).toContain('request failed; retrying');
    expect(scan.leaks()).toEqual([]);
  });
});

describe('envelope variants (readEnvelope)', () => {
  const ctx = { endpoint: 'orders', cursor: null };
  it('reads records at a dotted path or one level down, metadata under meta/pagination/pageInfo, nextCursor/endCursor and Link headers', () => {
    expect(readEnvelope({ result: { items: [1, 2] }, meta: { hasNext: true, next: 'c1' } }, ctx)).toEqual({
      page: { records: [1, 2], cursor: null, next: 'c1', hasNext: true },
      shape: {
        recordsPath: 'result.items',
        metaKey: 'meta',
        metaFields: ['hasNext', 'next'],
        nextField: 'next',
        nextForm: 'bare cursor',
      },
    });
    expect(
      parsePage(
        { Result: { Items: [1], Other: [2] }, Meta: { HasNext: false } },
        { ...ctx, recordsKey: 'result.items' },
      ).records,
    ).toEqual([1]);
    expect(() => parsePage({ result: { items: [1], other: [2] }, meta: { hasNext: false } }, ctx)).toThrow(
      /several array properties \(result.items, result.other\).*dotted path/,
    );
    expect(parsePage({ data: [1], pagination: { nextCursor: 'n+/=' } }, ctx)).toMatchObject({
      next: 'n+/=',
      hasNext: true,
    });
    expect(parsePage({ data: [1], pageInfo: { hasNextPage: true, endCursor: 'e1' } }, ctx)).toMatchObject({
      next: 'e1',
      hasNext: true,
    });
    expect(parsePage({ data: [1], pageInfo: { hasNextPage: false, endCursor: 'e1' } }, ctx)).toMatchObject({
      hasNext: false,
    });
    const linked = readEnvelope(
      { items: [1], metadata: { hasNext: true } },
      {
        ...ctx,
        link: '<https://s.example/api/v2/orders?before=a>; rel="prev", <https://s.example/api/v2/orders?after=%2B%2F>; rel="next"',
      },
    );
    expect(linked.page).toMatchObject({ next: '+/', hasNext: true });
    expect(linked.shape).toMatchObject({ nextField: 'Link', nextForm: 'url' });
    expect(() => parsePage({ items: [1], metadata: { hasNext: true } }, ctx)).toThrow(/no cursor to follow/);
    expect(nextFromLinkHeader('<a?after=1>; rel=next')).toBe('a?after=1');
    expect(nextFromLinkHeader('<a?after=1>; rel="prev"')).toBeNull();
  });
});
