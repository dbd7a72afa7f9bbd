import { Agent, request, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { NetworkError, ProtocolError } from './errors.js';
import { decodeBody, utf8Body } from './decodeBody.js';

/**
 * One HTTP exchange with the shop, and nothing more: no retries, no auth decisions (client.ts and
 * tokenService.ts make those). It reads the whole body, so the caller sees a status and text, and
 * turns every way of not getting a response (refused, reset, timed out) into a NetworkError.
 */

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Whole exchange (connect, headers and body); a slow trickle of bytes cannot hold a walker forever. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Names the request in errors (`orders`, `renewtokens`). */
  endpoint: string;
  /** Largest body accepted (ONECORE_MAX_RESPONSE_BYTES); default DEFAULT_MAX_RESPONSE_BYTES. */
  maxBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** A 2xx body read as UTF-8: the bytes `text` was decoded from (see utf8Body). */
  utf8?: Buffer;
}

/**
 * Pages are at most a few MB (1000 records of ~1.2 kB); anything far larger is not a page we can
 * afford: a body costs several times its size in memory while it is decoded and parsed.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/**
 * A keep-alive agent: a walk makes thousands of requests to one host, and a fresh TLS handshake
 * for each would cost more than the request. Idle sockets are dropped before typical server
 * keep-alive limits, so we rarely write to a socket the server is closing.
 */
export function createHttpAgent(opts: { connections?: number } = {}): Agent {
  return new Agent({
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 60_000,
    connections: opts.connections ?? 16,
    // Our own timer covers the whole exchange; these only keep undici's defaults (300 s) out of the way.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
}

export const USER_AGENT = 'onecore-sync';

/** The headers every oneCORE V2 call carries (the docs ask for the JSON content type even on GET). */
export function apiHeaders(accessToken: string): Record<string, string> {
  return {
    authorization: `PublicApiV2 ${accessToken}`,
    'content-type': 'application/json',
    accept: 'application/json',
    'user-agent': USER_AGENT,
  };
}

export async function sendRequest(dispatcher: Dispatcher, req: HttpRequest): Promise<HttpResponse> {
  req.signal?.throwIfAborted();
  const timer = new AbortController();
  let timedOut = false;
  const timeout = setTimeout(() => {
    timedOut = true;
    timer.abort(new Error('timeout'));
  }, req.timeoutMs);
  const onAbort = () => timer.abort(req.signal!.reason);
  req.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await request(req.url, {
      dispatcher,
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: timer.signal,
    });
    const bytes = await readBytes(
      res.body,
      req.endpoint,
      res.statusCode,
      req.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      res.headers,
    );
    // By its declared charset; only a 2xx body must decode without a single bad byte.
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    const contentType = header(res.headers, 'content-type');
    const text = decodeBody(bytes, contentType, { endpoint: req.endpoint, status: res.statusCode, strict: ok });
    return { status: res.statusCode, headers: res.headers, text, utf8: ok ? utf8Body(bytes, contentType) : undefined };
  } catch (err) {
    // The caller's abort (shutdown) is not a network problem: let it through as is.
    if (req.signal?.aborted) throw req.signal.reason ?? err;
    if (err instanceof ProtocolError) throw err;
    if (timedOut) {
      throw new NetworkError({
        endpoint: req.endpoint,
        reason: `no complete response within ${req.timeoutMs} ms`,
        code: 'ETIMEDOUT',
      });
    }
    const e = err as { code?: string; message?: string };
    throw new NetworkError({ endpoint: req.endpoint, reason: e.message ?? String(err), code: e.code, cause: err });
  } finally {
    clearTimeout(timeout);
    req.signal?.removeEventListener('abort', onAbort);
  }
}

/** A response too large to accept: it will not shrink by itself, so it is not retried. */
export class ResponseTooLarge extends ProtocolError {
  override name = 'ResponseTooLarge';
  constructor(endpoint: string, status: number, maxBytes: number, size: string) {
    super(
      `response body ${size} is larger than ONECORE_MAX_RESPONSE_BYTES (${maxBytes} bytes); raise it, or ask for smaller pages (pageSize in ONECORE_CONFIG_FILE)`,
      { endpoint, status },
    );
  }
}

async function readBytes(
  body: Dispatcher.ResponseData['body'],
  endpoint: string,
  status: number,
  maxBytes: number,
  headers: IncomingHttpHeaders,
): Promise<Buffer> {
  // Refused before reading when the server says how much is coming.
  const declared = Number(header(headers, 'content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    body.destroy();
    throw new ResponseTooLarge(endpoint, status, maxBytes, `of ${declared} bytes (Content-Length)`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      body.destroy();
      throw new ResponseTooLarge(endpoint, status, maxBytes, `of over ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  // One copy, then the chunks are garbage: the peak is about twice the body, not three times.
  const whole = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  chunks.length = 0;
  return whole;
}

/** Case-insensitive header lookup that also copes with repeated headers. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
