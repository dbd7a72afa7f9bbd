/**
 * The shared token service against the simulator and a real Postgres, with real separate
 * processes: one renewal for a whole fleet, rotation never loses the newest refresh token, a kill
 * between the shop's answer and our commit is survivable, refusal ends in AuthFailed (not a loop),
 * the CLI never prints a token, and no token reaches a log line or an error message.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/simulator/index.js';
import { createOneCoreClient } from '../src/onecore/client.js';
import { createTokenService, type TokenService, type TokenServiceOptions } from '../src/onecore/tokenService.js';
import { readCredentials, storeRefreshToken } from '../src/db/sql/credentials.js';
import { AUTH_FAILED_MESSAGE, AuthFailed, Unauthorized } from '../src/onecore/errors.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { ROOT, runCli } from './helpers/cli.js';
import { SecretScan, caught } from './helpers/secretScan.js';

const WORKER = fileURLToPath(new URL('./fixtures/tokenWorker.ts', import.meta.url));
const scan = new SecretScan();
const log = scan.logger();
let db: TestDatabase;
const sims: Simulator[] = [];
const services: TokenService[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});
afterEach(async () => {
  await scan.tokensFrom(db.pool);
  for (const s of services.splice(0)) await s.close();
  for (const sim of sims.splice(0)) {
    scan.token(sim.refreshToken);
    await sim.close();
  }
  // Every test starts without credentials, as on a fresh install.
  await db.pool.query('delete from onecore_sync.credentials');
});

async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ records: 30, pageSize: 10, ...options });
  sims.push(sim);
  scan.token(sim.refreshToken);
  return sim;
}

function service(sim: Simulator, extra: Partial<TokenServiceOptions> = {}): TokenService {
  const s = createTokenService({ pool: db.pool, baseUrl: sim.url, log, retry: { baseMs: 20 }, ...extra });
  services.push(s);
  return s;
}

interface Child {
  lines: string[];
  stderr: string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  send(line: string): void;
  waitFor(predicate: (line: string) => boolean): Promise<void>;
}

/** A separate Node process running test/fixtures/tokenWorker.ts; its stdout and stderr join the scan. */
function worker(sim: Simulator, env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, ONECORE_BASE_URL: sim.url, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let buffered = '';
  const c: Child = {
    lines,
    stderr: '',
    done: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal }))),
    send: (line) => child.stdin.write(line + '\n'),
    waitFor: (predicate) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (lines.some(predicate)) resolve();
          else waiters.push(check);
        };
        c.done.then(() =>
          lines.some(predicate)
            ? resolve()
            : reject(new Error(`worker ended without the expected output: ${c.stderr.slice(-2000)}`)),
        );
        check();
      }),
  };
  child.stdout.on('data', (d: Buffer) => {
    buffered += String(d);
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const p of parts) {
      lines.push(p);
      scan.text(p);
    }
    for (const w of waiters.splice(0)) w();
  });
  child.stderr.on('data', (d: Buffer) => {
    c.stderr += String(d);
    scan.text(String(d));
  });
  return c;
}

function result<T>(c: Child): T {
  const last = c.lines.filter((l) => l.startsWith('{')).at(-1);
  if (!last) throw new Error(`worker printed no result; stderr: ${c.stderr.slice(-2000)}`);
  return JSON.parse(last) as T;
}

/** Three processes, ready and waiting, then 50 requests at once (17 + 17 + 16). */
async function burst(sim: Simulator): Promise<Array<{ ok: number; failed: number; errors: string[] }>> {
  const counts = [17, 17, 16];
  const children = counts.map((n) => worker(sim, { WORKER_MODE: 'burst', WORKER_REQUESTS: String(n) }));
  await Promise.all(children.map((c) => c.waitFor((l) => l === '"ready"')));
  for (const c of children) c.send('go');
  const exits = await Promise.all(children.map((c) => c.done));
  expect(exits.map((e) => e.code)).toEqual([0, 0, 0]);
  return children.map((c) => result(c));
}

