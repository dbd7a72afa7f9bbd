/** jsonb does not keep key order; compare objects with sorted keys. (No vitest import: the chaos run uses it too.) */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** A record as comparable text: equal for equal JSON whatever the key order. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}
