/**
 * A glitching or hostile shop (issue #12): answers too large to hold, endless paging, a
 * Retry-After of years, links to other origins. A small hostile HTTP server stands in front of
 * the simulator and answers what the test scripts; everything else passes through.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOneCoreClient } from '../src/onecore/client.js';
import { createTokenService } from '../src/onecore/tokenService.js';
import { storeRefreshToken } from '../src/onecore/credentialsStore.js';
import { isTransient } from '../src/onecore/errors.js';
import { classifyFailure } from '../src/jobs/classifyFailure.js';
import { runCli } from './helpers/cli.js';
import { startStack, type Stack } from './helpers/stack.js';
import { startHostileServer, type HostileServer } from './helpers/hostileServer.js';
import { caught } from './helpers/secretScan.js';

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
  const c = createOneCoreClient({ baseUrl: hostile.url, tokens, log: stack.log, retry: { baseMs: 10, retries: 1 }, ...extra });
  return { c, close: async () => { await c.close(); await tokens.close(); } };
}

describe('response size limit (ONECORE_MAX_RESPONSE_BYTES)', () => {
  it('a body announced larger than the limit is refused before it is read, with a clear error that is not retried', async () => {
    hostile.always('/orders', { status: 200, headers: { 'content-type': 'application/json', 'content-length': String(50_000_000) }, handle: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50_000_000) });
      res.write('{"items": [');
      // Never finishes: the client must not wait for (or hold) the rest.
    } });
    const { c, close } = client({ maxResponseBytes: 1_000_000 });
    const err = await caught(() => c.fetchPage('orders', null));
    await close();
    expect(err.name).toBe('ResponseTooLarge');
    expect(err.message).toMatch(/orders: response body of 50000000 bytes \(Content-Length\) is larger than ONECORE_MAX_RESPONSE_BYTES \(1000000 bytes\)/);
    expect(isTransient(err)).toBe(false);
    expect(classifyFailure(err)).toBe('final');
  });

  it('a streamed body (no Content-Length) is cut off at the limit', async () => {
    hostile.always('/orders', { handle: (_req, res) => {
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
    } });
    const { c, close } = client({ maxResponseBytes: 1_000_000 });
    const err = await caught(() => c.fetchPage('orders', null));
    await close();
    expect(err.name).toBe('ResponseTooLarge');
    expect(err.message).toMatch(/larger than ONECORE_MAX_RESPONSE_BYTES \(1000000 bytes\)/);
  });

  it('sync: the endpoint fails with that line, exit 1; a bad setting is refused with exit 2', async () => {
    const env = { ...stack.env, ONECORE_BASE_URL: hostile.url, ONECORE_ENDPOINTS: 'orders', ONECORE_MAX_RESPONSE_BYTES: '2000' };
    const run = await runCli(['sync'], env);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^orders: .*larger than ONECORE_MAX_RESPONSE_BYTES \(2000 bytes\)/m);
    const bad = await runCli(['sync'], { ...env, ONECORE_MAX_RESPONSE_BYTES: 'lots' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ONECORE_MAX_RESPONSE_BYTES must be a number/);
  });
});
