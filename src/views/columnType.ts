/** The Postgres types a typed view's columns can have. */
export const COLUMN_TYPES = ['bigint', 'numeric', 'boolean', 'timestamptz', 'date', 'text', 'jsonb'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export function isColumnType(value: unknown): value is ColumnType {
  return typeof value === 'string' && (COLUMN_TYPES as readonly string[]).includes(value);
}

/**
 * The one type that holds values seen as `a` and as `b`: integers widen to numeric; any other
 * mix of scalars stays text (a date-time next to a plain string, a number next to a string), and
 * a mix with objects or arrays stays jsonb.
 */
export function widen(a: ColumnType, b: ColumnType): ColumnType {
  if (a === b) return a;
  if (a === 'jsonb' || b === 'jsonb') return 'jsonb';
  if ((a === 'bigint' && b === 'numeric') || (a === 'numeric' && b === 'bigint')) return 'numeric';
  return 'text';
}
