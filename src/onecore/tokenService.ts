import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { Pool, PoolClient } from '../db/createPool.js';
import type { AccessTokenSource } from './client.js';
import { AuthFailed, NotFound, OneCoreError, ProtocolError, isTransient } from './errors.js';
import { errorForStatus } from './responses.js';
import { USER_AGENT, createHttpAgent, sendRequest } from './http.js';
import { readField } from './page.js';
import { DEFAULT_RETRY, backoffDelay, sleep, type RetryPolicy } from './retry.js';
import { registerSecret } from './secrets.js';
import {
  readCredentials, readTokenStatus, recordAuthFailure, saveRenewal, sha256, storeRefreshToken,
  type CredentialsRow, type TokenStatus,
} from './credentialsStore.js';

/**
 * The shop's tokens, shared by every walker in every process.
 *
 * Why it is built this way: the refresh token rotates (the shop hands out a new one after five
 * days and stops accepting the old), so a rotated token that is not saved, or two workers
 * renewing at once with the same old token, can lock the sync out for good. Therefore:
 * - tokens live in Postgres (`onecore_sync.credentials`), not in a process;
 * - renewal is single-flight in the process (concurrent callers share one promise) and
 *   serialized across processes by `select … for update` on the row, with a re-check under the
 *   lock: whoever waited finds the token the first one got, and does not renew again;
 * - the new access token and the (possibly rotated) refresh token are committed in one
 *   transaction before the access token is handed to anyone, so no request runs on a renewal
 *   that could still be lost;
 * - a refused refresh token falls back once to the previous one, then raises AuthFailed (and
 *   records it, so workers stop asking) instead of retrying in a loop.
 */
export interface TokenService extends AccessTokenSource {
  /** A valid access token: the cached one, or one renewed ahead of its expiry. */
  getAccessToken(): Promise<string>;
  /** `failedToken` got a 401: renew unless someone already replaced it; returns the token to retry with. */
  onUnauthorized(failedToken: string): Promise<string>;
  status(): Promise<TokenStatus>;
  close(): Promise<void>;
}

export interface TokenServiceOptions {
  pool: Pool;
  baseUrl: string;
  /** ONECORE_REFRESH_TOKEN: stored when the table holds none, or when it changed since last bootstrapped. */
  bootstrapRefreshToken?: string;
  log: Logger;
  timeoutMs?: number;
  /** For transient failures of the renew call (5xx, 429, network). */
  retry?: Partial<RetryPolicy>;
  dispatcher?: Dispatcher;
  /** Renew this long before expiry at most; 10 % of the token's lifetime when that is less. Default 60 s. */
  maxRenewMarginMs?: number;
  renewPath?: string;
  /**
   * Test seam: runs after the shop answered a renewal and before it is committed (a test kills
   * the process here to prove a lost commit is survivable).
   */
  hooks?: { afterRenewResponse?: () => void | Promise<void> };
}

export type { TokenStatus };

interface Renewal {
  refreshToken: string;
  accessToken: string;
  expiresInSeconds: number;
  requestedAt: number;
}

type RenewOutcome = { ok: true; renewal: Renewal } | { ok: false; status: number; body: string };

const DEFAULT_EXPIRES_IN = 3600;

