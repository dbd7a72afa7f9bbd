import { ProtocolError } from './errors.js';
import { isObject } from '../json/isObject.js';

/**
 * Reading a V2 list response. Nobody has published its exact shape (see docs/onecore-api.md), so
 * this reads it without assuming more than the docs say, and accepts each variant seen in the
 * wild: key names in any casing; the records as the body's one array property, one level down
 * (`result.items`), at a configured dotted path, or as a bare JSON array body; the links in
 * `metadata`, `meta`, `pagination`, `pageInfo` or at the top level; the next page as `next`
 * (`after=X`, `?after=X`, a full URL or the bare cursor), `nextCursor`, `endCursor`, or an
 * RFC 8288 `Link: <…>; rel="next"` header.
 *
 * Kept apart from decoding the body text into values (responses.ts): these functions take the
 * parsed body and only read its shape.
 */
export interface Page {
  records: unknown[];
  /** The cursor that fetched this page (decoded; null = the first page). */
  cursor: string | null;
  /** The cursor of the next page (decoded), or null when the API gave none. */
  next: string | null;
  hasNext: boolean;
  /** Its records may hold numbers kept as the text sent (src/json/exactJson.ts): serialize them with stringifyExact. */
  exactNumbers?: boolean;
  /**
   * The body as UTF-8 bytes and the dotted path of its record array as spelled there (null: a bare
   * array), when it was read as UTF-8: the sync writes records as their own bytes (rawRecords.ts).
   */
  raw?: { bytes: Buffer; recordsPath: string | null };
  /** Per-parent lists: the parent key this page belongs to. */
  parentId?: string;
  /** Per-parent lists: the parent answered 404 (gone since it was stored); the page is empty. */
  parentGone?: boolean;
}

/** Where a page keeps what we read: for `inspect`, and to name things in errors. */
export interface EnvelopeShape {
  /** Dotted path of the record array; null when the body is a bare array. */
  recordsPath: string | null;
  /** Name of the metadata object as sent; null when the links sit at the top level (or there are none). */
  metaKey: string | null;
  /** The metadata object's own keys (or the top level's, without the records). */
  metaFields: string[];
  /** Field that held the next link as sent (`next`, `NextCursor`, …), `Link` for the header, or null. */
  nextField: string | null;
  /** What the next link looked like on this page. */
  nextForm: NextForm;
}

export type NextForm = 'after=X' | '?after=X' | 'url' | 'path' | 'bare cursor' | 'none';

type Json = Record<string, unknown>;

/** A property by name, exact match first, then case-insensitive (`hasNext`, `HasNext`, `hasnext`). */
export function readField(obj: Json, name: string): unknown {
  return Object.hasOwn(obj, name) ? obj[name] : obj[fieldName(obj, name) ?? name];
}

/** The key as the object spells it, matched case-insensitively; undefined when absent. */
function fieldName(obj: Json, name: string): string | undefined {
  if (Object.hasOwn(obj, name)) return name;
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return key;
  return undefined;
}

export interface ParsePageContext {
  endpoint: string;
  cursor: string | null;
  /** Per-endpoint override (EndpointOptions.recordsKey): a name or dotted path, matched case-insensitively. */
  recordsKey?: string;
  /** The response's `Link` header, if any. */
  link?: string | null;
}

const META_KEYS = ['metadata', 'meta', 'pagination', 'pageInfo'];
const HAS_NEXT_KEYS = ['hasNext', 'hasNextPage', 'hasMore'];
const NEXT_KEYS = ['next', 'nextCursor', 'endCursor'];

/** A parsed JSON body → Page. Problems of shape are ProtocolErrors that name what was found. */
export function parsePage(body: unknown, ctx: ParsePageContext): Page {
  return readEnvelope(body, ctx).page;
}

