import type { Queryable } from './queryable.js';

/** Stores the record schema the shop's OpenAPI document gives for an endpoint (see recordSchemaOf). */
export async function saveEndpointSchema(
  db: Queryable,
  endpoint: string,
  schema: Record<string, unknown>,
): Promise<void> {
  await db.query(
    `insert into onecore_sync.endpoint_schemas (endpoint, schema, fetched_at) values ($1, $2::json, now())
     on conflict (endpoint) do update set schema = excluded.schema, fetched_at = excluded.fetched_at`,
    [endpoint, JSON.stringify(schema)],
  );
}

export async function readEndpointSchema(
  db: Queryable,
  endpoint: string,
): Promise<Record<string, unknown> | undefined> {
  const { rows } = await db.query<{ schema: Record<string, unknown> }>(
    `select schema from onecore_sync.endpoint_schemas where endpoint = $1`,
    [endpoint],
  );
  return rows[0]?.schema;
}

/** Every stored record schema (as the document gave it: anything JSON). */
export async function readEndpointSchemas(db: Queryable): Promise<Array<{ endpoint: string; schema: unknown }>> {
  const { rows } = await db.query<{ endpoint: string; schema: unknown }>(
    `select endpoint, schema from onecore_sync.endpoint_schemas`,
  );
  return rows;
}

/** The key field remembered for an endpoint, if any. */
export async function readKeyField(db: Queryable, endpoint: string): Promise<string | undefined> {
  const { rows } = await db.query<{ key_field: string | null }>(
    `select key_field from onecore_sync.endpoints where name = $1`,
    [endpoint],
  );
  return rows[0]?.key_field ?? undefined;
}
