import type { QueryResult, QueryResultRow } from 'pg';

/** A pool or a checked-out client: SQL functions take whichever the caller holds. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}