export function createTokenService(opts: TokenServiceOptions): TokenService {
  const { pool, log } = opts;
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxMargin = opts.maxRenewMarginMs ?? 60_000;
  const renewUrl = `${opts.baseUrl.replace(/\/+$/, '')}${opts.renewPath ?? '/api/v2/tokens/renewtokens'}`;
  const ownAgent = opts.dispatcher === undefined;
  const agent = opts.dispatcher ?? createHttpAgent({ connections: 2 });
  if (opts.bootstrapRefreshToken) registerSecret(opts.bootstrapRefreshToken);

  let cached: { token: string; renewAt: number } | null = null;
  let flight: Promise<string> | null = null;
  let bootstrap: Promise<void> | null = null;

  /** When to renew: before expiry by 10 % of the lifetime, at most `maxMargin`. */
  function renewAt(row: CredentialsRow): number {
    const expires = row.accessTokenExpiresAt!.getTime();
    const lifetime = row.renewedAt ? expires - row.renewedAt.getTime() : maxMargin * 10;
    return expires - Math.min(maxMargin, Math.max(0, lifetime) * 0.1);
  }

  /** The stored access token is good to use (and is not the one that just failed). */
  function usable(row: CredentialsRow, failed: string | null): boolean {
    return row.accessToken !== null && row.accessTokenExpiresAt !== null && row.accessToken !== failed && Date.now() < renewAt(row);
  }

  function adopt(row: CredentialsRow): string {
    cached = { token: row.accessToken!, renewAt: renewAt(row) };
    return row.accessToken!;
  }

  function ensureBootstrap(): Promise<void> {
    const token = opts.bootstrapRefreshToken;
    if (!token) return Promise.resolve();
    bootstrap ??= inTransaction(async (db) => {
      const row = await readCredentials(db, true);
      const hash = sha256(token);
      if (row && row.bootstrapSha256 === hash) return;
      if (row && row.refreshToken === token) {
        await db.query('update onecore_sync.credentials set bootstrap_sha256 = $1, updated_at = now() where id = 1', [hash]);
        return;
      }
      // First start, or the operator put a new token in the environment: it wins over what the
      // table holds (kept as previous, in case the new one is mistyped).
      await storeRefreshToken(db, token, 'environment', { bootstrapSha256: hash });
      log.info({ replaced: row !== null }, row ? 'ONECORE_REFRESH_TOKEN changed: stored it as the current refresh token (the old one is kept as previous)' : 'stored the refresh token from ONECORE_REFRESH_TOKEN');
    }).catch((err: unknown) => {
      bootstrap = null;
      throw err;
    });
    return bootstrap;
  }

  async function inTransaction<T>(fn: (db: PoolClient) => Promise<T>): Promise<T> {
    const db = await pool.connect();
    let broken: Error | undefined;
    try {
      await db.query('begin');
      const result = await fn(db);
      await db.query('commit');
      return result;
    } catch (err) {
      await db.query('rollback').catch((e: Error) => {
        broken = e;
      });
      throw err;
    } finally {
      db.release(broken);
    }
  }

  /** One POST to renewtokens, retried while the failure is transient. Refusal is an outcome, not an error. */
  async function callRenew(refreshToken: string): Promise<RenewOutcome> {
    const endpoint = 'renewtokens';
    for (let attempt = 0; ; attempt++) {
      const requestedAt = Date.now();
      try {
        const res = await sendRequest(agent, {
          method: 'POST',
          url: renewUrl,
          headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': USER_AGENT },
          body: JSON.stringify({ refreshToken }),
          timeoutMs,
          endpoint,
        });
        if (res.status === 200 || res.status === 201) return { ok: true, renewal: { ...parseRenewal(res.text, refreshToken), requestedAt } };
        if (res.status === 400 || res.status === 401 || res.status === 403) return { ok: false, status: res.status, body: res.text };
        if (res.status === 404) throw new NotFound({ endpoint, body: `${res.text} (is ONECORE_BASE_URL the shop's URL?)` });
        throw errorForStatus(endpoint, res);
      } catch (err) {
        if (!isTransient(err) || attempt >= policy.retries) throw err;
        const hinted = err instanceof OneCoreError ? err.retryAfterHeaderMs : undefined;
        const waitMs = Math.min(hinted ?? backoffDelay(attempt, policy), policy.maxRetryAfterMs);
        log.warn({ endpoint, attempt: attempt + 1, of: policy.retries, waitMs, error: (err as Error).message }, 'token renewal failed; retrying');
        await sleep(waitMs);
      }
    }
  }

  /**
   * Renews under the row lock. Returns the access token to use, committed together with the
   * refresh token the shop answered with.
   */
  async function renewLocked(failed: string | null): Promise<string> {
    await ensureBootstrap();
    // Fast path without a lock: another process may already have renewed.
    const seen = await readCredentials(pool);
    if (!seen) throw noToken();
    if (usable(seen, failed)) return adopt(seen);

    // Failures found under the lock are thrown after the transaction committed (it records them).
    let authFailure: AuthFailed | undefined;
    const fresh = await inTransaction(async (db): Promise<CredentialsRow | null> => {
      const row = await readCredentials(db, true);
      if (!row) throw noToken();
      // Re-check under the lock: whoever held it before us may have renewed while we waited.
      if (usable(row, failed)) return row;
      if (row.authFailedAt) {
        // Recorded by an earlier attempt: do not ask the shop again until an operator acts.
        authFailure = new AuthFailed();
        return null;
      }
      let outcome = await callRenew(row.refreshToken);
      let used: 'current' | 'previous' = 'current';
      if (!outcome.ok && row.previousRefreshToken && row.previousRefreshToken !== row.refreshToken) {
        log.warn({ status: outcome.status }, 'the current refresh token was refused; trying the previous one once');
        const second = await callRenew(row.previousRefreshToken);
        if (second.ok) {
          outcome = second;
          used = 'previous';
        }
      }
      if (!outcome.ok) {
        authFailure = new AuthFailed({ status: outcome.status, body: outcome.body });
        await recordAuthFailure(db, authFailure.message);
        log.error({ status: outcome.status }, authFailure.message);
        return null;
      }
      const r = outcome.renewal;
      registerSecret(r.accessToken);
      registerSecret(r.refreshToken);
      await opts.hooks?.afterRenewResponse?.();
      const sent = used === 'current' ? row.refreshToken : row.previousRefreshToken!;
      const rotated = r.refreshToken !== sent;
      const changed = r.refreshToken !== row.refreshToken;
      // A rotation keeps the token it replaced (the shop may still honour it for a while).
      // After falling back, the refused current token is worth nothing: drop it.
      const previous = !changed ? row.previousRefreshToken : rotated ? sent : null;
      const expiresAt = new Date(r.requestedAt + r.expiresInSeconds * 1000);
      const renewedAt = new Date(r.requestedAt);
      await saveRenewal(db, {
        refreshToken: r.refreshToken,
        previousRefreshToken: previous,
        refreshChanged: changed,
        rotated,
        source: used === 'previous' ? 'previous token' : 'rotation',
        accessToken: r.accessToken,
        accessTokenExpiresAt: expiresAt,
        renewedAt,
      });
      if (rotated) log.info('the shop rotated the refresh token; the new one is stored');
      if (used === 'previous') log.warn('renewed with the previous refresh token; it is current again');
      log.debug({ expiresAt }, 'access token renewed');
      return { ...row, accessToken: r.accessToken, accessTokenExpiresAt: expiresAt, renewedAt };
    });
    if (authFailure || fresh === null) throw authFailure ?? new AuthFailed();
    // Committed: only now may the access token be used.
    return adopt(fresh);
  }

  function refresh(failed: string | null): Promise<string> {
    flight ??= renewLocked(failed).finally(() => {
      flight = null;
    });
    return flight;
  }

  return {
    async getAccessToken() {
      if (cached && Date.now() < cached.renewAt) return cached.token;
      return refresh(null);
    },
    async onUnauthorized(failedToken) {
      if (cached?.token === failedToken) cached = null;
      let token = await refresh(failedToken);
      // We may have joined a renewal that started before this 401 and ended with the same token.
      if (token === failedToken) token = await refresh(failedToken);
      return token;
    },
    status: () => readTokenStatus(pool),
    async close() {
      if (ownAgent) await agent.close();
    },
  };
}

