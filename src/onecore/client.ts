import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { EndpointOptions } from '../config/readConfig.js';
import { OneCoreError, RateLimited, Unauthorized } from './errors.js';
import { apiHeaders, createHttpAgent, header, sendRequest, type HttpResponse } from './http.js';
import { errorForStatus, parseJsonBody, parsePageBody } from './responses.js';
import { cursorQuery, readEnvelope, type Page } from './page.js';
import { noRateLimit, type RateLimiter } from './rateLimiter.js';
import { DEFAULT_RETRY, startRetries, type RetryPolicy } from './retry.js';
import type { RoundTrips } from './roundTrips.js';

/** What the client needs from the token service (tokenService.ts implements it). */
export interface AccessTokenSource {
  getAccessToken(): Promise<string>;
  /** `failedToken` got a 401: returns a token to retry with (renewing only if it is still current). */
  onUnauthorized(failedToken: string): Promise<string>;
}

export interface OneCoreClientOptions {
  /** The shop URL, without a trailing slash (readConfig normalizes it). */
  baseUrl: string;
  tokens: AccessTokenSource;
  /** Shop-wide request cap; none when absent. */
  rateLimiter?: RateLimiter;
  /** Per request (connect, headers and body). Default 30 s. */
  timeoutMs?: number;
  log: Logger;
  retry?: Partial<RetryPolicy>;
  /** By lower-case endpoint name: recordsKey, pageSizeParam + pageSize. */
  endpointOptions?: Record<string, EndpointOptions>;
  /** ONECORE_MAX_RETRY_AFTER_MS: a longer Retry-After is reported as beyond the cap (the job is not parked). */
  maxParkMs?: number;
  /** Largest response body accepted (ONECORE_MAX_RESPONSE_BYTES); default 32 MiB. */
  maxResponseBytes?: number;
  /** An agent to share; by default the client owns one and close() closes it. */
  dispatcher?: Dispatcher;
  /** Where successful answers' round-trip times go (the walker count is sized from them). */
  roundTrips?: RoundTrips;
}

