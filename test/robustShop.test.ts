/**
 * A glitching or hostile shop (issue #12): answers too large to hold, endless paging, a
 * Retry-After of years, links to other origins. A small hostile HTTP server stands in front of
 * the simulator and answers what the test scripts; everything else passes through.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOneCoreClient } from '../src/onecore/client.js';
import { createTokenService } from '../src/onecore/tokenService.js';
import { storeRefreshToken } from '../src/db/sql/credentials.js';
import { isTransient } from '../src/onecore/errors.js';
import { classifyFailure } from '../src/jobs/classifyFailure.js';
import { runCli } from './helpers/cli.js';
import { startStack, type Stack } from './helpers/stack.js';
import { startHostileServer, type HostileServer } from './helpers/hostileServer.js';
import { caught } from './helpers/secretScan.js';
import { isLoopback, warnIfPlainHttp } from '../src/onecore/transportWarning.js';

let stack: Stack;
let hostile: HostileServer;

beforeAll(async () => {
  stack = await startStack({ sim: { records: 120, pageSize: 50 } });
  hostile = await startHostileServer(stack.sim.url);
  await storeRefreshToken(stack.db.pool, stack.sim.refreshToken, 'test');
});
afterAll(async () => {
  await hostile?.close();
  await stack?.close();
});
afterEach(() => {
  hostile.always('/orders', null);
});

function client(extra: { maxResponseBytes?: number } = {}) {
  const tokens = createTokenService({ pool: stack.db.pool, baseUrl: hostile.url, log: stack.log });
  const c = createOneCoreClient({
    baseUrl: hostile.url,
    tokens,
    log: stack.log,
    retry: { baseMs: 10, retries: 1 },
    ...extra,
  });
  return {
    c,
    close: async () => {
      await c.close();
      await tokens.close();
    },
  };
}

describe('response size limit (ONECORE_MAX_RESPONSE_BYTES)', () => {
  it('a body announced larger than the limit is refused before it is read, with a clear error that is not retried', async () => {
    hostile.always('/orders', {
      status: 200,
      headers: { 'content-type': 'application/json', 'content-length': String(50_000_000) },
      handle: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50_000_000) });
        res.write('{"items": [');
        // Never finishes: the client must not wait for (or hold) the rest.
      },
    });
    const { c, close } = client({ maxResponseBytes: 1_000_000 });
    const err = await caught(() => c.fetchPage('orders', null));
    await close();
    expect(err.name).toBe('ResponseTooLarge');
    expect(err.message).toMatch(
      /orders: response body of 50000000 bytes \(Content-Length\) is larger than ONECORE_MAX_RESPONSE_BYTES \(1000000 bytes\)/,
    );
    expect(isTransient(err)).toBe(false);
    expect(classifyFailure(err)).toBe('final');
  });

  it('a streamed body (no Content-Length) is cut off at the limit', async () => {
    hostile.always('/orders', {
      handle: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const push = () => {
          while (sent < 40 && res.write(chunk)) sent++;
          if (sent < 40) res.once('drain', push);
          else res.end();
        };
        res.write('{"items": [');
        push();
      },
    });
    const { c, close } = client({ maxResponseBytes: 1_000_000 });
    const err = await caught(() => c.fetchPage('orders', null));
    await close();
    expect(err.name).toBe('ResponseTooLarge');
    expect(err.message).toMatch(/larger than ONECORE_MAX_RESPONSE_BYTES \(1000000 bytes\)/);
  });

  it('sync: the endpoint fails with that line, exit 1; a bad setting is refused with exit 2', async () => {
    const env = {
      ...stack.env,
      ONECORE_BASE_URL: hostile.url,
      ONECORE_ENDPOINTS: 'orders',
      ONECORE_MAX_RESPONSE_BYTES: '2000',
    };
    const run = await runCli(['sync'], env);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^orders: .*larger than ONECORE_MAX_RESPONSE_BYTES \(2000 bytes\)/m);
    const bad = await runCli(['sync'], { ...env, ONECORE_MAX_RESPONSE_BYTES: 'lots' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ONECORE_MAX_RESPONSE_BYTES must be a number/);
  });
});

describe('endless paging', () => {
  it('a cycle through several cursors (A → B → C → A) stops the walk with PagingLoop, not only a repeat of the previous cursor', async () => {
    const page = (next: string) =>
      JSON.stringify({ items: [{ id: `r-${next}` }], metadata: { hasNext: true, next: `after=${next}` } });
    hostile.always('/orders', {
      handle: (req, res) => {
        const after = new URL(req.url ?? '/', 'http://x').searchParams.get('after');
        const next = after === null ? 'A' : after === 'A' ? 'B' : after === 'B' ? 'C' : 'A';
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(page(next));
      },
    });
    const run = await runCli(['sync', '--endpoint', 'orders'], { ...stack.env, ONECORE_BASE_URL: hostile.url });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(
      /^orders: PagingLoop: orders: paging loop: after 4 page\(s\) the API linked again to cursor "A"/m,
    );
  });

  it('ONECORE_MAX_PAGES_PER_WALK: a walk past the limit fails clearly and releases the endpoint', async () => {
    const env = { ...stack.env, ONECORE_BASE_URL: hostile.url, ONECORE_MAX_PAGES_PER_WALK: '2' };
    const run = await runCli(['sync', '--mode', 'mirror', '--endpoint', 'orders'], env);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(
      /^orders: PagingLimit: .*after 2 pages in this walk, the limit ONECORE_MAX_PAGES_PER_WALK/m,
    );
    // Released: the next walk takes the endpoint (it is not "already being walked").
    const again = await runCli(['sync', '--mode', 'mirror', '--endpoint', 'orders'], {
      ...env,
      ONECORE_MAX_PAGES_PER_WALK: '10',
    });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const { rows } = await stack.db.pool.query(
      `select status from onecore_sync.sync_runs where endpoint = 'orders' and mode = 'mirror' order by id`,
    );
    expect(rows.map((r) => r.status)).toEqual(['failed', 'succeeded']);
  });
});

describe('Retry-After of ten years', () => {
  it('the client does not wait or park: RateLimited beyond ONECORE_MAX_RETRY_AFTER_MS, naming the request', async () => {
    hostile.always('/orders', {
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': String(10 * 365 * 86400) },
      body: '{"message":"slow down"}',
    });
    const tokens = createTokenService({ pool: stack.db.pool, baseUrl: hostile.url, log: stack.log });
    const c = createOneCoreClient({
      baseUrl: hostile.url,
      tokens,
      log: stack.log,
      retry: { baseMs: 10 },
      maxParkMs: 15 * 60_000,
    });
    const t0 = Date.now();
    const err = await caught(() => c.fetchPage('orders', null));
    await c.close();
    await tokens.close();
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(err.name).toBe('RateLimited');
    expect((err as { beyondCap?: boolean }).beyondCap).toBe(true);
    expect(err.message).toMatch(
      /retry after 315360000 s\); the shop asks for longer than ONECORE_MAX_RETRY_AFTER_MS \(900 s\)/,
    );
  });
});

describe('the token goes to the shop only', () => {
  it('a document on another origin is fetched without the access token; the shop gets it', async () => {
    const other = await startHostileServer(stack.sim.url);
    try {
      other.always('/openapi.json', { status: 200, body: '{"paths": {}}' });
      const tokens = createTokenService({ pool: stack.db.pool, baseUrl: hostile.url, log: stack.log });
      const c = createOneCoreClient({ baseUrl: hostile.url, tokens, log: stack.log });
      expect(await c.getJson(`${other.url}/openapi.json`)).toEqual({ paths: {} });
      await c.fetchPage('orders', null);
      await c.close();
      await tokens.close();
      expect(other.seen.map((r) => r.authorization)).toEqual([undefined]);
      expect(hostile.seen.filter((r) => r.path.endsWith('/orders')).at(-1)?.authorization).toMatch(/^PublicApiV2 /);
    } finally {
      await other.close();
    }
  });

  it('plain http:// to another machine is warned about once, loudly; loopback and https are not', () => {
    const lines: Array<{ level: string; msg: string }> = [];
    const log = { error: (_o: unknown, msg: string) => lines.push({ level: 'error', msg }) } as unknown as Parameters<
      typeof warnIfPlainHttp
    >[1];
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('[::1]')).toBe(true);
    expect(isLoopback('localhost')).toBe(true);
    expect(isLoopback('shop.example.com')).toBe(false);
    expect(warnIfPlainHttp('http://127.0.0.1:8080', log)).toBe(false);
    expect(warnIfPlainHttp('https://shop.example.com', log)).toBe(false);
    expect(warnIfPlainHttp('http://shop.example.com', log)).toBe(true);
    expect(warnIfPlainHttp('http://shop.example.com', log)).toBe(true);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toMatch(/plain http:\/\/ to shop.example.com.*unencrypted/);
  });
});
