import type { ColumnType } from './columnType.js';

/**
 * What a typed view is built from: the fields of an endpoint's records, from the shop's OpenAPI
 * document or inferred from stored rows. Only as deep as the views go: a field is a scalar column,
 * an object flattened one level (`field__sub`), or a list of objects (a child view).
 */
export interface FieldShape {
  /** The JSON key, exactly as the API sends it. */
  key: string;
  type: ColumnType;
  /** Typed by the shop's OpenAPI document rather than inferred from stored rows. */
  declared?: boolean;
  description?: string;
  /** An object flattened into `key__sub` columns (its own sub-objects stay jsonb). */
  fields?: FieldShape[];
  /** A list of objects: the elements' fields, for the child view `<endpoint>__<key>`. */
  items?: FieldShape[];
}

export interface RecordShape {
  fields: FieldShape[];
  description?: string;
}

/**
 * `primary` (the OpenAPI document) decides the fields it types; `secondary` (the stored rows) adds
 * the fields it does not know, e.g. a field the shop added after its document was written.
 */
export function mergeShapes(primary: FieldShape[], secondary: FieldShape[]): FieldShape[] {
  const out = primary.map((f) => ({ ...f }));
  const byKey = new Map(out.map((f) => [f.key, f]));
  for (const s of secondary) {
    const p = byKey.get(s.key);
    if (!p) {
      out.push(s);
      continue;
    }
    if (p.fields && s.fields) p.fields = mergeShapes(p.fields, s.fields);
    if (p.items && s.items) p.items = mergeShapes(p.items, s.items);
  }
  return out;
}