export interface OneCoreClient {
  /** One page of a V2 list endpoint, from `cursor` (null = the first page). */
  fetchPage(endpoint: string, cursor: string | null, signal?: AbortSignal, path?: string): Promise<Page>;
  /** One page's response as it came (status 2xx; the body parsed as JSON but not read as a page): for `inspect`. */
  fetchRaw(endpoint: string, cursor: string | null, signal?: AbortSignal): Promise<RawPage>;
  /** Any JSON document of the shop (the OpenAPI document), with the same auth and retries. */
  getJson(url: string, signal?: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

function anonymousHeaders(): Record<string, string> {
  const { authorization: _omitted, ...rest } = apiHeaders('');
  return rest;
}

export interface RawPage {
  status: number;
  /** Size of the body in bytes (UTF-8). */
  bytes: number;
  body: unknown;
  /** The RFC 8288 Link header, if any. */
  link: string | null;
}

export function createOneCoreClient(opts: OneCoreClientOptions): OneCoreClient {
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
  const limiter = opts.rateLimiter ?? noRateLimit;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const ownAgent = opts.dispatcher === undefined;
  const agent = opts.dispatcher ?? createHttpAgent();
  const { log, tokens } = opts;
  const base = opts.baseUrl.replace(/\/+$/, '');
  const maxParkMs = opts.maxParkMs ?? Infinity;

  /**
   * One logical request: waits its turn in the shop-wide schedule before every attempt, retries
   * what may pass (429, 5xx, network, unreadable 200s) and renews the access token at most once.
   */
  async function execute<T>(
    endpoint: string,
    url: string,
    parse: (res: HttpResponse) => T,
    signal?: AbortSignal,
    withToken = true,
  ): Promise<T> {
    let renewedFor401 = false;
    let renewed: string | undefined;
    const retry = startRetries({
      policy,
      signal,
      async waitFor(err, backoffMs) {
        const retryAfterMs = err instanceof OneCoreError ? err.retryAfterHeaderMs : undefined;
        if (retryAfterMs === undefined) return backoffMs;
        // Every process backs off, not just this request: the shop asked all of us to wait.
        await limiter.backOff(Math.min(retryAfterMs, policy.maxRetryAfterMs)).catch(() => undefined);
        if (retryAfterMs > maxParkMs) {
          throw new RateLimited({
            endpoint,
            retryAfterMs,
            body: (err as OneCoreError).excerpt,
            beyondCap: true,
            note: `the shop asks for longer than ONECORE_MAX_RETRY_AFTER_MS (${Math.round(maxParkMs / 1000)} s); not waiting: the next scheduled run tries again`,
          });
        }
        if (retryAfterMs > policy.maxRetryAfterMs) {
          throw new RateLimited({
            endpoint,
            retryAfterMs,
            body: (err as OneCoreError).excerpt,
            note: 'longer than a request waits; reschedule',
          });
        }
        return retryAfterMs;
      },
      exhausted: (err, attempts, waitMs) =>
        err instanceof RateLimited
          ? new RateLimited({
              endpoint,
              retryAfterMs: waitMs,
              body: err.excerpt,
              note: `still limited after ${attempts} attempts`,
            })
          : err,
      onRetry: (err, attempt, waitMs) =>
        log.warn(
          { endpoint, attempt, of: policy.retries, waitMs, error: (err as Error).message },
          'request failed; retrying',
        ),
    });
    for (;;) {
      // The round trip as a walker lives it (what sizes the walker count): from here to the parsed
      // answer, less the time spent waiting for a turn in the shared budget (that is the budget
      // working, not the shop being far away).
      const asked = performance.now();
      const waitedMs = await limiter.acquire(signal);
      // Asked on every attempt (a cache hit): after a long backoff the token may have been renewed
      // by another walker, or be due for renewal, and a stale one would waste the one 401 retry.
      const token = withToken ? (renewed ?? (await tokens.getAccessToken())) : '';
      renewed = undefined;
      let res: HttpResponse;
      try {
        res = await sendRequest(agent, {
          method: 'GET',
          url,
          headers: withToken ? apiHeaders(token) : anonymousHeaders(),
          timeoutMs,
          signal,
          endpoint,
          maxBytes: opts.maxResponseBytes,
        });
        if (res.status >= 200 && res.status < 300) {
          const parsed = parse(res);
          opts.roundTrips?.record(performance.now() - asked - waitedMs, waitedMs);
          return parsed;
        }
        if (res.status !== 401) throw errorForStatus(endpoint, res, url);
      } catch (err) {
        await retry.after(err);
        continue;
      }
      // 401: an expired or revoked access token. Renew (only if nobody already has) and try once
      // more; a second 401 means renewing does not help, and looping would hammer the shop.
      // Outside the try: the token service retries its own transient failures, and its AuthFailed
      // must reach the caller as it is.
      if (renewedFor401 || !withToken) throw new Unauthorized({ endpoint, body: res.text });
      renewedFor401 = true;
      log.info({ endpoint }, 'access token refused (401); renewing it and retrying once');
      renewed = await tokens.onUnauthorized(token);
    }
  }

  /** `path`: a per-parent list's own path under /api/v2/ (parent key filled in and encoded); default the endpoint's name. */
  function pageUrl(name: string, cursor: string | null, path?: string): string {
    const o = opts.endpointOptions?.[name] ?? {};
    const params: string[] = [];
    if (cursor !== null) params.push(cursorQuery(cursor));
    // No page-size parameter is documented: send one only when the operator configured both halves.
    if (o.pageSizeParam !== undefined && o.pageSize !== undefined)
      params.push(`${encodeURIComponent(o.pageSizeParam)}=${o.pageSize}`);
    return `${base}/api/v2/${path ?? encodeURIComponent(name)}${params.length > 0 ? `?${params.join('&')}` : ''}`;
  }

  return {
    fetchPage(endpoint, cursor, signal, path) {
      const name = endpoint.toLowerCase();
      const o = opts.endpointOptions?.[name] ?? {};
      return execute(
        name,
        pageUrl(name, cursor, path),
        (res) => {
          const { body, exactNumbers } = parsePageBody(name, res);
          const { page, shape } = readEnvelope(body, {
            endpoint: name,
            cursor,
            recordsKey: o.recordsKey,
            link: header(res.headers, 'link'),
          });
          if (exactNumbers) page.exactNumbers = true;
          if (res.utf8 !== undefined) page.raw = { bytes: res.utf8, recordsPath: shape.recordsPath };
          return page;
        },
        signal,
      );
    },
    fetchRaw(endpoint, cursor, signal) {
      const name = endpoint.toLowerCase();
      return execute(
        name,
        pageUrl(name, cursor),
        (res) => ({
          status: res.status,
          bytes: Buffer.byteLength(res.text),
          body: parseJsonBody(name, res),
          link: header(res.headers, 'link') ?? null,
        }),
        signal,
      );
    },
    getJson(url, signal) {
      const absolute = /^https?:\/\//i.test(url) ? url : `${base}/${url.replace(/^\/+/, '')}`;
      const label = new URL(absolute).pathname;
      // The token goes to the shop's origin only: a document elsewhere is fetched without it.
      return execute(
        label,
        absolute,
        (res) => parseJsonBody(label, res),
        signal,
        new URL(absolute).origin === new URL(base).origin,
      );
    },
    async close() {
      if (ownAgent) await (agent as Dispatcher).close();
    },
  };
}
