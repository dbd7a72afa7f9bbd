import { ENDPOINT_NAME } from '../config/validators.js';
import { isObject } from '../json/isObject.js';

export interface Discovery {
  endpoints: string[];
  /** Routes that looked like list endpoints but whose names cannot be used, with the reason. */
  skipped: Array<{ path: string; reason: string }>;
}

/**
 * List endpoints from the shop's OpenAPI (or Swagger 2) document: GET routes directly under
 * `/api/v2/` with no path parameters whose success response, where described, is a paged list
 * (an object with an array property, or a `metadata` property). Detail routes (`/orders/{id}`),
 * nested routes and the token route are not lists.
 */
export function discoverEndpoints(doc: unknown): Discovery {
  if (!isObject(doc) || !isObject(doc.paths)) {
    throw new Error('the OpenAPI document has no "paths" object; set ONECORE_ENDPOINTS instead');
  }
  const found = new Set<string>();
  const skipped: Discovery['skipped'] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    const match = /^\/api\/v2\/([^/{}]+)\/?$/i.exec(path);
    if (!match || !isObject(item)) continue;
    const get = Object.entries(item).find(([method]) => method.toLowerCase() === 'get')?.[1];
    if (!isObject(get)) continue;
    if (!looksPaged(get, doc)) continue;
    const name = match[1]!.toLowerCase();
    if (!ENDPOINT_NAME.test(name)) {
      skipped.push({ path, reason: 'name is not letters, digits, _ or - (cannot be a table name safely)' });
      continue;
    }
    found.add(name);
  }
  return { endpoints: [...found].sort(), skipped };
}

function looksPaged(get: Record<string, unknown>, doc: Record<string, unknown>): boolean {
  const responses = isObject(get.responses) ? get.responses : undefined;
  const ok = responses ? (responses['200'] ?? responses.default) : undefined;
  if (!isObject(ok)) return true; // undescribed: assume a list and let the walk tell.
  let schema: unknown = ok.schema; // Swagger 2
  if (isObject(ok.content)) {
    const media = Object.values(ok.content).find(isObject);
    schema = media?.schema;
  }
  schema = resolve(schema, doc);
  if (!isObject(schema)) return true;
  if (schema.type === 'array') return false; // a bare array is not a cursor page
  const props = isObject(schema.properties) ? schema.properties : undefined;
  if (!props) return true;
  return Object.entries(props).some(([k, v]) => k.toLowerCase() === 'metadata' || (isObject(resolve(v, doc)) && (resolve(v, doc) as Record<string, unknown>).type === 'array'));
}

function resolve(schema: unknown, doc: Record<string, unknown>, depth = 0): unknown {
  if (!isObject(schema) || typeof schema.$ref !== 'string' || depth > 10) return schema;
  const parts = schema.$ref.replace(/^#\//, '').split('/');
  let node: unknown = doc;
  for (const p of parts) node = isObject(node) ? node[p.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return resolve(node, doc, depth + 1);
}

