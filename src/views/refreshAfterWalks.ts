import type { Logger } from 'pino';
import type { Config } from '../config/readConfig.js';
import type { Pool } from '../db/createPool.js';
import type { WalkResult } from '../sync/walkEndpoint.js';
import { describeError } from '../sync/describeError.js';
import { refreshViews, type EndpointViews } from './refreshViews.js';
import { storeRecordSchemas } from './storeRecordSchemas.js';
import { typedView } from './viewSql.js';
import { relationExists } from '../db/sql/relationExists.js';

/**
 * After walks (the `sync` command, a worker's walk job): refresh the typed views of endpoints a
 * mirror completed, and create them for endpoints that have none yet. Other runs leave the views
 * alone: a view reads the table live, so new rows show at once; only new fields need a refresh,
 * and the nightly mirror brings them. Never throws: a view problem must not fail a sync.
 */
export async function refreshAfterWalks(
  deps: { pool: Pool; config: Config; log: Logger; fetchJson?: (url: string) => Promise<unknown> },
  results: Pick<WalkResult, 'endpoint' | 'mode' | 'status'>[],
): Promise<EndpointViews[]> {
  try {
    const endpoints: string[] = [];
    for (const r of results) {
      if (r.status !== 'succeeded' && r.status !== 'incomplete') continue; // incomplete: pages stored, deletions refused
      const missing = !(await relationExists(deps.pool, typedView(r.endpoint)));
      if (r.mode === 'mirror' || missing) endpoints.push(r.endpoint);
    }
    if (endpoints.length === 0) return [];
    if (deps.fetchJson)
      await storeRecordSchemas(
        { db: deps.pool, config: deps.config, log: deps.log, fetchJson: deps.fetchJson },
        endpoints,
      );
    const reports = await refreshViews(
      { pool: deps.pool, log: deps.log, keyFieldOf: (e) => deps.config.endpointOptions[e]?.keyField },
      endpoints,
    );
    for (const r of reports) {
      deps.log.info(
        {
          endpoint: r.endpoint,
          source: r.source,
          views: r.views.map((v) => v.view),
          added: r.views.flatMap((v) => v.added).length,
        },
        'typed views refreshed',
      );
    }
    return reports;
  } catch (err) {
    deps.log.error(
      { error: describeError(err) },
      'typed views could not be refreshed; the sync itself is not affected',
    );
    return [];
  }
}
