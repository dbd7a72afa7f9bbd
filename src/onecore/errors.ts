import { excerpt as cut, redactSecrets } from './secrets.js';
import { problemSummary } from './problemDetails.js';

/**
 * Typed API errors. The engine decides by type (a 400 restarts a stale cursor, a 403 marks the
 * endpoint forbidden, a RateLimited is rescheduled), and operators read the message, which names
 * the endpoint and status and quotes at most 200 characters of the body: never a token (bodies
 * are passed through `excerpt`, which redacts every token the process knows and anything
 * token-shaped).
 */
export interface OneCoreErrorDetails {
  /** The endpoint name (`orders`), `renewtokens`, or the path of another URL. */
  endpoint: string;
  status?: number | null;
  /** The raw response body; only a redacted excerpt of it is kept. */
  body?: string | null;
  cause?: unknown;
  /** The response's Retry-After (429, 503), in ms, when it sent one. */
  retryAfterHeaderMs?: number;
  /** Start the message with `endpoint: ` (default true). */
  prefix?: boolean;
}

export class OneCoreError extends Error {
  override name = 'OneCoreError';
  readonly endpoint: string;
  /** HTTP status, or null when no response arrived (network errors). */
  readonly status: number | null;
  /** ≤ 200 characters of the response body, tokens redacted. */
  readonly excerpt: string;
  /** The Retry-After the response carried, in ms; the retry loop waits that long instead of its own backoff. */
  readonly retryAfterHeaderMs: number | undefined;

  constructor(message: string, details: OneCoreErrorDetails) {
    // ASP.NET problem details are read into their title, detail and errors; other bodies are cut.
    const ex = problemSummary(details.body) ?? cut(details.body);
    super(
      redactSecrets(`${details.prefix === false ? '' : `${details.endpoint}: `}${message}${ex ? ` — ${ex}` : ''}`),
      details.cause !== undefined ? { cause: details.cause } : undefined,
    );
    this.endpoint = details.endpoint;
    this.status = details.status ?? null;
    this.excerpt = ex;
    this.retryAfterHeaderMs = details.retryAfterHeaderMs;
  }
}

export class BadRequest extends OneCoreError {
  override name = 'BadRequest';
  constructor(d: OneCoreErrorDetails) {
    super('400 Bad Request', { ...d, status: 400 });
  }
}

export class Unauthorized extends OneCoreError {
  override name = 'Unauthorized';
  constructor(d: OneCoreErrorDetails) {
    super('401 Unauthorized, again after renewing the access token', { ...d, status: 401 });
  }
}

export class Forbidden extends OneCoreError {
  override name = 'Forbidden';
  constructor(d: OneCoreErrorDetails) {
    super('403 Forbidden: the API user has no permission for this endpoint', { ...d, status: 403 });
  }
}

export class NotFound extends OneCoreError {
  override name = 'NotFound';
  constructor(d: OneCoreErrorDetails) {
    super('404 Not Found', { ...d, status: 404 });
  }
}

export class RateLimited extends OneCoreError {
  override name = 'RateLimited';
  /** How long the shop asked us to wait (Retry-After), or our own backoff when it did not say. */
  readonly retryAfterMs: number;
  /** The shop asked for longer than ONECORE_MAX_RETRY_AFTER_MS: the job is not parked, the run fails. */
  readonly beyondCap: boolean;
  constructor(d: OneCoreErrorDetails & { retryAfterMs: number; note?: string; beyondCap?: boolean }) {
    super(`429 Too Many Requests (retry after ${Math.ceil(d.retryAfterMs / 1000)} s)${d.note ? `; ${d.note}` : ''}`, {
      ...d,
      status: 429,
    });
    this.retryAfterMs = d.retryAfterMs;
    this.beyondCap = d.beyondCap ?? false;
  }
}

export class ServerError extends OneCoreError {
  override name = 'ServerError';
  constructor(d: OneCoreErrorDetails & { status: number }) {
    super(`${d.status} server error`, d);
  }
}

/** Any other status we have no rule for (405, 409, 3xx, …): not retried. */
export class UnexpectedStatus extends OneCoreError {
  override name = 'UnexpectedStatus';
  constructor(d: OneCoreErrorDetails & { status: number }) {
    super(`unexpected HTTP status ${d.status}`, d);
  }
}

/**
 * A 3xx from the shop. Redirects are never followed: the request carries our token, and a
 * redirect can point anywhere. The message names the Location, and for an http → https move on the
 * same host, the ONECORE_BASE_URL to set instead.
 */
