import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { Pool } from '../db/createPool.js';
import type { AccessTokenSource } from './client.js';
import { AuthFailed, NotFound, OneCoreError, ProtocolError, isTransient } from './errors.js';
import { errorForStatus } from './responses.js';
import { USER_AGENT, createHttpAgent, header, sendRequest, type HttpResponse } from './http.js';
import { DEFAULT_RETRY, sleep, startRetries, type RetryPolicy } from './retry.js';
import { registerSecret } from './secrets.js';
import { parseRenewal, type RenewalAnswer } from './renewalAnswer.js';
import { acquireRenewLock, type RenewLock } from './renewLock.js';
import { fallbackToken, nextStep, renewAt, rotationAfter } from './tokenRotation.js';
import {
  readCredentials,
  keepAsPrevious,
  markBootstrapped,
  readTokenStatus,
  saveRenewal,
  saveRotation,
  storeRefreshToken,
  type CredentialsRow,
  type TokenStatus,
} from '../db/sql/credentials.js';
import { sha256 } from './sha256.js';
import { authRetryDue, recordAuthFailure, touchAuthFailure } from '../db/sql/authFailure.js';

/**
 * The shop's tokens, shared by every walker in every process.
 *
 * Why it is built this way: the refresh token rotates (the shop hands out a new one after five
 * days and stops accepting the old), so a rotated token that is not saved, or two workers
 * renewing at once with the same old token, can lock the sync out for good. Therefore:
 * - tokens live in Postgres (`onecore_sync.credentials`), not in a process;
 * - renewal is single-flight in the process (concurrent callers share one promise) and across
 *   processes by a session advisory lock, with a re-check under the lock: whoever waited finds
 *   the token the first one got, and does not renew again;
 * - no transaction is ever open during the HTTP exchange (a session that ends mid-renewal — an
 *   idle-in-transaction timeout, a restart — would take the answer with it). The shop's answer is
 *   written the moment it arrives, in one autocommitted statement; a rotated refresh token is
 *   written even when the rest of the answer is unusable;
 * - the access token is handed to callers only after that write, so no request runs on a renewal
 *   that could still be lost;
 * - only a definite refusal (400/401 with a JSON body, from the shop itself) counts against a
 *   token; an HTML page, a proxy's 403, a 5xx or the network are transient and retried. A refused
 *   token falls back once to the previous one, then raises AuthFailed and records it, so workers
 *   stop asking; while paused the worker tries the held tokens again on a slow schedule.
 */
export interface TokenService extends AccessTokenSource {
  /** A valid access token: the cached one, or one renewed ahead of its expiry. */
  getAccessToken(): Promise<string>;
  /** `failedToken` got a 401: renew unless someone already replaced it; returns the token to retry with. */
  onUnauthorized(failedToken: string): Promise<string>;
  /**
   * While an authentication failure is recorded: once the last attempt is at least `everyMs` old
   * (fleet-wide, from Postgres), ask the shop again with the tokens we hold. True when that
   * renewed (the failure is cleared), false when it was not due or the shop still refuses.
   */
  retryHeldTokens(everyMs: number): Promise<boolean>;
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
  /** For transient failures of the renew call (5xx, 429, network, HTML, a proxy's 403). */
  retry?: Partial<RetryPolicy>;
  dispatcher?: Dispatcher;
  /** Renew this long before expiry at most; 10 % of the token's lifetime when that is less. Default 60 s. */
  maxRenewMarginMs?: number;
  renewPath?: string;
  /** Largest response accepted from renewtokens (see ONECORE_MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  /**
   * Test seam: runs after the shop answered a renewal and before it is written (a test kills
   * the process here to prove a lost write is survivable).
   */
  hooks?: { afterRenewResponse?: () => void | Promise<void> };
}

export type { TokenStatus };

type RenewOutcome =
  { ok: true; answer: RenewalAnswer; requestedAt: number } | { ok: false; status: number; body: string };

/** How often a process waiting for another's renewal looks again. */
const WAIT_POLL_MS = 150;

