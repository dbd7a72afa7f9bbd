import type { QueryConfig, QueryResult, QueryResultRow } from 'pg';

/**
 * The one way SQL functions reach Postgres: a pool or a checked-out connection, whichever the
 * caller holds (text and values, or pg's config form for a named statement). What needs a
 * connection of its own (a transaction, a session lock) takes `Pool` or `PoolClient` from
 * createPool.ts; see withTransaction.ts.
 */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(
    textOrConfig: string | QueryConfig,
    values?: unknown[],
  ): Promise<QueryResult<R>>;
}
