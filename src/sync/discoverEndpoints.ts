import { ENDPOINT_NAME } from '../config/validators.js';
import { isObject } from '../json/isObject.js';

export interface Discovery {
  endpoints: string[];
  /** Routes that are not (usable) list endpoints, with the reason: named ones and parameterized routes. */
  skipped: Array<{ path: string; reason: string }>;
  /** How many list endpoints the document had when more than MAX_DISCOVERED_ENDPOINTS. */
  capped?: number;
}

/** A document listing more lists than this is not a shop's API as we know it; the rest is left out, loudly. */
export const MAX_DISCOVERED_ENDPOINTS = 200;

/** `/api/v2/NAME`, `/api/v{version}/NAME` (an ASP.NET versioned route template). */
const LIST_ROUTE = /^\/api\/v(?:2|\{[^}/]+\})\/([^/{}]+)\/?$/i;
const V2_ROUTE = /^\/api\/v(?:2|\{[^}/]+\})\//i;

/**
 * List endpoints from the shop's OpenAPI 3 or Swagger 2 document: GET routes directly under
 * `/api/v2/` (or the templated `/api/v{version}/`) with no other path parameters whose success
 * response, where described, is a paged list (an object with an array property, or a `metadata`
 * property). Paths are read under the document's base: OpenAPI 3 `servers[0].url` (its path,
 * server variables filled with their defaults) or Swagger 2 `basePath`. Parameterized GET routes
 * (`/orders/{id}`, `/ordershipments/{orderId}/list`) are listed as skipped with the reason.
 */
export function discoverEndpoints(doc: unknown): Discovery {
  if (!isObject(doc) || !isObject(doc.paths)) {
    throw new Error('the OpenAPI document has no "paths" object; set ONECORE_ENDPOINTS instead');
  }
  const base = basePath(doc);
  const found = new Set<string>();
  const skipped: Discovery['skipped'] = [];
  for (const [rawPath, item] of Object.entries(doc.paths)) {
    if (!isObject(item)) continue;
    const get = Object.entries(item).find(([method]) => method.toLowerCase() === 'get')?.[1];
    if (!isObject(get)) continue;
    const path = joinPath(base, rawPath);
    const match = LIST_ROUTE.exec(path);
    if (!match) {
      if (V2_ROUTE.test(path) && path.includes('{', path.indexOf('/', 5) + 1))
        skipped.push({ path, reason: parameterizedReason(path) });
      continue;
    }
    if (!looksPaged(get, doc)) continue;
    const name = match[1]!.toLowerCase();
    if (!ENDPOINT_NAME.test(name)) {
      skipped.push({ path, reason: 'name is not letters, digits, _ or - (cannot be a table name safely)' });
      continue;
    }
    found.add(name);
  }
  const all = [...found].sort();
  if (all.length > MAX_DISCOVERED_ENDPOINTS) {
    return { endpoints: all.slice(0, MAX_DISCOVERED_ENDPOINTS), skipped, capped: all.length };
  }
  return { endpoints: all, skipped };
}

function parameterizedReason(path: string): string {
  if (/\/\{[^}]+\}\/list\/?$/i.test(path)) {
    return 'a per-parent list (path parameter): declare it in ONECORE_CONFIG_FILE with "path" and "parent" to sync it';
  }
  return 'has path parameters (a detail route), not a list';
}

/** The document's base path: OpenAPI 3 `servers[0].url` (variables filled with their defaults) or Swagger 2 `basePath`. */
function basePath(doc: Record<string, unknown>): string {
  if (typeof doc.basePath === 'string') return doc.basePath;
  const server = Array.isArray(doc.servers) ? doc.servers.find(isObject) : undefined;
  if (!server || typeof server.url !== 'string') return '';
  const vars = isObject(server.variables) ? server.variables : {};
  const url = server.url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const v = vars[name];
    return isObject(v) && typeof v.default === 'string' ? v.default : whole;
  });
  try {
    return decodeURI(new URL(url, 'http://relative.invalid').pathname);
  } catch {
    return '';
  }
}

function joinPath(base: string, path: string): string {
  const b = base.replace(/\/+$/, '');
  return b === '' ? path : `${b}/${path.replace(/^\/+/, '')}`;
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
  // A bare array is one complete page: a list all the same.
  if (schema.type === 'array') return true;
  const props = isObject(schema.properties) ? schema.properties : undefined;
  if (!props) return true;
  return Object.entries(props).some(([k, v]) => {
    const r = resolve(v, doc);
    return (
      ['metadata', 'meta', 'pagination', 'pageinfo'].includes(k.toLowerCase()) ||
      (isObject(r) &&
        (r.type === 'array' ||
          (r.type === 'object' &&
            isObject(r.properties) &&
            Object.values(r.properties).some((p) => isObject(p) && p.type === 'array'))))
    );
  });
}

function resolve(schema: unknown, doc: Record<string, unknown>, depth = 0): unknown {
  if (!isObject(schema) || typeof schema.$ref !== 'string' || depth > 10) return schema;
  const parts = schema.$ref.replace(/^#\//, '').split('/');
  let node: unknown = doc;
  for (const p of parts) node = isObject(node) ? node[p.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return resolve(node, doc, depth + 1);
}