/** The page and the shape it came in. */
export function readEnvelope(body: unknown, ctx: ParsePageContext): { page: Page; shape: EnvelopeShape } {
  const { endpoint } = ctx;
  const linkNext = nextFromLinkHeader(ctx.link);
  if (Array.isArray(body)) {
    // A bare array carries no metadata: it is one complete page, unless a Link header says more.
    const next = linkNext === null ? null : parseLink(linkNext, endpoint);
    const shape: EnvelopeShape = {
      recordsPath: null,
      metaKey: null,
      metaFields: [],
      nextField: next === null ? null : 'Link',
      nextForm: next === null ? 'none' : 'url',
    };
    return { page: { records: body, cursor: ctx.cursor, next, hasNext: next !== null }, shape };
  }
  if (!isObject(body)) {
    const kind = body === null ? 'null' : typeof body;
    throw new ProtocolError(
      `the response is ${kind}, not a V2 page (an object with a record array and metadata, or a JSON array)`,
      { endpoint },
    );
  }
  const { records, path } = findRecords(body, ctx);
  const metaKey = META_KEYS.map((k) => fieldName(body, k)).find((k) => k !== undefined && isObject(body[k]));
  // The docs put the links in `metadata`; accept them at the top level too rather than stop.
  const links: Json = metaKey !== undefined ? (body[metaKey] as Json) : body;
  const hasNextKey = HAS_NEXT_KEYS.map((k) => fieldName(links, k)).find((k) => k !== undefined);
  const nextKey =
    NEXT_KEYS.map((k) => fieldName(links, k)).find(
      (k) => k !== undefined && links[k] !== null && links[k] !== undefined,
    ) ?? NEXT_KEYS.map((k) => fieldName(links, k)).find((k) => k !== undefined);
  const rawHasNext = hasNextKey === undefined ? undefined : links[hasNextKey];
  let rawNext = nextKey === undefined ? undefined : links[nextKey];
  let nextField: string | null = nextKey ?? null;
  if ((rawNext === undefined || rawNext === null || rawNext === '') && linkNext !== null) {
    rawNext = linkNext;
    nextField = 'Link';
  }
  const where = metaKey ?? 'the response';
  if (rawHasNext === undefined && rawNext === undefined) {
    throw new ProtocolError(
      `the response has no metadata.hasNext or metadata.next and no Link header (keys: ${keyList(body)}${metaKey ? `; ${metaKey}: ${keyList(links)}` : ''})`,
      { endpoint },
    );
  }
  let hasNext: boolean;
  if (typeof rawHasNext === 'boolean') hasNext = rawHasNext;
  else if (rawHasNext === 'true' || rawHasNext === 'false') hasNext = rawHasNext === 'true';
  else if (rawHasNext === undefined || rawHasNext === null)
    hasNext = rawNext !== null && rawNext !== undefined && rawNext !== '';
  else throw new ProtocolError(`${where}.${hasNextKey} is ${JSON.stringify(rawHasNext)}, not a boolean`, { endpoint });

  let next: string | null = null;
  try {
    next =
      nextField === 'Link'
        ? parseLink(rawNext as string, endpoint)
        : nextKey !== undefined && !/^next$/i.test(nextKey)
          ? bareCursor(rawNext, nextKey)
          : parseNext(rawNext);
  } catch (err) {
    // A link we cannot read only matters if we have to follow it.
    if (hasNext) throw new ProtocolError((err as Error).message, { endpoint, cause: err });
  }
  if (hasNext && next === null) {
    throw new ProtocolError(
      `${where}.${hasNextKey ?? 'hasNext'} is true but ${where}.${nextKey ?? 'next'} is ${JSON.stringify(rawNext ?? null)}: no cursor to follow`,
      { endpoint },
    );
  }
  const metaFields =
    metaKey !== undefined ? Object.keys(links) : Object.keys(body).filter((k) => k !== path.split('.')[0]);
  const shape: EnvelopeShape = {
    recordsPath: path,
    metaKey: metaKey ?? null,
    metaFields,
    nextField,
    nextForm:
      rawNext === undefined || rawNext === null || rawNext === ''
        ? 'none'
        : nextField === 'Link'
          ? 'url'
          : formOfNext(String(rawNext), nextKey),
  };
  return { page: { records, cursor: ctx.cursor, next, hasNext }, shape };
}

function findRecords(body: Json, ctx: ParsePageContext): { records: unknown[]; path: string } {
  if (ctx.recordsKey !== undefined) {
    let node: unknown = body;
    const names: string[] = [];
    for (const part of ctx.recordsKey.split('.')) {
      const name = isObject(node) ? fieldName(node, part) : undefined;
      node = name === undefined ? undefined : (node as Json)[name];
      names.push(name ?? part);
    }
    if (!Array.isArray(node)) {
      throw new ProtocolError(
        `the configured record array "${ctx.recordsKey}" is ${node === undefined ? 'missing' : 'not an array'} (keys: ${keyList(body)})`,
        { endpoint: ctx.endpoint },
      );
    }
    return { records: node, path: names.join('.') };
  }
  const arrays = Object.keys(body).filter((k) => Array.isArray(body[k]));
  if (arrays.length === 1) return { records: body[arrays[0]!] as unknown[], path: arrays[0]! };
  if (arrays.length === 0) {
    // One level down (`{"result": {"items": [...]}}`), never inside the metadata.
    const nested: string[] = [];
    for (const [k, v] of Object.entries(body)) {
      if (!isObject(v) || META_KEYS.some((m) => m.toLowerCase() === k.toLowerCase())) continue;
      for (const [k2, v2] of Object.entries(v)) if (Array.isArray(v2)) nested.push(`${k}.${k2}`);
    }
    if (nested.length === 1) {
      const [a, b] = nested[0]!.split('.') as [string, string];
      return { records: (body[a] as Json)[b] as unknown[], path: nested[0]! };
    }
    if (nested.length > 1) arrays.push(...nested);
  }
  const what = arrays.length === 0 ? 'no array property' : `several array properties (${arrays.join(', ')})`;
  throw new ProtocolError(
    `the response has ${what}, so its record array is unknown (keys: ${keyList(body)}); set recordsKey (a name or dotted path) for this endpoint in ONECORE_CONFIG_FILE`,
    { endpoint: ctx.endpoint },
  );
}

