/** Postgres truncates identifiers to 63 bytes; names are cut below that to leave room for a `_N` suffix. */
const MAX_BYTES = 58;

/**
 * snake_case of an API field name: `orderNumber`, `OrderNumber` and `order-number` all become
 * `order_number`, `HTTPStatus` becomes `http_status`, `widthMm` `width_mm`. Letters of any script
 * are kept (the name is always quoted); anything else becomes `_`. A name that would start with a
 * digit or be empty gets an `f_` prefix.
 */
export function snakeCase(name: string): string {
  let s = name
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1_$2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1_$2')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
  if (s === '' || /^\p{N}/u.test(s)) s = `f_${s}`;
  return truncateBytes(s, MAX_BYTES);
}

/** The column name of a path: `billing_address__street` for an object's sub field. */
export function pathColumnName(path: readonly string[]): string {
  return truncateBytes(path.map(snakeCase).join('__'), MAX_BYTES);
}

/** `name`, or `name_2`, `name_3`… — the first that `taken` does not hold. */
export function uniqueName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  for (let i = 2; ; i++) {
    const candidate = `${name}_${i}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function truncateBytes(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let out = '';
  for (const ch of s) {
    if (Buffer.byteLength(out + ch) > max) break;
    out += ch;
  }
  return out.replace(/_+$/, '');
}
