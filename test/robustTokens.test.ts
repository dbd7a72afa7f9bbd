/**
 * Token renewal under hostile conditions (issue #12, items 2 and 3): a session that ends while the
 * shop thinks, two processes renewing at once, answers that cannot be stored as sent, proxies
 * that answer for the shop, and a pause that heals itself.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { createPool, type Pool } from '../src/db/createPool.js';
import { createOneCoreClient } from '../src/onecore/client.js';
import { createTokenService, type TokenService } from '../src/onecore/tokenService.js';
import { readCredentials, storeRefreshToken } from '../src/db/sql/credentials.js';
import { AuthFailed, isTransient } from '../src/onecore/errors.js';
import { classifyFailure } from '../src/jobs/classifyFailure.js';
import { MAX_EXPIRES_IN } from '../src/onecore/renewalAnswer.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { startHostileServer, type HostileServer } from './helpers/hostileServer.js';
import { SecretScan, caught } from './helpers/secretScan.js';

const scan = new SecretScan();
const log = scan.logger();
let db: TestDatabase;
/** Sessions opened after `idle_in_transaction_session_timeout = 1s` was set on the database. */
let pool: Pool;
let otherPool: Pool;
let sim: Simulator;
let hostile: HostileServer;
const services: TokenService[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  // What a cautious DBA sets: a transaction left open across a slow HTTP call is killed after 1 s.
  await db.pool.query(`alter database ${db.name} set idle_in_transaction_session_timeout = '1s'`);
  pool = createPool(db.url, undefined, 5);
  otherPool = createPool(db.url, undefined, 5);
});
afterAll(async () => {
  await pool?.end();
  await otherPool?.end();
  await db?.drop();
});
afterEach(async () => {
  await scan.tokensFrom(db.pool);
  for (const s of services.splice(0)) await s.close();
  await hostile?.close();
  if (sim) {
    scan.token(sim.refreshToken);
    await sim.close();
  }
  await db.pool.query('delete from onecore_sync.credentials');
});

async function shop(): Promise<void> {
  sim = await startSimulator({ records: 30, pageSize: 10 });
  scan.token(sim.refreshToken);
  hostile = await startHostileServer(sim.url);
  await storeRefreshToken(pool, sim.refreshToken, 'test');
}

function service(p: Pool = pool, retries = 6): TokenService {
  const s = createTokenService({ pool: p, baseUrl: hostile.url, log, retry: { baseMs: 20, capMs: 200, retries } });
  services.push(s);
  return s;
}

