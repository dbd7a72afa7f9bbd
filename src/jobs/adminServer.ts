import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../config/ConfigError.js';
import type { Pool } from '../db/createPool.js';
import type { Mode } from '../db/sql/checkpoints.js';
import type { Logger } from '../log/createLogger.js';
import { BULL_BOARD_PATH, createBullBoardHandler } from './bullBoard.js';
import { enqueueRun } from './enqueue.js';
import { checkHealth } from './health.js';
import { renderMetrics } from './metrics.js';
import { renderStatusPage } from './statusPage.js';
import type { Config } from '../config/readConfig.js';
import type { QueueStore, SyncQueue } from './queueStore.js';
import { sameSecret } from './sameSecret.js';
import { validateRunRequest } from './runRequest.js';

export interface AdminServerDeps {
  host: string;
  port: number;
  /** Bearer token for the trigger routes; undefined turns them off. */
  token: string | undefined;
  /** The admin server's own small pool (health, metrics), so scrapes can never starve walks. */
  pool: Pool;
  store: Pick<QueueStore, 'kind' | 'ping'>;
  /** For the status page: the schedule its freshness is measured against. */
  config: Config;
  queue: SyncQueue;
  log: Logger;
}

export interface AdminServer {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The worker's admin HTTP server: `GET /healthz`, `GET /metrics`, and the trigger routes
 * (`POST /trigger/incremental`, `POST /trigger/mirror`, `POST /backfill`) that enqueue like the
 * CLI does. Bound to 127.0.0.1 by default; the trigger routes need `ADMIN_TOKEN` as a bearer
 * token and are off without one, like bull-board under `/queues` (see bullBoard.ts).
 */
export async function startAdminServer(deps: AdminServerDeps): Promise<AdminServer> {
  const { log } = deps;
  const token = deps.token;
  const bullBoard = createBullBoardHandler({ queue: deps.queue, token: deps.token });

  const routes: Record<string, (req: IncomingMessage) => Promise<{ status: number; body: unknown; type?: string }>> = {
    'GET /healthz': async () => {
      const health = await checkHealth(deps.pool, deps.store);
      return { status: health.status === 'ok' ? 200 : 503, body: health };
    },
    // The status page: readable like /metrics (no token; the server is on loopback by default).
    'GET /': async () => ({
      status: 200,
      type: 'text/html; charset=utf-8',
      body: await renderStatusPage({ db: deps.pool, queue: deps.queue, store: deps.store, config: deps.config }),
    }),
    'GET /metrics': async () => ({
      status: 200,
      type: 'text/plain; version=0.0.4; charset=utf-8',
      body: await metricsOnce(),
    }),
    'POST /trigger/incremental': (req) => trigger(req, 'incremental'),
    'POST /trigger/mirror': (req) => trigger(req, 'mirror'),
    'POST /backfill': (req) => trigger(req, 'backfill'),
  };

  // Scrapes that arrive together share one rendering: parallel scrapers cannot multiply the work.
  let metricsFlight: Promise<string> | undefined;
  const metricsOnce = () =>
    (metricsFlight ??= renderMetrics(deps.pool, deps.queue).finally(() => (metricsFlight = undefined)));

  async function trigger(req: IncomingMessage, mode: Mode) {
    if (token === undefined)
      throw new HttpError(404, 'trigger routes are off: set ADMIN_TOKEN on the worker to enable them');
    if (!authorized(req.headers.authorization, token)) throw new HttpError(401, 'missing or wrong bearer token');
    const body = await readJson(req);
    let request;
    try {
      request = validateRunRequest(
        mode === 'backfill' ? 'backfill' : `trigger ${mode}`,
        mode,
        body.endpoints,
        body.from,
      );
    } catch (err) {
      if (err instanceof ConfigError) throw new HttpError(400, err.message);
      throw err;
    }
    const jobs = await enqueueRun(deps.queue, request);
    log.info({ mode, endpoints: request.endpoints ?? 'all', jobs, via: 'http' }, 'run enqueued');
    return { status: 202, body: { mode, jobs } };
  }

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === BULL_BOARD_PATH || path.startsWith(`${BULL_BOARD_PATH}/`)) {
      const bearerOk = token !== undefined && authorized(req.headers.authorization, token);
      bullBoard(req, res, bearerOk).then(
        (r) => r && sendText(res, r.status, r.body, r.headers),
        (err: unknown) => {
          // `path`, never req.url: the query may hold the token.
          log.error({ err: (err as Error).message, path }, 'admin request failed');
          if (!res.headersSent) send(res, 500, { error: 'internal error; see the worker log' });
          else res.destroy();
        },
      );
      return;
    }
    const route = routes[`${req.method} ${path}`];
    const handle = route
      ? route(req)
      : Promise.reject(
          Object.keys(routes).some((k) => k.endsWith(` ${path}`))
            ? new HttpError(405, 'method not allowed')
            : new HttpError(404, 'not found'),
        );
    handle.then(
      (r) => send(res, r.status, r.body, r.type),
      (err: unknown) => {
        if (err instanceof HttpError) return send(res, err.status, { error: err.message });
        log.error({ err: (err as Error).message, path }, 'admin request failed');
        send(res, 500, { error: 'internal error; see the worker log' });
      },
    );
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function authorized(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  // Compared even when there is no bearer at all, so a missing header takes the same time.
  return sameSecret(m?.[1]?.trim() ?? '', token) && m !== null;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, `body larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new HttpError(400, 'body must be a JSON object, e.g. {"endpoints": ["orders"]}');
  return parsed as Record<string, unknown>;
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...headers,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json; charset=utf-8'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body) + '\n';
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}