export class Redirected extends OneCoreError {
  override name = 'Redirected';
  readonly location: string | undefined;
  constructor(d: OneCoreErrorDetails & { status: number; location: string | undefined; requestUrl?: string }) {
    super(redirectMessage(d.status, d.location, d.requestUrl), { ...d, body: null });
    this.location = d.location;
  }
}

function redirectMessage(status: number, location: string | undefined, requestUrl: string | undefined): string {
  if (!location) return `the shop answered ${status} (a redirect) without a Location; check ONECORE_BASE_URL`;
  let target: URL | undefined;
  let from: URL | undefined;
  try {
    from = requestUrl ? new URL(requestUrl) : undefined;
    target = new URL(location, from);
  } catch {
    target = undefined;
  }
  const shown = (target?.href ?? location).slice(0, 200);
  let hint = 'check ONECORE_BASE_URL (redirects are not followed, so the token never goes elsewhere)';
  if (
    from &&
    target &&
    from.protocol === 'http:' &&
    target.protocol === 'https:' &&
    from.hostname === target.hostname
  ) {
    const suffix = from.pathname
      .replace(/\/api\/.*$/i, '')
      .replace(/\/swagger\/.*$/i, '')
      .replace(/\/+$/, '');
    hint = `the shop wants HTTPS: set ONECORE_BASE_URL=https://${target.host}${suffix}`;
  }
  return `the shop answered ${status} redirecting to ${shown}; ${hint}`;
}

/** No response: connection refused or reset, DNS, or the per-request timeout. */
export class NetworkError extends OneCoreError {
  override name = 'NetworkError';
  readonly code: string | undefined;
  constructor(d: OneCoreErrorDetails & { reason: string; code?: string }) {
    super(`network error: ${d.reason}`, { ...d, status: null });
    this.code = d.code;
  }
}

/**
 * A 200 whose body is not what a page must be. `transient` when the body could not be read as
 * JSON at all (cut short, an HTML maintenance page, empty): a retry usually gets a good one.
 * A well-formed body of the wrong shape will not fix itself, so that is not retried.
 */
export class ProtocolError extends OneCoreError {
  override name = 'ProtocolError';
  readonly transient: boolean;
  constructor(message: string, d: OneCoreErrorDetails & { transient?: boolean }) {
    super(message, { ...d, status: d.status ?? 200 });
    this.transient = d.transient ?? false;
  }
}

/** The API sent us back to a page we had already read in this walk: following it would never end. */
export class PagingLoop extends OneCoreError {
  override name = 'PagingLoop';
  readonly cursor: string;
  constructor(d: OneCoreErrorDetails & { cursor: string; pages: number }) {
    super(
      `paging loop: after ${d.pages} page(s) the API linked again to cursor ${JSON.stringify(d.cursor)}, which this walk has already read`,
      d,
    );
    this.cursor = d.cursor;
  }
}

/** The walk read ONECORE_MAX_PAGES_PER_WALK pages and the API still says there are more. */
export class PagingLimit extends OneCoreError {
  override name = 'PagingLimit';
  constructor(d: OneCoreErrorDetails & { pages: number }) {
    super(
      `the API still links to a next page after ${d.pages} pages in this walk, the limit ONECORE_MAX_PAGES_PER_WALK; stopped (endless paging?) — raise the limit if the endpoint really is that long`,
      d,
    );
  }
}

export const AUTH_FAILED_MESSAGE = 'the refresh token was rejected; store a new one with `onecore-sync token set`';

/**
 * Renewal is impossible with what we hold: retrying cannot help, an operator must act. The
 * message tells them what to do.
 */
export class AuthFailed extends OneCoreError {
  override name = 'AuthFailed';
  constructor(d: Partial<OneCoreErrorDetails> & { message?: string } = {}) {
    super(d.message ?? AUTH_FAILED_MESSAGE, {
      endpoint: d.endpoint ?? 'renewtokens',
      status: d.status,
      body: d.body,
      cause: d.cause,
      prefix: false,
    });
  }
}

/** Worth trying again later (after a backoff): the shop or the network may be fine in a moment. */
export function isTransient(err: unknown): boolean {
  if (err instanceof RateLimited || err instanceof ServerError || err instanceof NetworkError) return true;
  if (err instanceof ProtocolError) return err.transient;
  return false;
}
