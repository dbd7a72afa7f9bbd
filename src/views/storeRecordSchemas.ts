import type { Logger } from 'pino';
import type { Config } from '../config/readConfig.js';
import type { Queryable } from '../db/sql/queryable.js';
import { saveEndpointSchema } from '../db/sql/endpointSchemas.js';
import { openapiUrl } from '../sync/resolveEndpoints.js';
import { describeError } from '../sync/describeError.js';
import { recordSchemaOf } from './recordSchemaOf.js';

/**
 * Reads the shop's OpenAPI document and stores the record schema it gives for each endpoint, so
 * that views (and the dbt export) are typed and described by it, even later without the shop.
 * A shop without a usable document is no error: the views are then typed from the stored rows.
 */
export async function storeRecordSchemas(
  deps: { db: Queryable; config: Config; log: Logger; fetchJson: (url: string) => Promise<unknown> },
  endpoints: string[],
): Promise<string[]> {
  const url = openapiUrl(deps.config);
  let doc: unknown;
  try {
    doc = await deps.fetchJson(url);
  } catch (err) {
    deps.log.warn(
      { url, error: describeError(err) },
      'no OpenAPI document for the typed views; their types come from the stored rows',
    );
    return [];
  }
  const stored: string[] = [];
  for (const endpoint of endpoints) {
    const schema = recordSchemaOf(doc, endpoint, deps.config.endpointOptions[endpoint]?.recordsKey);
    if (!schema) continue;
    await saveEndpointSchema(deps.db, endpoint, schema);
    stored.push(endpoint);
  }
  return stored;
}
