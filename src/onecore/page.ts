import { ProtocolError } from './errors.js';
import { isObject } from '../json/isObject.js';

/**
 * Reading a V2 list response. Nobody has published its exact shape (see
 * /work/shared/onecore-api-notes.md), so this reads it without assuming more than the docs say:
 * key names in any casing, the record array found as the body's one array property (or named
 * per endpoint), and `next` in every form seen: `after=X`, `?after=X`, a full URL, or null.
 */
export interface Page {
  records: unknown[];
  /** The cursor that fetched this page (decoded; null = the first page). */
  cursor: string | null;
  /** The cursor of the next page (decoded), or null when the API gave none. */
  next: string | null;
  hasNext: boolean;
}

type Json = Record<string, unknown>;


/** A property by name, exact match first, then case-insensitive (`hasNext`, `HasNext`, `hasnext`). */
export function readField(obj: Json, name: string): unknown {
  if (Object.hasOwn(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return obj[key];
  return undefined;
}

export interface ParsePageContext {
  endpoint: string;
  cursor: string | null;
  /** Per-endpoint override (EndpointOptions.recordsKey), matched case-insensitively. */
  recordsKey?: string;
}

/** A parsed JSON body → Page. Problems of shape are ProtocolErrors that name what was found. */
export function parsePage(body: unknown, ctx: ParsePageContext): Page {
  const { endpoint } = ctx;
  if (!isObject(body)) {
    // A bare array has no cursor metadata: taking it as "everything" could silently drop pages.
    const kind = Array.isArray(body) ? 'a bare JSON array' : body === null ? 'null' : typeof body;
    throw new ProtocolError(`the response is ${kind}, not a V2 page object with a record array and metadata`, { endpoint });
  }
  const records = findRecords(body, ctx);
  const meta = readField(body, 'metadata');
  // The docs put the links in `metadata`; accept them at the top level too rather than stop.
  const links: Json = isObject(meta) ? meta : body;
  const rawHasNext = readField(links, 'hasNext');
  const rawNext = readField(links, 'next');
  if (rawHasNext === undefined && rawNext === undefined) {
    throw new ProtocolError(`the response has no metadata.hasNext or metadata.next (keys: ${keyList(body)})`, { endpoint });
  }
  let hasNext: boolean;
  if (typeof rawHasNext === 'boolean') hasNext = rawHasNext;
  else if (rawHasNext === 'true' || rawHasNext === 'false') hasNext = rawHasNext === 'true';
  else if (rawHasNext === undefined || rawHasNext === null) hasNext = rawNext !== null && rawNext !== undefined && rawNext !== '';
  else throw new ProtocolError(`metadata.hasNext is ${JSON.stringify(rawHasNext)}, not a boolean`, { endpoint });

  let next: string | null = null;
  try {
    next = parseNext(rawNext);
  } catch (err) {
    // A link we cannot read only matters if we have to follow it.
    if (hasNext) throw new ProtocolError((err as Error).message, { endpoint });
  }
  if (hasNext && next === null) {
    throw new ProtocolError(`metadata.hasNext is true but metadata.next is ${JSON.stringify(rawNext ?? null)}: no cursor to follow`, { endpoint });
  }
  return { records, cursor: ctx.cursor, next, hasNext };
}

function findRecords(body: Json, ctx: ParsePageContext): unknown[] {
  if (ctx.recordsKey !== undefined) {
    const value = readField(body, ctx.recordsKey);
    if (!Array.isArray(value)) {
      throw new ProtocolError(`the configured record array "${ctx.recordsKey}" is ${value === undefined ? 'missing' : 'not an array'} (keys: ${keyList(body)})`, { endpoint: ctx.endpoint });
    }
    return value;
  }
  const arrays = Object.keys(body).filter((k) => Array.isArray(body[k]));
  if (arrays.length === 1) return body[arrays[0]!] as unknown[];
  const what = arrays.length === 0 ? 'no array property' : `several array properties (${arrays.join(', ')})`;
  throw new ProtocolError(`the response has ${what}, so its record array is unknown (keys: ${keyList(body)}); set recordsKey for this endpoint in ONECORE_CONFIG_FILE`, { endpoint: ctx.endpoint });
}

function keyList(body: Json): string {
  const keys = Object.keys(body);
  return keys.length === 0 ? 'none' : keys.slice(0, 20).map((k) => JSON.stringify(k)).join(', ');
}

/**
 * The cursor in a `next` link, decoded; null when there is no link. Accepts `after=X`,
 * `?after=X`, `/api/v2/orders?after=X&pageSize=100` and `https://shop/api/v2/orders?after=X`.
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
  throw new Error(`metadata.next ${JSON.stringify(text.length > 120 ? text.slice(0, 120) + '…' : text)} has no after=… parameter`);
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