export function createTokenService(opts: TokenServiceOptions): TokenService {
  const { pool, log } = opts;
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxMargin = opts.maxRenewMarginMs ?? 60_000;
  const renewUrl = `${opts.baseUrl.replace(/\/+$/, '')}${opts.renewPath ?? '/api/v2/tokens/renewtokens'}`;
  const ownAgent = opts.dispatcher === undefined;
  const agent = opts.dispatcher ?? createHttpAgent({ connections: 2 });
  // A renewal holding the lock takes at most every attempt's timeout plus the backoffs between
  // them, twice (current and previous token). Waiting longer than that means something is stuck.
  const maxWaitMs = 2 * (policy.retries + 1) * (timeoutMs + policy.capMs) + 30_000;
  if (opts.bootstrapRefreshToken) registerSecret(opts.bootstrapRefreshToken);

  let cached: { token: string; renewAt: number } | null = null;
  let flight: Promise<string> | null = null;
  let bootstrap: Promise<void> | null = null;

  function adopt(step: { use: string; renewAt: number }): string {
    cached = { token: step.use, renewAt: step.renewAt };
    return step.use;
  }

  /** The stored credentials, their tokens registered as secrets (redacted wherever they are echoed). */
  async function readHeld(): Promise<CredentialsRow | null> {
    const row = await readCredentials(pool);
    if (row) for (const token of [row.refreshToken, row.previousRefreshToken, row.accessToken]) registerSecret(token);
    return row;
  }

  function ensureBootstrap(): Promise<void> {
    const token = opts.bootstrapRefreshToken;
    if (!token) return Promise.resolve();
    bootstrap ??= withRenewLock(async () => {
      const row = await readHeld();
      const hash = sha256(token);
      if (row && row.bootstrapSha256 === hash) return;
      if (row && row.refreshToken === token) {
        await markBootstrapped(pool, hash);
        return;
      }
      // First start, or the operator put a new token in the environment: it wins over what the
      // table holds (kept as previous, in case the new one is mistyped).
      await storeRefreshToken(pool, token, 'environment', { bootstrapSha256: hash });
      log.info(
        { replaced: row !== null },
        row
          ? 'ONECORE_REFRESH_TOKEN changed: stored it as the current refresh token (the old one is kept as previous)'
          : 'stored the refresh token from ONECORE_REFRESH_TOKEN',
      );
    }).catch((err: unknown) => {
      bootstrap = null;
      throw err;
    });
    return bootstrap;
  }

  /** Runs `fn` holding the renewal lock, waiting for it as long as a renewal can take. */
  async function withRenewLock<T>(fn: () => Promise<T>, onWait?: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const lock: RenewLock | null = await acquireRenewLock(pool);
      if (lock) {
        try {
          return await fn();
        } finally {
          await lock.release();
        }
      }
      const early = await onWait?.();
      if (early !== undefined) return early;
      if (Date.now() > deadline)
        throw new Error(
          `token renewal: another process has held the renewal lock for over ${Math.round(maxWaitMs / 1000)} s`,
        );
      await sleep(WAIT_POLL_MS + Math.floor(Math.random() * 50));
    }
  }

  /** One POST to renewtokens, retried while the failure is transient. A definite refusal is an outcome, not an error. */
  async function callRenew(refreshToken: string): Promise<RenewOutcome> {
    const endpoint = 'renewtokens';
    const retry = startRetries({
      policy,
      waitFor: (err, backoffMs) =>
        Math.min(
          (err instanceof OneCoreError ? err.retryAfterHeaderMs : undefined) ?? backoffMs,
          policy.maxRetryAfterMs,
        ),
      onRetry: (err, attempt, waitMs) =>
        log.warn(
          { endpoint, attempt, of: policy.retries, waitMs, error: (err as Error).message },
          'token renewal failed; retrying',
        ),
    });
    for (;;) {
      const requestedAt = Date.now();
      try {
        const res = await sendRequest(agent, {
          method: 'POST',
          url: renewUrl,
          headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': USER_AGENT },
          body: JSON.stringify({ refreshToken }),
          timeoutMs,
          endpoint,
          maxBytes: opts.maxResponseBytes,
        });
        if (res.status === 200 || res.status === 201)
          return { ok: true, answer: parseRenewal(res.text, log), requestedAt };
        if ((res.status === 400 || res.status === 401) && isJsonAnswer(res))
          return { ok: false, status: res.status, body: res.text };
        if (res.status === 404)
          throw new NotFound({ endpoint, body: `${res.text} (is ONECORE_BASE_URL the shop's URL?)` });
        // A redirect is final: following it would send the refresh token wherever it points.
        if (res.status >= 300 && res.status < 400 && res.status !== 304) throw errorForStatus(endpoint, res, renewUrl);
        throw transientRenewError(res);
      } catch (err) {
        await retry.after(err);
      }
    }
  }

  /**
   * Writes what the shop answered, at once. A rotated refresh token is written even when the rest
   * of the answer is unusable (the shop has already stopped honouring the one we sent).
   */
  async function persist(
    row: CredentialsRow,
    sent: string,
    used: 'current' | 'previous',
    answer: RenewalAnswer,
    requestedAt: number,
  ): Promise<CredentialsRow> {
    const {
      refreshToken: newRefresh,
      previousRefreshToken: previous,
      rotated,
      changed,
      source,
    } = rotationAfter(row, sent, used, answer.refreshToken);
    if (answer.accessToken === undefined) {
      if (changed)
        await saveRotation(pool, {
          expected: row.refreshToken,
          refreshToken: newRefresh,
          previousRefreshToken: previous,
          rotated,
          source,
        });
      if (rotated)
        log.warn(
          'the shop rotated the refresh token in an answer without an access token; the new refresh token is stored',
        );
      throw new ProtocolError(
        `the renew response has no usable accessToken (${answer.problem ?? 'missing'}); will try again`,
        { endpoint: 'renewtokens', transient: true },
      );
    }
    const expiresAt = new Date(requestedAt + answer.expiresInSeconds * 1000);
    const renewedAt = new Date(requestedAt);
    const stored = await saveRenewal(pool, {
      expected: row.refreshToken,
      refreshToken: newRefresh,
      previousRefreshToken: previous,
      refreshChanged: changed,
      rotated,
      source,
      accessToken: answer.accessToken,
      accessTokenExpiresAt: expiresAt,
      renewedAt,
    });
    if (!stored) {
      // `token set` replaced the refresh token while we renewed: the operator's token stays
      // current; a token the shop just rotated to is kept as the previous one, not thrown away.
      if (rotated) await keepAsPrevious(pool, newRefresh);
      log.warn('the refresh token was replaced (token set) during a renewal; the renewal is discarded');
      return (await readHeld()) ?? row;
    }
    if (rotated) log.info('the shop rotated the refresh token; the new one is stored');
    if (used === 'previous') log.warn('renewed with the previous refresh token; it is current again');
    log.debug({ expiresAt }, 'access token renewed');
    return { ...row, accessToken: answer.accessToken, accessTokenExpiresAt: expiresAt, renewedAt, authFailedAt: null };
  }

  /**
   * Asks the shop with the tokens we hold (current, then previous once); the caller holds the
   * renewal lock. Returns the stored row, or null after a definite refusal of every token (the
   * failure is recorded).
   */
  async function renewWith(row: CredentialsRow): Promise<CredentialsRow | null> {
    let sent = row.refreshToken;
    let used: 'current' | 'previous' = 'current';
    let outcome = await callRenew(sent);
    const fallback = fallbackToken(row);
    if (!outcome.ok && fallback !== null) {
      log.warn({ status: outcome.status }, 'the current refresh token was refused; trying the previous one once');
      const second = await callRenew(fallback);
      if (second.ok) {
        outcome = second;
        sent = fallback;
        used = 'previous';
      }
    }
    if (!outcome.ok) {
      // Someone may have changed the token while we asked (`token set`): then that one decides.
      const now = await readHeld();
      if (now && now.refreshToken !== row.refreshToken) return now;
      const failure = new AuthFailed({ status: outcome.status, body: outcome.body });
      await recordAuthFailure(pool, failure.message);
      log.error({ status: outcome.status }, failure.message);
      return null;
    }
    registerSecret(outcome.answer.accessToken);
    registerSecret(outcome.answer.refreshToken);
    await opts.hooks?.afterRenewResponse?.();
    return persist(row, sent, used, outcome.answer, outcome.requestedAt);
  }

  /** Renews under the renewal lock. Returns the access token to use, already written to Postgres. */
  async function renewLocked(failed: string | null): Promise<string> {
    await ensureBootstrap();
    // Another process may already have renewed, or be renewing: look before taking the lock, and
    // again every time the lock turns out to be taken.
    const look = async (): Promise<string | undefined> => {
      const seen = await readHeld();
      if (!seen) throw noToken();
      const step = nextStep(seen, failed, Date.now(), maxMargin);
      if ('use' in step) return adopt(step);
      // Recorded by an earlier attempt: do not ask the shop again until an operator acts (or the
      // worker's slow re-try of the held tokens succeeds).
      if ('failed' in step) throw new AuthFailed({ message: step.failed ?? undefined });
      return undefined;
    };
    const early = await look();
    if (early !== undefined) return early;
    return withRenewLock(async () => {
      // A `token set` may replace the token while we renew: then renew once more with that one.
      for (let round = 0; round < 3; round++) {
        // Re-check under the lock: whoever held it before us may have renewed while we waited.
        const row = await readHeld();
        if (!row) throw noToken();
        const step = nextStep(row, failed, Date.now(), maxMargin);
        if ('use' in step) return adopt(step);
        if ('failed' in step) throw new AuthFailed({ message: step.failed ?? undefined });
        const fresh = await renewWith(row);
        if (fresh === null) throw new AuthFailed({ status: 401 });
        // Written: only now may the access token be used.
        const after = nextStep(fresh, failed, Date.now(), maxMargin);
        if ('use' in after) return adopt(after);
      }
      throw new ProtocolError('the refresh token kept changing during renewal; will try again', {
        endpoint: 'renewtokens',
        transient: true,
      });
    }, look);
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
    async retryHeldTokens(everyMs) {
      // Fleet-wide pacing from Postgres: `updated_at` is the latest attempt while paused.
      const due = () => authRetryDue(pool, everyMs);
      if (!(await due())) return false;
      // Another process renewing or re-trying right now: its outcome will do for us too.
      const lock = await acquireRenewLock(pool);
      if (!lock) return false;
      try {
        if (!(await due())) return false;
        const row = await readHeld();
        if (!row) return false;
        log.info('authentication failed earlier; trying the refresh tokens we hold again');
        try {
          const fresh = await renewWith(row);
          if (fresh === null || fresh.authFailedAt) return false;
          if (fresh.accessToken !== null && fresh.accessTokenExpiresAt !== null)
            adopt({
              use: fresh.accessToken,
              renewAt: renewAt(fresh.accessTokenExpiresAt, fresh.renewedAt, maxMargin),
            });
          log.warn('the shop accepts our refresh token again; authentication restored');
          return true;
        } catch (err) {
          // No verdict (transient): note the attempt, so the fleet waits another interval.
          await touchAuthFailure(pool).catch(() => undefined);
          log.warn({ error: (err as Error).message }, 'trying the held refresh tokens again failed; will try later');
          return false;
        }
      } finally {
        await lock.release();
      }
    },
    status: () => readTokenStatus(pool),
    async close() {
      if (ownAgent) await agent.close();
    },
  };
}

