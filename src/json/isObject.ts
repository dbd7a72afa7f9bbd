/** A JSON object (not null, not an array): what a record, a page body or a config file must be. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