describe('one renewal for the whole fleet', () => {
  it('50 concurrent requests from 3 processes with an access token the shop expired → exactly one renew call', async () => {
    const sim = await simulator();
    await storeRefreshToken(db.pool, sim.refreshToken, 'test');
    // A valid token in Postgres that the shop no longer accepts: every request gets a 401 first.
    await service(sim).getAccessToken();
    sim.expireAccessTokens();
    sim.resetStats();

    const results = await burst(sim);
    expect(results.reduce((n, r) => n + r.ok, 0)).toBe(50);
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    const stats = sim.stats();
    expect(stats.renewCalls).toBe(1);
    expect(stats.requests.orders).toBe(50 + stats.unauthorized);
    expect(stats.unauthorized).toBeGreaterThan(0);
  });

  it('50 concurrent requests from 3 processes when Postgres says the access token expired → exactly one renew call', async () => {
    const sim = await simulator();
    await storeRefreshToken(db.pool, sim.refreshToken, 'test');
    await service(sim).getAccessToken();
    sim.expireAccessTokens();
    await db.pool.query(`update onecore_sync.credentials set access_token_expires_at = now() - interval '1 second'`);
    sim.resetStats();

    const results = await burst(sim);
    expect(results.reduce((n, r) => n + r.ok, 0)).toBe(50);
    const stats = sim.stats();
    expect(stats.renewCalls).toBe(1);
    // Renewed ahead of use: no request went out with the expired token.
    expect(stats.unauthorized).toBe(0);
  });

  it('bootstraps from ONECORE_REFRESH_TOKEN once, and again only when the operator changes it', async () => {
    const sim = await simulator();
    const original = sim.refreshToken;
    const first = service(sim, { bootstrapRefreshToken: original });
    await first.getAccessToken();
    let row = await readCredentials(db.pool);
    expect(row?.source).toBe('environment');
    // The shop rotates; the environment still holds the original token.
    sim.rotateNow();
    await first.onUnauthorized(row!.accessToken!);
    row = await readCredentials(db.pool);
    expect(row?.refreshToken).toBe(sim.refreshToken);
    expect(row?.refreshToken).not.toBe(original);
    // A restart with the same environment must not put the replaced token back.
    await service(sim, { bootstrapRefreshToken: original }).onUnauthorized(row!.accessToken!);
    expect((await readCredentials(db.pool))?.refreshToken).toBe(sim.refreshToken);
    expect(sim.stats().renewRefused).toBe(0);
    // The operator changes the environment: the new token is tried first (here it is wrong, so
    // the shop refuses it and the working one, kept as previous, takes over again).
    scan.token('operator-replaced-token-0123456789');
    await service(sim, { bootstrapRefreshToken: 'operator-replaced-token-0123456789' }).getAccessToken();
    expect(sim.stats().renewRefused).toBe(1);
    row = await readCredentials(db.pool);
    expect(row?.refreshToken).toBe(sim.refreshToken);
  });
});

describe('rotation', () => {
  it('rotation during long walks in two processes: the newest refresh token is in Postgres, a restart continues, nothing refused', async () => {
    const sim = await simulator({
      records: { orders: 100, products: 100, invoices: 6 },
      pageSize: 4,
      accessTokenTtlSeconds: 1,
      rotateAfterSeconds: 1,
      latencyMs: 150,
    });
    await storeRefreshToken(db.pool, sim.refreshToken, 'test');
    const walkers = ['orders', 'products'].map((endpoint) =>
      worker(sim, { WORKER_MODE: 'walk', WORKER_ENDPOINT: endpoint }),
    );
    const exits = await Promise.all(walkers.map((w) => w.done));
    expect(exits.map((e) => e.code)).toEqual([0, 0]);
    expect(result<{ ids: string[] }>(walkers[0]!).ids).toEqual(
      sim.truth('orders').map((r) => (r as { id: string }).id),
    );
    expect(result<{ ids: string[] }>(walkers[1]!).ids).toHaveLength(100);

    const stats = sim.stats();
    expect(stats.rotations).toBeGreaterThanOrEqual(2);
    expect(stats.renewRefused).toBe(0);
    const row = await readCredentials(db.pool);
    expect(row?.refreshToken).toBe(sim.refreshToken);
    expect(row?.rotatedAt).not.toBeNull();
    scan.token(row?.previousRefreshToken);

    // "Restart": a new process, with only what Postgres holds, after its access token expired.
    await new Promise((r) => setTimeout(r, 1_100));
    const next = worker(sim, { WORKER_MODE: 'walk', WORKER_ENDPOINT: 'invoices' });
    expect((await next.done).code).toBe(0);
    expect(result<{ ids: string[] }>(next).ids).toHaveLength(6);
    expect(sim.stats().renewRefused).toBe(0);
    expect((await readCredentials(db.pool))?.refreshToken).toBe(sim.refreshToken);
  });
});