function keyList(body: Json): string {
  const keys = Object.keys(body);
  return keys.length === 0
    ? 'none'
    : keys
        .slice(0, 20)
        .map((k) => JSON.stringify(k))
        .join(', ');
}

/** A query string's `name=` is followed by a value: `after=X`, `before=X` (not base64 padding `abc=`). */
const PARAM_LIKE = /^[A-Za-z_][A-Za-z0-9_.-]*=[^=]/;

/**
 * The cursor in a `next` link, decoded; null when there is no link. Accepts `after=X`,
 * `?after=X`, `/api/v2/orders?after=X&pageSize=100`, `https://shop/api/v2/orders?after=X`, and
 * the bare cursor `X`.
 *
 * X may arrive URL-encoded (`%2B%2F%3D`) or raw (`+/=` of base64). A raw `+` is kept as `+`:
 * form decoding would turn it into a space and break the cursor. Only `%XX` escapes are decoded.
 * We never follow a full URL as given: only its cursor is taken, and the request goes to the
 * configured shop, so a link cannot send our token to another host.
 */
export function parseNext(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new Error(`metadata.next is ${JSON.stringify(value)}, not a string`);
  const text = value.trim();
  if (text === '') return null;
  const form = formOfNext(text);
  if (form === 'bare cursor') return text;
  const q = text.indexOf('?');
  let query = q >= 0 ? text.slice(q + 1) : text;
  const hash = query.indexOf('#');
  if (hash >= 0) query = query.slice(0, hash);
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim().toLowerCase() !== 'after') continue;
    const raw = part.slice(eq + 1);
    if (raw === '') break;
    return decodeCursor(raw);
  }
  throw new Error(
    `metadata.next ${JSON.stringify(text.length > 120 ? text.slice(0, 120) + '…' : text)} has no after=… parameter`,
  );
}

/** The form of a next link, as `inspect` reports it. */
export function formOfNext(text: string, field?: string): NextForm {
  if (field !== undefined && !/^next$/i.test(field)) return 'bare cursor';
  if (/^https?:\/\//i.test(text)) return 'url';
  if (text.startsWith('?')) return '?after=X';
  if (text.startsWith('/') && text.includes('?')) return 'path';
  if (text.includes('?') || text.includes('&') || PARAM_LIKE.test(text)) return 'after=X';
  return 'bare cursor';
}

/** `nextCursor` / `endCursor`: the cursor itself, as sent. */
function bareCursor(value: unknown, field: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new Error(`${field} is ${JSON.stringify(value)}, not a string`);
  return String(value);
}

/** The target of `rel="next"` in an RFC 8288 Link header (`<url>; rel="next", <url>; rel="prev"`), or null. */
export function nextFromLinkHeader(header: string | null | undefined): string | null {
  if (!header) return null;
  for (const m of header.matchAll(/<([^>]*)>\s*((?:;\s*[^;,]+)*)/g)) {
    const params = m[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (rels.includes('next')) return m[1]!;
  }
  return null;
}

function parseLink(url: string, endpoint: string): string | null {
  try {
    return parseNext(url.includes('?') || /^https?:/i.test(url) ? url : `?${url}`);
  } catch (err) {
    throw new ProtocolError(`the Link header's rel="next" ${(err as Error).message.replace(/^metadata\.next /, '')}`, {
      endpoint,
      cause: err,
    });
  }
}

function decodeCursor(raw: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    // A lone "%" that is not an escape: the cursor is raw text that happens to contain one.
    return raw;
  }
}

/** The query string that asks for the page after `cursor` (encoded for the URL). */
export function cursorQuery(cursor: string): string {
  return `after=${encodeURIComponent(cursor)}`;
}
