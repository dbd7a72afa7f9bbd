/**
 * The HTTP side: routing, auth, paging and fault responses, on plain node:http (no framework, so
 * nothing stands between a test and the exact bytes, status codes and socket behaviour).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthState } from './auth.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { type FaultController, type FaultDecision, RENEW_ENDPOINT } from './faults.js';
import { linkCursors, type PageRenderer } from './page.js';
import type { EndpointStore } from './store.js';
import type { Rng } from './random.js';
import type { SimulatorStats } from './types.js';

export const MAX_PAGE_SIZE = 1000;
const MAX_BODY_BYTES = 64 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';
const RENEW_PATHS = new Set(['/api/v2/tokens/renewtokens', '/api/v1/tokens/renewtokens']);
const LIST_RE = /^\/api\/v2\/([a-z]+)(?:\/([^/]+)(\/details|\/list)?)?$/i;
/** Per-parent lists as V1 clients show them (`ordershipments/{orderId}/list`): the parent endpoint and the child's reference field. */
const PER_PARENT: Record<string, { parent: string; field: string }> = {
  ordershipments: { parent: 'orders', field: 'orderid' },
  productimages: { parent: 'products', field: 'productid' },
};

export interface ServerContext {
  stores: Map<string, EndpointStore>;
  /** Per endpoint: the charset its pages declare and the encoding they are sent in (default UTF-8). */
  charsets: Map<string, { declare: string | null; encode?: 'utf8' | 'latin1' | 'utf16le' }>;
  /** Per endpoint: the listing ends (hasNext false) after this many records, as a broken shop's may. */
  listingLimits: Map<string, number>;
  auth: AuthState;
  faults: FaultController;
  stats: SimulatorStats;
  renderer: PageRenderer;
  pageSize: number;
  latencyMs: number;
  latencyJitterMs: number;
  /** Draws the jitter; seeded, so a run is repeatable. */
  latencyRng: Rng;
  pascal: boolean;
  /** Errors as ASP.NET Core problem details (application/problem+json). */
  problemDetails: boolean;
  openapiPath: string;
  openapi: () => string;
  /** setTimeout wrapper whose timers close() can cancel. */
  sleep: (ms: number) => Promise<void>;
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  contentType = JSON_TYPE,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
    ...headers,
  });
  res.end(body);
}

/**
 * Errors are `{"message": ...}`, or problem details in the pascal dialect; they never echo a token
 * or other request input back.
 */
function sendError(
  ctx: ServerContext,
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
  errors?: Record<string, string[]>,
): void {
  if (!ctx.problemDetails) return send(res, status, JSON.stringify({ message }), JSON_TYPE, headers);
  // ASP.NET Core's answer: RFC 7807 problem details, validation errors per parameter.
  const problem = {
    type: 'https://tools.ietf.org/html/rfc9110',
    title: errors ? 'One or more validation errors occurred.' : message,
    status,
    ...(errors ? { errors } : { detail: message }),
    traceId: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
  };
  send(res, status, JSON.stringify(problem), 'application/problem+json; charset=utf-8', headers);
}

function parseQuery(qs: string): Map<string, string> {
  const out = new Map<string, string>();
  // URLSearchParams decodes "+" as a space, as ASP.NET does: an unencoded cursor breaks, as it would for real.
  for (const [k, v] of new URLSearchParams(qs)) {
    const key = k.toLowerCase(); // parameter names are case-insensitive, values are not
    if (!out.has(key)) out.set(key, v);
  }
  return out;
}

export function createHandler(ctx: ServerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, req, res).catch((err: unknown) => {
      // A simulator bug must show up as a clear 500, not a hung request.
      sendError(ctx, res, 500, `simulator internal error: ${err instanceof Error ? err.message : String(err)}`);
    });
  };
}

