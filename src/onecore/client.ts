import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { EndpointOptions } from '../config/readConfig.js';
import {
  BadRequest, Forbidden, NotFound, OneCoreError, ProtocolError, RateLimited, ServerError, Unauthorized, UnexpectedStatus, isTransient,
} from './errors.js';
import { apiHeaders, createHttpAgent, header, sendRequest, type HttpResponse } from './http.js';
import { cursorQuery, parsePage, type Page } from './page.js';
import { noRateLimit, type RateLimiter } from './rateLimiter.js';
import { DEFAULT_RETRY, backoffDelay, parseRetryAfter, sleep, type RetryPolicy } from './retry.js';

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
  /** An agent to share; by default the client owns one and close() closes it. */
  dispatcher?: Dispatcher;
}

export interface OneCoreClient {
  /** One page of a V2 list endpoint, from `cursor` (null = the first page). */
  fetchPage(endpoint: string, cursor: string | null, signal?: AbortSignal): Promise<Page>;
  /** Any JSON document of the shop (the OpenAPI document), with the same auth and retries. */
  getJson(url: string, signal?: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

export function createOneCoreClient(opts: OneCoreClientOptions): OneCoreClient {
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
  const limiter = opts.rateLimiter ?? noRateLimit;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const ownAgent = opts.dispatcher === undefined;
  const agent = opts.dispatcher ?? createHttpAgent();
  const { log, tokens } = opts;
  const base = opts.baseUrl.replace(/\/+$/, '');

  /**
   * One logical request: waits its turn in the shop-wide schedule before every attempt, retries
   * what may pass (429, 5xx, network, unreadable 200s) and renews the access token at most once.
   */
  async function execute<T>(endpoint: string, url: string, parse: (res: HttpResponse) => T, signal?: AbortSignal): Promise<T> {
    let retries = 0;
    let renewedFor401 = false;
    let token = await tokens.getAccessToken();
    for (;;) {
      await limiter.acquire(signal);
      try {
        const res = await sendRequest(agent, { method: 'GET', url, headers: apiHeaders(token), timeoutMs, signal, endpoint });
        if (res.status === 401) {
          // An expired or revoked access token: renew (only if nobody already has) and try once more.
          // A second 401 means renewing does not help, and looping would hammer the shop.
          if (renewedFor401) throw new Unauthorized({ endpoint, body: res.text });
          renewedFor401 = true;
          log.info({ endpoint }, 'access token refused (401); renewing it and retrying once');
          token = await tokens.onUnauthorized(token);
          continue;
        }
        if (res.status >= 200 && res.status < 300) return parse(res);
        throw errorForStatus(endpoint, res);
      } catch (err) {
        if (signal?.aborted) throw signal.reason ?? err;
        if (!isTransient(err)) throw err;
        const retryAfterMs = err instanceof OneCoreError ? err.retryAfterHeaderMs : undefined;
        if (retryAfterMs !== undefined) {
          // Every process backs off, not just this request: the shop asked all of us to wait.
          await limiter.backOff(Math.min(retryAfterMs, policy.maxRetryAfterMs)).catch(() => undefined);
          if (retryAfterMs > policy.maxRetryAfterMs) {
            throw new RateLimited({ endpoint, retryAfterMs, body: (err as OneCoreError).excerpt, note: 'longer than a request waits; reschedule' });
          }
        }
        const waitMs = retryAfterMs ?? backoffDelay(retries, policy);
        if (retries >= policy.retries) {
          if (err instanceof RateLimited) {
            throw new RateLimited({ endpoint, retryAfterMs: waitMs, body: err.excerpt, note: `still limited after ${retries + 1} attempts` });
          }
          throw err;
        }
        retries += 1;
        log.warn({ endpoint, attempt: retries, of: policy.retries, waitMs, error: (err as Error).message }, 'request failed; retrying');
        await sleep(waitMs, signal);
      }
    }
  }

  return {
    fetchPage(endpoint, cursor, signal) {
      const name = endpoint.toLowerCase();
      const o = opts.endpointOptions?.[name] ?? {};
      const params: string[] = [];
      if (cursor !== null) params.push(cursorQuery(cursor));
      // No page-size parameter is documented: send one only when the operator configured both halves.
      if (o.pageSizeParam !== undefined && o.pageSize !== undefined) params.push(`${encodeURIComponent(o.pageSizeParam)}=${o.pageSize}`);
      const url = `${base}/api/v2/${encodeURIComponent(name)}${params.length > 0 ? `?${params.join('&')}` : ''}`;
      return execute(name, url, (res) => parsePage(parseJsonBody(name, res), { endpoint: name, cursor, recordsKey: o.recordsKey }), signal);
    },
    getJson(url, signal) {
      const absolute = /^https?:\/\//i.test(url) ? url : `${base}/${url.replace(/^\/+/, '')}`;
      const label = new URL(absolute).pathname;
      return execute(label, absolute, (res) => parseJsonBody(label, res), signal);
    },
    async close() {
      if (ownAgent) await (agent as Dispatcher).close();
    },
  };
}

/**
 * A 200 whose body is not JSON: cut short, an HTML maintenance page from a proxy, or empty.
 * These come and go with the shop's health, so they are retried.
 */
export function parseJsonBody(endpoint: string, res: HttpResponse): unknown {
  const text = res.text;
  if (text.trim() === '') throw new ProtocolError('200 with an empty body', { endpoint, transient: true });
  try {
    return JSON.parse(text);
  } catch {
    const type = header(res.headers, 'content-type') ?? '';
    const html = /html/i.test(type) || /^\s*</.test(text);
    throw new ProtocolError(html ? '200 with an HTML page instead of JSON' : '200 with a body that is not valid JSON (cut short?)', { endpoint, body: text, transient: true });
  }
}

/** The typed error for a non-2xx, non-401 status. 429 and 503 carry the Retry-After they were sent. */
export function errorForStatus(endpoint: string, res: HttpResponse): OneCoreError {
  const body = res.text;
  const retryAfterHeaderMs = parseRetryAfter(header(res.headers, 'retry-after'));
  const d = { endpoint, body, retryAfterHeaderMs };
  if (res.status === 400) return new BadRequest(d);
  if (res.status === 403) return new Forbidden(d);
  if (res.status === 404) return new NotFound(d);
  if (res.status === 429) return new RateLimited({ ...d, retryAfterMs: retryAfterHeaderMs ?? 0 });
  if (res.status >= 500) return new ServerError({ ...d, status: res.status });
  return new UnexpectedStatus({ ...d, status: res.status });
}
