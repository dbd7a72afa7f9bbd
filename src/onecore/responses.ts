import {
  BadRequest,
  Forbidden,
  NotFound,
  ProtocolError,
  RateLimited,
  Redirected,
  ServerError,
  UnexpectedStatus,
  type OneCoreError,
} from './errors.js';
import { header, type HttpResponse } from './http.js';
import { parseRetryAfter } from './retry.js';
import { needsExactParse, parseExact } from '../json/exactJson.js';

/** What a response means, as a value or a typed error: shared by the client and the token service. */

/**
 * A 200 whose body is not JSON: cut short, an HTML maintenance page from a proxy, or empty.
 * These come and go with the shop's health, so they are retried.
 */
export function parseJsonBody(endpoint: string, res: HttpResponse): unknown {
  return parseJsonBodyWith(endpoint, res, JSON.parse);
}

/**
 * A list page's body, with every number at the exact value sent (see src/json/exactJson.ts):
 * `exactNumbers` says its records may hold numbers kept as text and must be written back with
 * `stringifyExact`.
 */
export function parsePageBody(endpoint: string, res: HttpResponse): { body: unknown; exactNumbers: boolean } {
  const exactNumbers = needsExactParse(res.text);
  return { body: parseJsonBodyWith(endpoint, res, exactNumbers ? parseExact : JSON.parse), exactNumbers };
}

function parseJsonBodyWith(endpoint: string, res: HttpResponse, parse: (text: string) => unknown): unknown {
  const text = res.text;
  if (text.trim() === '') throw new ProtocolError('200 with an empty body', { endpoint, transient: true });
  try {
    return parse(text);
  } catch {
    const type = header(res.headers, 'content-type') ?? '';
    const html = /html/i.test(type) || /^\s*</.test(text);
    throw new ProtocolError(
      html ? '200 with an HTML page instead of JSON' : '200 with a body that is not valid JSON (cut short?)',
      { endpoint, body: text, transient: true },
    );
  }
}

/**
 * The typed error for a non-2xx, non-401 status. 429 and 503 carry the Retry-After they were sent;
 * a redirect names its Location (`requestUrl` lets it suggest the corrected shop URL).
 */
export function errorForStatus(endpoint: string, res: HttpResponse, requestUrl?: string): OneCoreError {
  const body = res.text;
  if (res.status >= 300 && res.status < 400 && res.status !== 304) {
    return new Redirected({ endpoint, status: res.status, location: header(res.headers, 'location'), requestUrl });
  }
  const retryAfterHeaderMs = parseRetryAfter(header(res.headers, 'retry-after'));
  const d = { endpoint, body, retryAfterHeaderMs };
  if (res.status === 400) return new BadRequest(d);
  if (res.status === 403) return new Forbidden(d);
  if (res.status === 404) return new NotFound(d);
  if (res.status === 429) return new RateLimited({ ...d, retryAfterMs: retryAfterHeaderMs ?? 0 });
  if (res.status >= 500) return new ServerError({ ...d, status: res.status });
  return new UnexpectedStatus({ ...d, status: res.status });
}
