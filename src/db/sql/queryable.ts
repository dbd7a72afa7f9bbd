import type { QueryConfig, QueryResult, QueryResultRow } from 'pg';

/**
 * The one way SQL functions reach Postgres: a pool or a checked-out connection, whichever the
 * caller holds (text and values, or pg's config form for a named statement). What needs a
 * connection of its own (a transaction, a session lock) takes `Pool` or `PoolClient` from
 * createPool.ts; see withTransaction.ts.
 */
/*
 * pg returns int8 (bigint, count(*)) and numeric (sum of a bigint) as strings. They are converted
 * one way, in the SQL: selected as `::float8` (exact up to 2^53, beyond any id or count here), so
 * a row arrives with numbers and TypeScript never calls Number() on a column.
 */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(
    textOrConfig: string | QueryConfig,
    values?: unknown[],
  ): Promise<QueryResult<R>>;
}