async function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  let path = q < 0 ? raw : raw.slice(0, q);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  const lower = path.toLowerCase();
  const query = q < 0 ? '' : raw.slice(q + 1);

  if (lower === ctx.openapiPath) {
    if (req.method !== 'GET') return sendError(ctx, res, 405, 'method not allowed');
    return send(res, 200, ctx.openapi());
  }
  if (RENEW_PATHS.has(lower)) return handleRenew(ctx, req, res);

  const m = LIST_RE.exec(path);
  const name = m?.[1]?.toLowerCase();
  const store = name === undefined ? undefined : ctx.stores.get(name);
  if (!m || !store || !name) return sendError(ctx, res, 404, 'not found');
  ctx.stats.requests[name] = (ctx.stats.requests[name] ?? 0) + 1;
  ctx.stats.requestTimes.push(Date.now());
  if (req.method !== 'GET') return sendError(ctx, res, 405, 'method not allowed', { Allow: 'GET' });

  const auth = ctx.auth.check(req.headers.authorization);
  if (auth !== 'ok') {
    ctx.stats.unauthorized++;
    const message = {
      missing: 'Authorization header with a PublicApiV2 access token is required',
      scheme: 'Unsupported authorization scheme; use PublicApiV2',
      expired: 'Access token has expired',
      invalid: 'Access token is invalid',
    }[auth];
    return sendError(ctx, res, 401, message, { 'WWW-Authenticate': 'PublicApiV2' });
  }
  if (store.def.forbidden) return sendError(ctx, res, 403, `The API user has no permission for ${name}`);

  if (m[2] !== undefined) {
    // Detail routes (/{name}/{id}, /orders/{id}/details): optional extras, no faults.
    if (m[3]?.toLowerCase() === '/list') return sendChildren(ctx, res, name, m[2]);
    if (m[3] !== undefined && name !== 'orders') return sendError(ctx, res, 404, 'not found');
    let id: string;
    try {
      id = decodeURIComponent(m[2]);
    } catch {
      return sendError(ctx, res, 404, 'not found');
    }
    const entry = store.get(id);
    return entry ? send(res, 200, entry.json) : sendError(ctx, res, 404, `${name} ${id} not found`);
  }
  return handleList(ctx, req, res, name, store, query);
}

async function handleList(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  store: EndpointStore,
  query: string,
): Promise<void> {
  const latency = ctx.latencyMs + (ctx.latencyJitterMs > 0 ? ctx.latencyRng.next() * ctx.latencyJitterMs : 0);
  if (latency > 0) await ctx.sleep(latency);
  const fault = ctx.faults.decide(name);
  if (fault && fault.kind !== 'slow' && fault.kind !== 'truncated' && fault.kind !== 'loop')
    return sendFault(ctx, req, res, fault);
  if (fault?.kind === 'slow') await ctx.sleep(fault.delayMs);

  const params = parseQuery(query);
  let size = ctx.pageSize;
  const sizeText = params.get('pagesize');
  let explicitPageSize: number | undefined;
  if (sizeText !== undefined) {
    const n = Number(sizeText);
    if (!/^\d+$/.test(sizeText) || n < 1) {
      ctx.stats.badRequests++;
      return sendError(
        ctx,
        res,
        400,
        'invalid pageSize',
        {},
        { pageSize: [`The value '${sizeText.slice(0, 20)}' is not valid.`] },
      );
    }
    size = explicitPageSize = Math.min(n, MAX_PAGE_SIZE);
  }
  const afterText = params.get('after');
  const beforeText = params.get('before');
  if (afterText !== undefined && beforeText !== undefined) {
    ctx.stats.badRequests++;
    return sendError(ctx, res, 400, 'after and before cannot be combined');
  }
  const after = afterText === undefined ? null : decodeCursor(afterText);
  const before = beforeText === undefined ? null : decodeCursor(beforeText);
  if ((afterText !== undefined && after === null) || (beforeText !== undefined && before === null)) {
    ctx.stats.badRequests++;
    return sendError(
      ctx,
      res,
      400,
      'invalid cursor',
      {},
      { [afterText !== undefined && after === null ? 'after' : 'before']: ['The cursor is invalid.'] },
    );
  }

  // A bare-array body has no paging: the whole list is one page.
  const limit = ctx.listingLimits.get(name);
  const slice = ctx.renderer.bare
    ? store.page(null, null, Math.max(1, store.size), limit)
    : store.page(after, before, size, limit);
  let { next, prev } = linkCursors(slice, after, before, store.order === 'newest-first');
  let hasNext = slice.hasNext;
  let hasPrevious = slice.hasPrevious;
  if (fault?.kind === 'loop') {
    // A broken server: the link points back at the page just served.
    if (beforeText !== undefined) {
      prev = beforeText;
      hasPrevious = true;
    } else {
      next = afterText ?? encodeCursor(0);
      hasNext = true;
    }
  }
  const { body, headers } = ctx.renderer.render(name, {
    slice,
    nextCursor: next,
    prevCursor: prev,
    hasNext,
    hasPrevious,
    explicitPageSize,
  });
  if (fault?.kind === 'truncated') return sendTruncated(res, body);
  const charset = ctx.charsets.get(name);
  if (charset) {
    const bytes =
      charset.encode && charset.encode !== 'utf8' ? Buffer.from(body.toString('utf8'), charset.encode) : body;
    return send(
      res,
      200,
      bytes,
      charset.declare === null ? 'application/json' : `application/json; charset=${charset.declare}`,
      headers,
    );
  }
  send(res, 200, body, JSON_TYPE, headers);
}

