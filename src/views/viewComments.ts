import pg from 'pg';
import { quoteIdent } from '../db/quoteIdent.js';
import type { TypedColumnRow } from '../db/sql/typedColumns.js';

/**
 * `comment on column` for each column the shop's OpenAPI document describes, so that BI tools and
 * `\d+` show the description next to the column.
 */
export function commentSql(relation: string, columns: TypedColumnRow[]): string[] {
  return columns
    .filter((c) => c.description !== null && c.description !== '')
    .map((c) => `comment on column ${relation}.${quoteIdent(c.column)} is ${pg.escapeLiteral(c.description!)}`);
}
