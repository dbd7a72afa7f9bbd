/**
 * The OpenAPI 3 document a Swashbuckle-style ASP.NET back end would serve. Clients use it to
 * discover list endpoints (GET routes with `after`/`before` whose response has a records array and
 * `metadata`), so it deliberately also lists things discovery must skip: detail routes with path
 * parameters, the POST renew route, and an endpoint the API user may not call (403).
 */
import type { EndpointDef } from './records.js';
import { EndpointStore, type StoreOptions } from './store.js';
import type { EnvelopeOptions } from './types.js';
import { FIELD_DOCS, type EndpointDocs } from './fieldDocs.js';

type Schema = Record<string, unknown>;

const SCHEMA_NAMES: Record<string, string> = {
  orders: 'Order',
  quotations: 'Quotation',
  products: 'Product',
  shopusers: 'ShopUser',
  ordershipments: 'OrderShipment',
  invoices: 'Invoice',
  databaseusages: 'DatabaseUsage',
  productimages: 'ProductImage',
  apiusers: 'ApiUser',
};

const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Infer a schema from sample values (merged, so nullable and optional fields are seen). */
function infer(samples: unknown[]): Schema {
  const present = samples.filter((s) => s !== null && s !== undefined);
  const nullable = present.length < samples.length;
  const withNull = (s: Schema): Schema => (nullable ? { ...s, nullable: true } : s);
  if (present.length === 0) return { nullable: true };
  const first = present[0];
  if (typeof first === 'string') {
    const allDt = present.every((v) => typeof v === 'string' && DATE_TIME_RE.test(v));
    const allDate = present.every((v) => typeof v === 'string' && DATE_RE.test(v));
    return withNull(
      allDt
        ? { type: 'string', format: 'date-time' }
        : allDate
          ? { type: 'string', format: 'date' }
          : { type: 'string' },
    );
  }
  if (typeof first === 'number')
    return withNull(
      present.every((v) => Number.isInteger(v))
        ? { type: 'integer', format: 'int64' }
        : { type: 'number', format: 'double' },
    );
  if (typeof first === 'boolean') return withNull({ type: 'boolean' });
  if (Array.isArray(first))
    return withNull({ type: 'array', items: infer(present.flatMap((a) => (Array.isArray(a) ? a : []))) });
  const keys = new Set<string>();
  for (const o of present) if (o && typeof o === 'object') for (const k of Object.keys(o)) keys.add(k);
  const properties: Record<string, Schema> = {};
  for (const k of keys) properties[k] = infer(present.map((o) => (o as Record<string, unknown>)[k] ?? null));
  return withNull({ type: 'object', properties, additionalProperties: false });
}

/**
 * The component schema of one record: the endpoint's own when its definition brings one (a
 * dialect may describe its models exactly), else inferred from sample records; then documented
 * from FIELD_DOCS.
 */
export function recordSchema(def: EndpointDef, options: StoreOptions = {}): Schema {
  // A private store with a fixed seed: the document never depends on served data or its seed.
  const schema = def.schema?.() ?? infer(new EndpointStore(def, 1, 30, () => 30, options).truth());
  const docs = FIELD_DOCS[def.name];
  return docs ? documented(schema, docs, def.enums ?? {}) : schema;
}

/**
 * Descriptions from FIELD_DOCS, and each enum's values: strings as they are; integers (the pascal
 * dialect) as their numbers with the names in `x-enumNames` (as NSwag writes them) and in the
 * description.
 */
function documented(schema: Schema, docs: EndpointDocs, enums: Readonly<Record<string, readonly string[]>>): Schema {
  const lower = new Map(Object.entries(docs.fields).map(([k, v]) => [k.toLowerCase(), v]));
  const enumsLower = new Map(Object.entries(enums).map(([k, v]) => [k.toLowerCase(), v]));
  const walk = (s: Schema, prefix: string): Schema => {
    const out: Schema = { ...s };
    const props = s.properties as Record<string, Schema> | undefined;
    const items = s.items as Schema | undefined;
    if (props) out.properties = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, field(v, prefix + k)]));
    if (items?.properties) out.items = walk(items, prefix);
    return out;
  };
  const field = (s: Schema, path: string): Schema => {
    const doc = lower.get(path.toLowerCase());
    let out = walk(s, path + '.');
    if (doc) out = { ...out, description: doc.description };
    const values = enumsLower.get(path.toLowerCase());
    if (values && out.type === 'string') out = { ...out, enum: [...values] };
    if (values && out.type === 'integer') {
      const names = values.map((v, i) => `${i} = ${v}`).join(', ');
      out = {
        ...out,
        enum: values.map((_, i) => i),
        'x-enumNames': [...values],
        description: out.description ? `${out.description as string} (${names})` : names,
      };
    }
    return out;
  };
  return { ...walk(schema, ''), description: docs.description };
}