describe('a renewal whose commit was lost', () => {
  /**
   * The one window we cannot close: the shop has answered a renewal (and may have rotated the
   * refresh token) but the process dies before the commit. Postgres then holds the token the shop
   * just replaced. Real-world guarantee: nothing else is lost (no access token from that answer
   * was ever used, so no work depended on it), and the next process recovers on its own as long
   * as the shop still honours the replaced token for a moment — the simulator's
   * rotationGraceSeconds, which hands back the current token. With no grace at all, the next
   * renewal is refused once per token we hold and ends in AuthFailed with the operator message
   * (no retry storm); `token set` then restores the sync.
   */
  it('SIGKILL after the renew response, before the commit: the next process still authenticates (grace period)', async () => {
    const sim = await simulator({ rotationGraceSeconds: 30 });
    await storeRefreshToken(db.pool, sim.refreshToken, 'test');
    const before = sim.refreshToken;
    sim.rotateNow();
    const victim = worker(sim, { WORKER_MODE: 'crash-after-renew' });
    const exit = await victim.done;
    expect(exit.signal).toBe('SIGKILL');
    expect(victim.lines).not.toContain('"not killed"');
    // The shop rotated; Postgres still has the old token (the commit never happened).
    expect(sim.refreshToken).not.toBe(before);
    scan.token(sim.refreshToken);
    expect((await readCredentials(db.pool))?.refreshToken).toBe(before);

    const next = service(sim);
    const client = createOneCoreClient({ baseUrl: sim.url, tokens: next, log });
    const page = await client.fetchPage('orders', null);
    await client.close();
    expect(page.records).toHaveLength(10);
    expect(sim.stats().renewRefused).toBe(0);
    const row = await readCredentials(db.pool);
    // The shop handed back its current token for the old one; it is stored now.
    expect(row?.refreshToken).toBe(sim.refreshToken);
    expect(row?.previousRefreshToken).toBe(before);
  });

  it('without a grace period: one refusal per token held, then AuthFailed, recorded, no retry loop; token set restores it', async () => {
    const sim = await simulator();
    await storeRefreshToken(db.pool, sim.refreshToken, 'test');
    // Someone renews with our token outside our code (a lost commit, or a second installation): the shop rotates.
    sim.rotateNow();
    const res = await fetch(`${sim.url}/api/v2/tokens/renewtokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: sim.refreshToken }),
    });
    expect(res.status).toBe(200);
    scan.token(((await res.json()) as { accessToken: string }).accessToken, sim.refreshToken);
    sim.resetStats();

    const tokens = service(sim);
    const err = await caught(() => tokens.getAccessToken());
    scan.text(err);
    expect(err).toBeInstanceOf(AuthFailed);
    expect(err.message).toContain(AUTH_FAILED_MESSAGE);
    expect(sim.stats().renewCalls).toBe(1);
    const status = await tokens.status();
    expect(status.authFailedAt).not.toBeNull();

    // Other callers, in this process or another, do not ask the shop again.
    const again = await caught(() => service(sim).getAccessToken());
    expect(again).toBeInstanceOf(AuthFailed);
    expect(sim.stats().renewCalls).toBe(1);

    // The operator stores the shop's current token: everything works again.
    const cli = await runCli(['token', 'set', '-'], { DATABASE_URL: db.url }, { input: sim.refreshToken + '\n' });
    scan.text(cli.stdout, cli.stderr);
    expect(cli.code).toBe(0);
    expect(await service(sim).getAccessToken()).toBeTruthy();
    expect((await tokens.status()).authFailedAt).toBeNull();
  });

  it('falls back to the previous refresh token once when the current one is refused', async () => {
    const sim = await simulator();
    await storeRefreshToken(db.pool, sim.refreshToken, 'test');
    const good = sim.refreshToken;
    // The operator puts a wrong token in the environment; the working one is kept as previous.
    const tokens = service(sim, { bootstrapRefreshToken: 'sim-refresh-mistyped-by-the-operator-0000' });
    scan.token('sim-refresh-mistyped-by-the-operator-0000');
    expect(await tokens.getAccessToken()).toBeTruthy();
    expect(sim.stats().renewRefused).toBe(1);
    expect(sim.stats().renewCalls).toBe(2);
    const row = await readCredentials(db.pool);
    expect(row?.refreshToken).toBe(good);
    expect(row?.source).toBe('previous token');
  });

  it('retries a renewal that failed transiently (5xx, reset, cut-short answer), without losing the token', async () => {
    const sim = await simulator({ rotateAfterSeconds: 0 });
    await storeRefreshToken(db.pool, sim.refreshToken, 'test');
    sim.faults.once('503', { endpoint: 'renewtokens' });
    sim.faults.once('reset', { endpoint: 'renewtokens', nth: 2 });
    sim.faults.once('truncated', { endpoint: 'renewtokens', nth: 3 });
    const tokens = service(sim);
    expect(await tokens.getAccessToken()).toBeTruthy();
    expect(sim.stats().renewCalls).toBe(4);
    expect(sim.stats().renewRefused).toBe(0);
    // Every renewal rotates here (rotateAfterSeconds 0): the one that succeeded is stored.
    expect((await readCredentials(db.pool))?.refreshToken).toBe(sim.refreshToken);
  });

  it('a second 401 after renewing is Unauthorized, not a loop', async () => {
    const sim = await simulator();
    // A token source that always hands out a token the shop refuses.
    const client = createOneCoreClient({
      baseUrl: sim.url,
      tokens: {
        getAccessToken: async () => 'CfDJ8-not-a-real-token-aaaaaaaaaaaaa',
        onUnauthorized: async () => 'CfDJ8-not-a-real-token-bbbbbbbbbbbbb',
      },
      log,
    });
    const err = await caught(() => client.fetchPage('orders', null));
    await client.close();
    scan.text(err);
    expect(err).toBeInstanceOf(Unauthorized);
    expect(sim.stats().requests.orders).toBe(2);
  });
});

describe('token CLI', () => {
  it('token set (argument and stdin) and token status never print a token', async () => {
    const sim = await simulator();
    const env = { DATABASE_URL: db.url };
    const set = await runCli(['token', 'set', sim.refreshToken], env);
    scan.text(set.stdout, set.stderr);
    expect(set.code).toBe(0);
    expect(set.stdout).toBe('refresh token stored\n');
    expect((await readCredentials(db.pool))?.source).toBe('token set');

    await service(sim).getAccessToken();
    const status = await runCli(['token', 'status'], env);
    const json = await runCli(['token', 'status', '--json'], env);
    scan.text(status.stdout, status.stderr, json.stdout, json.stderr);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/refresh token:\s+stored \(token set\), age \d+s/);
    expect(status.stdout).toMatch(/access token:\s+valid until/);
    expect(status.stdout).toMatch(/renewals:\s+1/);
    const parsed = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(parsed).toMatchObject({ stored: true, source: 'token set', renewCount: 1, accessTokenValid: true });
    await scan.tokensFrom(db.pool);
    for (const t of scan.tokens) {
      expect(status.stdout).not.toContain(t);
      expect(json.stdout).not.toContain(t);
    }

    const viaStdin = await runCli(['token', 'set'], env, { input: '  new-token-from-stdin-0123456789  \n' });
    scan.token('new-token-from-stdin-0123456789');
    scan.text(viaStdin.stdout, viaStdin.stderr);
    expect(viaStdin.code).toBe(0);
    const row = await readCredentials(db.pool);
    expect(row?.refreshToken).toBe('new-token-from-stdin-0123456789');
    expect(row?.previousRefreshToken).toBe(sim.refreshToken);
    expect(row?.accessToken).toBeNull();

    const empty = await runCli(['token', 'set', '-'], env, { input: '\n' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no token given/);
  });
});

describe('secrets', () => {
  it('no token value appears in any log line, error message or process output of this file', async () => {
    await scan.tokensFrom(db.pool);
    expect(scan.tokens.size).toBeGreaterThan(5);
    expect(scan.texts.length).toBeGreaterThan(20);
    // The scan saw the logs that talk about tokens (from this process and the workers).
    const all = scan.texts.join('\n');
    expect(all).toContain('the shop rotated the refresh token');
    expect(all).toContain('access token refused (401)');
    expect(all).toContain('the current refresh token was refused');
    expect(scan.leaks()).toEqual([]);
  });
});
