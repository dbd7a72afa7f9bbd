import { isObject } from '../json/isObject.js';
import type { Queryable } from '../db/sql/queryable.js';
import { readEndpointSchemas } from '../db/sql/endpointSchemas.js';
import { readRelationColumns, type RelationColumn } from '../db/sql/readRelationColumns.js';
import { TYPED_HISTORY_SCHEMA, TYPED_SCHEMA } from './viewSql.js';

export interface DbtFreshness {
  warnAfterHours: number;
  errorAfterHours: number;
}

const SYSTEM_COLUMNS: Record<string, string> = {
  id: 'The record key as the API sends it (text).',
  data: 'The record as the API sent it, every ISO 8601 date-time rewritten to UTC.',
  synced_at: 'When this content was first stored or last changed.',
  deleted_at: 'Set when a completed mirror no longer saw the record; NULL while it exists upstream.',
  parent_id: 'The key (id) of the record this list element belongs to.',
  position: 'The place of the element in its list, from 1.',
  valid_from: 'When the sync stored this version.',
  valid_to: 'When the next version replaced it; NULL while it is the current one.',
  change:
    'How this version began: insert (first seen), update, delete (no longer listed; the last content) or undelete (listed again).',
  run_id: 'The sync run (onecore_sync.sync_runs) that stored this version.',
  modified_at: "The record's own modification date-time, where it carries one.",
};

/**
 * A dbt `sources.yml` document (as a plain object, for a YAML writer) describing `onecore` (the
 * jsonb tables), `onecore_typed` (the typed views) and, when an endpoint keeps history,
 * `onecore_typed_history` (its typed history views) as they are in the database now: every table
 * and view, every column with its Postgres type and, where the shop's OpenAPI document has one,
 * its description; a freshness check on `synced_at` (on `valid_from` for the history views, which
 * have no `synced_at`: a new version is the history's sign of life).
 */
export async function dbtSources(db: Queryable, freshness: DbtFreshness): Promise<Record<string, unknown>> {
  const schemas = await readSchemaDescriptions(db);
  const freshOn = (field: string) => ({
    loaded_at_field: field,
    freshness: {
      warn_after: { count: freshness.warnAfterHours, period: 'hour' },
      error_after: { count: freshness.errorAfterHours, period: 'hour' },
    },
  });
  const fresh = freshOn('synced_at');
  const tables = (columns: RelationColumn[], describe: (relation: string) => string) => {
    const byRelation = new Map<string, RelationColumn[]>();
    for (const c of columns) byRelation.set(c.relation, [...(byRelation.get(c.relation) ?? []), c]);
    return [...byRelation].map(([name, cols]) => ({
      name,
      description: describe(name),
      columns: cols.map((c) => {
        const description = c.comment ?? SYSTEM_COLUMNS[c.column];
        return { name: c.column, data_type: c.type, ...(description ? { description } : {}) };
      }),
    }));
  };
  const endpointDescription = (endpoint: string) =>
    schemas.get(endpoint) ?? `Records of the oneCORE list endpoint ${endpoint}.`;
  const typedDescription = (view: string) => {
    const [endpoint, list] = splitChild(view);
    if (list === undefined)
      return `${endpointDescription(endpoint)} Typed view of onecore.${endpoint}: one column per field.`;
    return `The elements of the list ${list} of onecore.${endpoint}, one row each (typed).`;
  };
  const historyDescription = (endpoint: string) =>
    `${endpointDescription(endpoint)} Every stored version of onecore.${endpoint} (onecore_history.${endpoint}), with the columns of onecore_typed.${endpoint}.`;
  const historyColumns = await readRelationColumns(db, TYPED_HISTORY_SCHEMA);
  return {
    version: 2,
    sources: [
      {
        name: 'onecore',
        description: 'oneCORE shop records mirrored by onecore-sync, one jsonb row per record.',
        schema: 'onecore',
        ...fresh,
        tables: tables(await readRelationColumns(db, 'onecore'), endpointDescription),
      },
      {
        name: TYPED_SCHEMA,
        description:
          'Typed views over the onecore tables (refreshed by onecore-sync after each mirror and by `onecore-sync views`).',
        schema: TYPED_SCHEMA,
        ...fresh,
        tables: tables(await readRelationColumns(db, TYPED_SCHEMA), typedDescription),
      },
      ...(historyColumns.length === 0
        ? []
        : [
            {
              name: TYPED_HISTORY_SCHEMA,
              description:
                'Typed history views: every version of the records of the endpoints that keep history, with the typed columns (refreshed with the typed views).',
              schema: TYPED_HISTORY_SCHEMA,
              ...freshOn('valid_from'),
              tables: tables(historyColumns, historyDescription),
            },
          ]),
    ],
  };
}

async function readSchemaDescriptions(db: Queryable): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const r of await readEndpointSchemas(db)) {
    if (isObject(r.schema) && typeof r.schema.description === 'string' && r.schema.description.trim() !== '')
      out.set(r.endpoint, r.schema.description.trim());
  }
  return out;
}

function splitChild(view: string): [string, string | undefined] {
  const i = view.indexOf('__');
  return i < 0 ? [view, undefined] : [view.slice(0, i), view.slice(i + 2)];
}