export function buildOpenApi(
  defs: readonly EndpointDef[],
  envelope: EnvelopeOptions,
  serverUrl: string,
  storeOptions: (name: string) => StoreOptions = () => ({}),
): string {
  const pascal = envelope.casing === 'pascal';
  const cased = (k: string) => (pascal ? k.charAt(0).toUpperCase() + k.slice(1) : k);
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const recordsPath = (envelope.recordsKey ?? 'items').split('.').map(cased);
  const metaKey = cased(envelope.metaKey ?? 'metadata');
  /** The page schema: the records array at its (dotted) path beside the metadata, or a bare array. */
  const pageSchema = (items: Schema): Schema => {
    if (envelope.bare) return { type: 'array', items };
    let inner: Schema = { type: 'array', items };
    for (const key of recordsPath.slice(1).reverse()) inner = { type: 'object', properties: { [key]: inner } };
    return { type: 'object', properties: { [recordsPath[0]!]: inner, [metaKey]: ref('PageMetadata') } };
  };
  const schemas: Record<string, Schema> = {
    PageMetadata: {
      type: 'object',
      properties: {
        [cased('hasNext')]: { type: 'boolean' },
        [cased('hasPrevious')]: { type: 'boolean' },
        [cased('next')]: {
          type: 'string',
          nullable: true,
          description: 'Extra parameter for the next page, e.g. after={value}',
        },
        [cased('previous')]: {
          type: 'string',
          nullable: true,
          description: 'Extra parameter for the previous page, e.g. before={value}',
        },
      },
    },
    ProblemDetails: { type: 'object', properties: { message: { type: 'string' } } },
    RenewTokensRequest: {
      type: 'object',
      required: ['refreshToken'],
      properties: { refreshToken: { type: 'string' } },
    },
    RenewTokensResponse: {
      type: 'object',
      properties: {
        [cased('refreshToken')]: { type: 'string' },
        [cased('accessToken')]: { type: 'string' },
        [cased('expiresIn')]: { type: 'integer', format: 'int32' },
      },
    },
  };
  const json = (schema: Schema) => ({ 'application/json': { schema } });
  const errors = {
    '400': { description: 'Bad Request', content: json(ref('ProblemDetails')) },
    '401': { description: 'Unauthorized', content: json(ref('ProblemDetails')) },
    '403': { description: 'Forbidden', content: json(ref('ProblemDetails')) },
  };
  const paths: Record<string, unknown> = {};
  const renew = (version: string) => ({
    post: {
      tags: ['Tokens'],
      operationId: `RenewTokens${version}`,
      security: [],
      requestBody: { required: true, content: json(ref('RenewTokensRequest')) },
      responses: {
        '200': { description: 'Success', content: json(ref('RenewTokensResponse')) },
        '400': errors['400'],
        '401': errors['401'],
      },
    },
  });
  paths['/api/v1/tokens/renewtokens'] = renew('V1');
  paths['/api/v2/tokens/renewtokens'] = renew('V2');

  const byName = new Map(defs.map((d) => [d.name, d]));
  for (const def of defs) {
    const model = SCHEMA_NAMES[def.name] ?? def.name;
    schemas[model] = recordSchema(def, storeOptions(def.name));
    schemas[`${model}Page`] = pageSchema(ref(model));
    paths[`/api/v2/${def.name}`] = {
      get: {
        tags: [model],
        operationId: `Get${model}List`,
        parameters: [
          { name: 'after', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'before', in: 'query', required: false, schema: { type: 'string' } },
          {
            name: 'pageSize',
            in: 'query',
            required: false,
            schema: { type: 'integer', format: 'int32', maximum: 1000 },
          },
        ],
        responses: { '200': { description: 'Success', content: json(ref(`${model}Page`)) }, ...errors },
      },
    };
  }
  const detail = (name: string, suffix: string, opId: string) => {
    const model = SCHEMA_NAMES[name];
    if (!byName.has(name) || model === undefined) return;
    paths[`/api/v2/${name}/{id}${suffix}`] = {
      get: {
        tags: [model],
        operationId: opId,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': { description: 'Success', content: json(ref(model)) },
          '404': { description: 'Not Found' },
          ...errors,
        },
      },
    };
  };
  detail('orders', '', 'GetOrder');
  detail('orders', '/details', 'GetOrderDetails');
  detail('products', '', 'GetProduct');

  return JSON.stringify({
    openapi: '3.0.1',
    info: { title: 'oneCORE Public API (simulator)', version: 'v2' },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        PublicApiV2: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'PublicApiV2 {access token}' },
      },
    },
    security: [{ PublicApiV2: [] }],
  });
}
