import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { sameSecret } from './sameSecret.js';
import type { SyncQueue } from './queueStore.js';

export const BULL_BOARD_PATH = '/queues';
const COOKIE = 'onecore_board';

/** What the admin server needs to answer a request under `/queues`. */
export type BullBoardHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  bearerOk: boolean,
) => Promise<BoardAnswer | undefined>;
/** A plain answer for the admin server to send; undefined when bull-board answered itself. */
export interface BoardAnswer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/**
 * bull-board (the BullMQ web UI) under `/queues`, behind `ADMIN_TOKEN`. A browser cannot send a
 * bearer header by itself, so `?token=` is accepted once: it sets a cookie holding a digest of the
 * token (never the token) and redirects to the URL without it, so the token leaves the address bar
 * and history. bull-board's BullMQAdapter reads a BullMQ 6 queue through its backend, so it works
 * on both the Redis and the Postgres queue.
 */
export function createBullBoardHandler(opts: { queue: SyncQueue; token: string | undefined }): BullBoardHandler {
  const { token } = opts;
  if (token === undefined)
    return async () => ({ status: 404, body: 'bull-board is off: set ADMIN_TOKEN on the worker to enable /queues\n' });

  const cookieValue = cookieDigest(token);
  const serverAdapter = new ExpressAdapter().setBasePath(BULL_BOARD_PATH);
  // bull-board's typings name bullmq's default Queue; ours is the same class with the backend generic spelled out.
  createBullBoard({ queues: [new BullMQAdapter(opts.queue as never)], serverAdapter });
  const app = serverAdapter.getRouter() as (
    req: IncomingMessage,
    res: ServerResponse,
    next: (err?: unknown) => void,
  ) => void;

  return async (req, res, bearerOk) => {
    const url = new URL(req.url ?? '/', 'http://admin');
    const given = url.searchParams.get('token');
    if (given !== null && url.pathname === BULL_BOARD_PATH) {
      if (!sameSecret(cookieDigest(given), cookieValue)) return { status: 401, body: 'wrong token\n' };
      url.searchParams.delete('token');
      return {
        status: 303,
        body: 'signed in\n',
        headers: {
          location: `${BULL_BOARD_PATH}${url.search}`,
          'set-cookie': `${COOKIE}=${cookieValue}; HttpOnly; SameSite=Strict; Path=${BULL_BOARD_PATH}`,
        },
      };
    }
    if (!bearerOk && !sameSecret(readCookie(req.headers.cookie, COOKIE) ?? '', cookieValue)) {
      return {
        status: 401,
        body: `missing or wrong bearer token; in a browser open ${BULL_BOARD_PATH}?token=<ADMIN_TOKEN> once\n`,
      };
    }
    // bull-board's app is written as if mounted at its base path: hand it the rest of the URL.
    req.url = req.url!.slice(BULL_BOARD_PATH.length) || '/';
    if (!req.url.startsWith('/')) req.url = `/${req.url}`;
    return new Promise<BoardAnswer | undefined>((resolve, reject) => {
      res.once('finish', () => resolve(undefined));
      res.once('close', () => resolve(undefined));
      app(req, res, (err) =>
        err
          ? reject(err instanceof Error ? err : new Error(String(err)))
          : resolve({ status: 404, body: 'not found\n' }),
      );
    });
  };
}

function cookieDigest(token: string): string {
  // Domain-separated, so the cookie is not the digest anything else compares against.
  return createHash('sha256').update(`onecore-sync bull-board\0${token}`, 'utf8').digest('hex');
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
