import type { Logger } from 'pino';
import type { Config } from '../config/readConfig.js';
import type { Queryable } from '../db/sql/queryable.js';
import { rememberEndpoints } from '../db/sql/endpointState.js';
import { discoverEndpoints, type Discovery } from './discoverEndpoints.js';
import { AuthFailed } from '../onecore/errors.js';

export function openapiUrl(config: Config): string {
  return config.openapiUrl ?? `${config.baseUrl}/swagger/v2/swagger.json`;
}

/**
 * The endpoints to sync: `ONECORE_ENDPOINTS` (or the options file) when set, else those the
 * shop's OpenAPI document lists. Remembered in `onecore_sync.endpoints` for `status`/`endpoints`.
 */
export async function resolveEndpoints(deps: {
  db: Queryable;
  config: Config;
  log: Logger;
  fetchJson: (url: string) => Promise<unknown>;
}): Promise<{ endpoints: string[]; source: 'config' | 'discovery'; skipped: Discovery['skipped'] }> {
  const { config, log } = deps;
  if (config.endpoints) {
    await rememberEndpoints(deps.db, config.endpoints, 'config');
    return { endpoints: config.endpoints, source: 'config', skipped: [] };
  }
  const url = openapiUrl(config);
  let doc: unknown;
  try {
    doc = await deps.fetchJson(url);
  } catch (err) {
    // The cause stays attached: the worker decides by it (a 503 is retried, a 401 or 403 is not).
    // Refused credentials are not fixed by naming the endpoints: no hint then.
    const hint = err instanceof AuthFailed ? '' : '; set ONECORE_ENDPOINTS or ONECORE_OPENAPI_URL';
    throw new Error(`could not discover endpoints from ${url} (${(err as Error).message})${hint}`, { cause: err });
  }
  const found = discoverEndpoints(doc);
  for (const s of found.skipped) log.info({ path: s.path }, `discovery skipped a route: ${s.reason}`);
  if (found.capped !== undefined) {
    log.warn(
      { listed: found.capped, used: found.endpoints.length },
      `the OpenAPI document lists ${found.capped} list endpoints; only the first ${found.endpoints.length} (by name) are synced; set ONECORE_ENDPOINTS to choose`,
    );
  }
  if (found.endpoints.length === 0)
    throw new Error(`the OpenAPI document at ${url} lists no list endpoints under /api/v2/; set ONECORE_ENDPOINTS`);
  await rememberEndpoints(deps.db, found.endpoints, 'discovery');
  log.debug({ endpoints: found.endpoints }, 'endpoints discovered from the OpenAPI document');
  return { endpoints: found.endpoints, source: 'discovery', skipped: found.skipped };
}