function noToken(): AuthFailed {
  return new AuthFailed({ message: 'no refresh token is stored; set ONECORE_REFRESH_TOKEN or run `onecore-sync token set`' });
}

/** The renew response, its field names read case-insensitively (the casing changed over time). */
function parseRenewal(text: string, sent: string): Omit<Renewal, 'requestedAt'> {
  const endpoint = 'renewtokens';
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // Redacted by the error itself; a cut-short answer is worth retrying.
    throw new ProtocolError('200 with a body that is not valid JSON', { endpoint, body: text, transient: true });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProtocolError('the renew response is not a JSON object', { endpoint });
  }
  const obj = body as Record<string, unknown>;
  const accessToken = readField(obj, 'accessToken');
  const refreshToken = readField(obj, 'refreshToken');
  const expiresIn = Number(readField(obj, 'expiresIn'));
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new ProtocolError(`the renew response has no accessToken (keys: ${Object.keys(obj).join(', ')})`, { endpoint });
  }
  registerSecret(accessToken);
  // No refresh token in the answer means no rotation: keep the one we sent.
  const kept = typeof refreshToken === 'string' && refreshToken.trim() !== '' ? refreshToken.trim() : sent;
  registerSecret(kept);
  return { accessToken, refreshToken: kept, expiresInSeconds: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : DEFAULT_EXPIRES_IN };
}