/**
 * A per-parent list: every child whose reference names the parent, as one bare JSON array (as V1's
 * productimages list answers); 404 when the parent does not exist (or is gone).
 */
function sendChildren(ctx: ServerContext, res: ServerResponse, name: string, rawParent: string): void {
  const rule = PER_PARENT[name];
  let parentId: string;
  try {
    parentId = decodeURIComponent(rawParent);
  } catch {
    return sendError(ctx, res, 404, 'not found');
  }
  if (!rule || !ctx.stores.get(rule.parent)?.get(parentId))
    return sendError(ctx, res, 404, `${rule?.parent ?? name} ${parentId} not found`);
  const children = ctx.stores
    .get(name)!
    .truth()
    .filter((r) => {
      if (r === null || typeof r !== 'object') return false;
      const ref = Object.entries(r).find(([k]) => k.toLowerCase() === rule.field)?.[1];
      // camel references are `ord-000123`, pascal ones the integer 123; parents are keyed the same way.
      return ref !== undefined && String(ref) === parentId;
    });
  send(res, 200, JSON.stringify(children));
}

/** 200 with JSON headers, then half the body, then the end: the JSON never closes. */
function sendTruncated(res: ServerResponse, body: string | Buffer): void {
  if (res.destroyed) return;
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  // No Content-Length (chunked), so the response itself is well-formed HTTP and only the JSON is cut.
  res.writeHead(200, { 'Content-Type': JSON_TYPE });
  res.end(buf.subarray(0, Math.max(1, Math.floor(buf.length / 2))));
}

/** Faults that replace the response entirely (no request processing happens). */
function sendFault(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, f: FaultDecision): void {
  const retry: Record<string, string> = f.retryAfter !== undefined ? { 'Retry-After': f.retryAfter } : {};
  switch (f.kind) {
    case '429':
      return sendError(ctx, res, 429, 'Too many requests', retry);
    case '500':
      return sendError(ctx, res, 500, 'An unexpected error occurred');
    case '502':
      return send(res, 502, 'Bad Gateway', 'text/plain; charset=utf-8');
    case '503':
      return send(res, 503, 'Service Unavailable', 'text/plain; charset=utf-8', retry);
    case 'reset':
      req.socket.destroy();
      return;
    case 'malformed':
      return send(res, 200, '{"items":[{"id":"ord-000001","status":"New",}],"metadata":{hasNext:true', JSON_TYPE);
    case 'html':
      return send(
        res,
        200,
        '<!DOCTYPE html><html><head><title>Maintenance</title></head><body><h1>We will be back soon</h1></body></html>',
        'text/html; charset=utf-8',
      );
    case 'empty':
      return send(res, 200, '', JSON_TYPE);
    case 'truncated':
      return sendTruncated(res, '{"refreshToken":"sim-refresh-0000000000","accessToken":"CfDJ8AAAA","expiresIn":3600}');
    case 'slow':
    case 'loop':
      return; // handled by the callers: they answer normally
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function handleRenew(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return sendError(ctx, res, 405, 'method not allowed', { Allow: 'POST' });
  ctx.stats.renewCalls++;
  // Read the body first, so a fault answer never leaves unread bytes on a keep-alive socket.
  const body = await readBody(req);
  const fault = ctx.faults.decide(RENEW_ENDPOINT);
  // Only `slow` lets the renewal happen: any other fault means it was not processed (no rotation lost).
  if (fault && fault.kind !== 'slow' && fault.kind !== 'loop') return sendFault(ctx, req, res, fault);
  if (fault?.kind === 'slow') await ctx.sleep(fault.delayMs);

  let token: unknown;
  try {
    if (body === null) throw new Error('too large');
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    // The key's casing has changed over time: accept any.
    for (const [k, v] of Object.entries(parsed)) if (k.toLowerCase() === 'refreshtoken') token = v;
  } catch {
    ctx.stats.badRequests++;
    return sendError(ctx, res, 400, 'request body must be JSON: {"refreshToken": "..."}');
  }
  if (typeof token !== 'string' || token === '') {
    ctx.stats.badRequests++;
    return sendError(ctx, res, 400, 'refreshToken is required');
  }
  const result = ctx.auth.renew(token);
  if (!result.ok) {
    ctx.stats.renewRefused++;
    return sendError(
      ctx,
      res,
      401,
      result.reason === 'rotated' ? 'Refresh token has been replaced by a newer one' : 'Refresh token is invalid',
    );
  }
  const out = ctx.pascal
    ? { RefreshToken: result.refreshToken, AccessToken: result.accessToken, ExpiresIn: result.expiresIn }
    : { refreshToken: result.refreshToken, accessToken: result.accessToken, expiresIn: result.expiresIn };
  send(res, 200, JSON.stringify(out));
}
