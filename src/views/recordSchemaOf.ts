import { isObject } from '../json/isObject.js';

type Schema = Record<string, unknown>;

/** How deep a record schema is copied: the views use two levels, descriptions a few more. */
const MAX_DEPTH = 6;

/**
 * The schema of one record of `endpoint` in the shop's OpenAPI 3 (or Swagger 2) document: the
 * items of the record array in the 200 response of `GET /api/v2/<endpoint>`, with every `$ref`
 * and `allOf` resolved, so it can be stored and read without the document. Undefined when the
 * document does not describe it.
 */
export function recordSchemaOf(doc: unknown, endpoint: string, recordsKey?: string): Schema | undefined {
  if (!isObject(doc) || !isObject(doc.paths)) return undefined;
  // `/api/v2/<endpoint>` first; else a route ending in the endpoint without parameters (a
  // document with a templated version or a base path, as discovery accepts them).
  const routes = Object.entries(doc.paths).map(([p, item]) => [p.replace(/\/+$/, '').toLowerCase(), item] as const);
  const name = endpoint.toLowerCase();
  const path = (routes.find(([p]) => p === `/api/v2/${name}`) ??
    routes.find(([p]) => p.endsWith(`/${name}`) && !p.includes('{')))?.[1];
  if (!isObject(path)) return undefined;
  const get = Object.entries(path).find(([m]) => m.toLowerCase() === 'get')?.[1];
  if (!isObject(get) || !isObject(get.responses)) return undefined;
  const ok = get.responses['200'] ?? get.responses.default;
  if (!isObject(ok)) return undefined;
  let schema: unknown = ok.schema;
  if (isObject(ok.content)) {
    const media = (ok.content as Schema)['application/json'] ?? Object.values(ok.content).find(isObject);
    schema = isObject(media) ? media.schema : undefined;
  }
  const page = resolveSchema(schema, doc, 0, new Set());
  if (!page) return undefined;
  if (page.type === 'array')
    return isObject(page.items) && page.items.type !== 'array' ? (page.items as Schema) : undefined;
  const props = isObject(page.properties) ? page.properties : {};
  const arrays = Object.entries(props).filter(([, v]) => isObject(v) && v.type === 'array');
  const chosen =
    (recordsKey && arrays.find(([k]) => k.toLowerCase() === recordsKey.toLowerCase())) ??
    (arrays.length === 1 ? arrays[0] : arrays.find(([k]) => /^(items|data)$/i.test(k)));
  const items = chosen ? (chosen[1] as Schema).items : undefined;
  return isObject(items) && Object.keys(items).length > 0 ? items : undefined;
}

/** A copy of `schema` with `$ref`s followed and `allOf` merged, to MAX_DEPTH levels of properties. */
function resolveSchema(schema: unknown, doc: Schema, depth: number, seen: Set<string>): Schema | undefined {
  if (!isObject(schema)) return undefined;
  if (typeof schema.$ref === 'string') {
    if (seen.has(schema.$ref) || seen.size > 20) return { type: 'object' }; // a recursive model: stop, the field stays jsonb
    const target = follow(schema.$ref, doc);
    const next = new Set(seen).add(schema.$ref);
    const { $ref: _ref, ...siblings } = schema;
    const resolved = resolveSchema(target, doc, depth, next);
    return resolved ? { ...resolved, ...siblings } : undefined;
  }
  const out: Schema = { ...schema };
  if (Array.isArray(schema.allOf)) {
    delete out.allOf;
    const parts = schema.allOf
      .map((p) => resolveSchema(p, doc, depth, seen))
      .filter((p): p is Schema => p !== undefined);
    for (const p of parts) {
      for (const [k, v] of Object.entries(p)) {
        if (k === 'properties' && isObject(v))
          out.properties = { ...(isObject(out.properties) ? out.properties : {}), ...v };
        else if (!(k in out)) out[k] = v;
      }
    }
  }
  for (const alt of ['oneOf', 'anyOf'] as const) {
    // One alternative (a nullable $ref, as generators write it) is that schema; several stay jsonb.
    if (Array.isArray(schema[alt])) {
      const parts = (schema[alt] as unknown[]).filter((p) => !(isObject(p) && p.type === 'null'));
      delete out[alt];
      if (parts.length === 1) Object.assign(out, resolveSchema(parts[0], doc, depth, seen) ?? {});
    }
  }
  if (depth >= MAX_DEPTH) {
    delete out.properties;
    delete out.items;
    return out;
  }
  if (isObject(out.properties)) {
    const props: Schema = {};
    for (const [k, v] of Object.entries(out.properties)) props[k] = resolveSchema(v, doc, depth + 1, seen) ?? {};
    out.properties = props;
  }
  if (isObject(out.items)) out.items = resolveSchema(out.items, doc, depth + 1, seen) ?? {};
  return out;
}

function follow(ref: string, doc: Schema): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const part of ref.slice(2).split('/'))
    node = isObject(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return node;
}