function noToken(): AuthFailed {
  return new AuthFailed({
    message: 'no refresh token is stored; set ONECORE_REFRESH_TOKEN or run `onecore-sync token set`',
  });
}

/** A body the shop's own API wrote: JSON by content type, or a JSON object by its first character. */
function isJsonAnswer(res: HttpResponse): boolean {
  const type = header(res.headers, 'content-type') ?? '';
  if (/json/i.test(type)) return true;
  if (/html/i.test(type)) return false;
  try {
    const v = JSON.parse(res.text) as unknown;
    return typeof v === 'object' && v !== null;
  } catch {
    return false;
  }
}

/**
 * Anything but 2xx, a JSON 400/401 or 404: a proxy's 403 or HTML page, 5xx, 429. None of these
 * is the shop judging our token, so they are retried and never recorded as a refusal.
 */
function transientRenewError(res: HttpResponse): OneCoreError {
  const err = errorForStatus('renewtokens', res);
  if (isTransient(err)) return err;
  const type = header(res.headers, 'content-type') ?? 'no content type';
  return new ProtocolError(
    `${res.status} answer (${type}) that is not the shop's verdict on the token (a proxy or gateway?); retrying later`,
    {
      endpoint: 'renewtokens',
      status: res.status,
      body: res.text,
      transient: true,
      retryAfterHeaderMs: err.retryAfterHeaderMs,
    },
  );
}
