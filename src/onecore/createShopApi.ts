import type { Logger } from 'pino';
import type { Config } from '../config/readConfig.js';
import { required } from '../config/readConfig.js';
import type { Pool } from '../db/createPool.js';
import { createOneCoreClient, type OneCoreClient } from './client.js';
import { createHttpAgent } from './http.js';
import { walkPages } from './pager.js';
import { childPages } from '../sync/childPages.js';
import { liveParentKeys } from '../db/sql/parentKeys.js';
import type { Page } from './page.js';
import { createRateLimiter } from './rateLimiter.js';
import { createRoundTrips, type RoundTrips } from './roundTrips.js';
import { createTokenService, type TokenService } from './tokenService.js';
import { warnIfPlainHttp } from './transportWarning.js';

export interface ShopApi {
  /** Pages of an endpoint from a cursor: what the engine walks (`WalkDeps.pages`). */
  pages(endpoint: string, from: string | null, signal: AbortSignal): AsyncIterable<Page>;
  fetchJson(url: string): Promise<unknown>;
  client: OneCoreClient;
  tokens: TokenService;
  /** This process's measured round trips to the shop (sizes the walker count). */
  roundTrips: RoundTrips;
  close(): Promise<void>;
}

/**
 * The shop's API as configured: one keep-alive agent, the shared token service (Postgres), the
 * shop-wide rate cap (Postgres) and the client on top. One per process.
 */
export function createShopApi(config: Config, pool: Pool, log: Logger): ShopApi {
  const baseUrl = required(config, 'baseUrl', 'ONECORE_BASE_URL', 'to reach the shop (e.g. https://shop.example.com)');
  warnIfPlainHttp(baseUrl, log);
  const dispatcher = createHttpAgent();
  const roundTrips = createRoundTrips();
  const tokens = createTokenService({
    pool,
    baseUrl,
    bootstrapRefreshToken: config.refreshToken,
    log,
    timeoutMs: config.requestTimeoutMs,
    retry: { retries: config.retries },
    dispatcher,
    maxResponseBytes: config.maxResponseBytes,
  });
  const client = createOneCoreClient({
    baseUrl,
    tokens,
    rateLimiter: createRateLimiter({ pool, maxRps: config.maxRps }),
    timeoutMs: config.requestTimeoutMs,
    retry: { retries: config.retries },
    maxResponseBytes: config.maxResponseBytes,
    maxParkMs: config.maxRetryAfterMs,
    log,
    endpointOptions: config.endpointOptions,
    dispatcher,
    roundTrips,
  });
  return {
    pages: (endpoint, from, signal) => {
      const o = config.endpointOptions[endpoint];
      if (o?.parent === undefined || o.path === undefined)
        return walkPages(client, endpoint, from, signal, { maxPages: config.maxPagesPerWalk });
      const { parent, path } = o;
      // A per-parent list: the child list of every live parent record, as one walk.
      return (async function* () {
        yield* childPages(client, endpoint, path, await liveParentKeys(pool, parent, endpoint), from, signal, {
          maxPages: config.maxPagesPerWalk,
        });
      })();
    },
    fetchJson: (url) => client.getJson(url),
    client,
    tokens,
    roundTrips,
    async close() {
      await client.close();
      await tokens.close();
      await dispatcher.close();
    },
  };
}