/** A real rotation by the simulator, answered to nobody yet: what a hostile answer will carry. */
async function rotateAtTheShop(): Promise<{ refreshToken: string; accessToken: string }> {
  sim.rotateNow();
  const res = await fetch(`${sim.url}/api/v2/tokens/renewtokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: sim.refreshToken }),
  });
  const body = (await res.json()) as { refreshToken: string; accessToken: string };
  scan.token(body.refreshToken, body.accessToken);
  return body;
}

describe('no HTTP call inside a transaction; the rotated token is written the moment it arrives', () => {
  it('a 3 s renewal under idle_in_transaction_session_timeout = 1s: the rotated refresh token is stored and the access token works', async () => {
    await shop();
    expect(
      (await pool.query('show idle_in_transaction_session_timeout')).rows[0].idle_in_transaction_session_timeout,
    ).toBe('1s');
    const before = sim.refreshToken;
    sim.rotateNow();
    sim.faults.once('slow', { endpoint: 'renewtokens', delayMs: 3000 });
    const tokens = service();
    const client = createOneCoreClient({ baseUrl: hostile.url, tokens, log });
    const page = await client.fetchPage('orders', null);
    await client.close();
    expect(page.records).toHaveLength(10);
    expect(sim.refreshToken).not.toBe(before);
    const row = await readCredentials(pool);
    expect(row?.refreshToken).toBe(sim.refreshToken);
    expect(row?.previousRefreshToken).toBe(before);
    expect(sim.stats().renewCalls).toBe(1);
    expect(sim.stats().renewRefused).toBe(0);
  });

  it('two processes (separate pools and sessions) renewing at once during a 3 s renewal: one renew call, the same token for both', async () => {
    await shop();
    sim.rotateNow();
    sim.faults.once('slow', { endpoint: 'renewtokens', delayMs: 3000 });
    const [a, b] = await Promise.all([service(pool).getAccessToken(), service(otherPool).getAccessToken()]);
    expect(a).toBe(b);
    expect(sim.stats().renewCalls).toBe(1);
    expect((await readCredentials(pool))?.refreshToken).toBe(sim.refreshToken);
  });

  it.each([
    ['1e16', 1e16],
    ['negative', -5],
    ['not a number', 'soon'],
    ['absent', undefined],
  ])('expiresIn %s: the answer is stored, with a sane expiry', async (_name, expiresIn) => {
    await shop();
    const real = await rotateAtTheShop();
    hostile.script('/renewtokens', {
      status: 200,
      body: JSON.stringify({
        refreshToken: real.refreshToken,
        accessToken: real.accessToken,
        ...(expiresIn !== undefined ? { expiresIn } : {}),
      }),
    });
    const t0 = Date.now();
    expect(await service().getAccessToken()).toBe(real.accessToken);
    const row = await readCredentials(pool);
    expect(row?.refreshToken).toBe(real.refreshToken);
    const expiry = row!.accessTokenExpiresAt!.getTime();
    expect(expiry).toBeGreaterThan(t0);
    expect(expiry).toBeLessThanOrEqual(Date.now() + MAX_EXPIRES_IN * 1000);
  });

  it('a rotated refresh token in an answer without an access token is stored at once; the next renewal uses it', async () => {
    await shop();
    const real = await rotateAtTheShop();
    hostile.script('/renewtokens', {
      status: 200,
      body: JSON.stringify({ refreshToken: real.refreshToken, expiresIn: 3600 }),
    });
    const tokens = service();
    const err = await caught(() => tokens.getAccessToken());
    scan.text(err);
    expect(err).not.toBeInstanceOf(AuthFailed);
    expect(isTransient(err)).toBe(true);
    expect(err.message).toMatch(/no usable accessToken/);
    const row = await readCredentials(pool);
    expect(row?.refreshToken).toBe(real.refreshToken);
    expect(row?.accessToken).toBeNull();
    expect(row?.authFailedAt).toBeNull();
    // The next attempt goes to the shop with the rotated token, which it accepts.
    sim.resetStats();
    expect(await tokens.getAccessToken()).toBeTruthy();
    expect(sim.stats().renewRefused).toBe(0);
  });
});

describe('only the shop can refuse a token', () => {
  it('a proxy 403 HTML page, a 401 HTML page and a 502 are transient: retried with backoff, nothing recorded, then renewed', async () => {
    await shop();
    hostile.script(
      '/renewtokens',
      {
        status: 403,
        headers: { 'content-type': 'text/html' },
        body: '<html><body><h1>403 Forbidden</h1>nginx</body></html>',
      },
      { status: 401, headers: { 'content-type': 'text/html' }, body: '<html>Authorization Required</html>' },
      { status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Bad Gateway</html>' },
    );
    expect(await service().getAccessToken()).toBeTruthy();
    expect(hostile.seen.filter((r) => r.path.endsWith('/renewtokens'))).toHaveLength(4);
    const row = await readCredentials(pool);
    expect(row?.authFailedAt).toBeNull();
  });

  it('a proxy 403 on every attempt fails the walk as transient (retried later), never as an authentication failure', async () => {
    await shop();
    hostile.always('/renewtokens', {
      status: 403,
      headers: { 'content-type': 'text/html' },
      body: '<html>Access denied by policy</html>',
    });
    const err = await caught(() => service(pool, 2).getAccessToken());
    scan.text(err);
    expect(err).not.toBeInstanceOf(AuthFailed);
    expect(isTransient(err)).toBe(true);
    expect(classifyFailure(err)).toBe('retry');
    expect(err.message).toMatch(/403/);
    expect((await readCredentials(pool))?.authFailedAt).toBeNull();
  });

  it('a 401 JSON answer is a definite refusal (AuthFailed, recorded); while paused the held tokens are tried again on the slow schedule', async () => {
    await shop();
    hostile.always('/renewtokens', {
      status: 401,
      headers: { 'content-type': 'application/json' },
      body: '{"message":"Refresh token is invalid"}',
    });
    const tokens = service();
    expect(await caught(() => tokens.getAccessToken())).toBeInstanceOf(AuthFailed);
    expect((await readCredentials(pool))?.authFailedAt).not.toBeNull();
    const asked = () => hostile.seen.filter((r) => r.path.endsWith('/renewtokens')).length;
    const n = asked();

    // Not due yet (10 minutes): nobody asks the shop.
    expect(await tokens.retryHeldTokens(600_000)).toBe(false);
    expect(asked()).toBe(n);
    // Due, shop still refuses: still failed, one more question.
    expect(await tokens.retryHeldTokens(0)).toBe(false);
    expect(asked()).toBe(n + 1);
    // Whatever refused us is gone: the next re-try renews and clears the failure, no human needed.
    hostile.always('/renewtokens', null);
    expect(await tokens.retryHeldTokens(0)).toBe(true);
    const row = await readCredentials(pool);
    expect(row?.authFailedAt).toBeNull();
    expect(row?.accessToken).not.toBeNull();
    expect(await tokens.getAccessToken()).toBe(row?.accessToken);
  });

  it('no token in any log line or error of this file', async () => {
    await scan.tokensFrom(db.pool);
    expect(scan.leaks()).toEqual([]);
  });
});
