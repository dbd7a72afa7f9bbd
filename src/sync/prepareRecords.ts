import { normalizeDateTime, normalizeRecordWith } from './normalizeDates.js';
import type { Rejection } from '../db/sql/storePage.js';
import { readModifiedAt } from '../history/modifiedAt.js';
import { exactIntegerText, stringifyDeep, stringifyExact } from '../json/exactJson.js';
import {
  closesRecordArray,
  elementEnd,
  nextElement,
  rawRecordJson,
  recordArrayStart,
  type RawRecord,
} from './rawRecords.js';

export interface PreparedPage {
  /**
   * Keys and JSON texts, one per distinct key (the last occurrence in the page wins). A text is a
   * string (serialized here) or UTF-8 bytes (the record as the page sent it, see rawRecords.ts).
   */
  ids: string[];
  json: Array<string | Uint8Array>;
  rejections: Rejection[];
  datesRewritten: number;
  /** History mode only: each record's modification date-time (see readModifiedAt), aligned with `ids`. */
  modifiedAt?: (string | null)[];
}

/**
 * `\u0000` escapes, and escapes of a lone surrogate (`JSON.stringify` writes a lone surrogate as
 * `\udXXX` and a valid pair as the character itself), that are not themselves escaped
 * backslashes: `jsonb` refuses both.
 */
const REFUSED_ESCAPE = /(?<!\\)(?:\\\\)*\\u(0000|d[89a-f])/;
const RAW_LIMIT = 1_000_000;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A key longer than this many UTF-8 bytes is refused: Postgres' btree (the primary key) holds at
 * most ~2,700 bytes per entry, and no real key comes near this.
 */
export const MAX_KEY_BYTES = 2048;

export const REASONS = {
  nul: 'contains \\u0000, which PostgreSQL jsonb cannot store',
  surrogate:
    'contains a lone UTF-16 surrogate (e.g. \\ud800), which is not Unicode text and PostgreSQL jsonb cannot store',
  tooDeep: 'nested too deeply to serialize (JSON.stringify gives up a few thousand levels down)',
  keyTooLong: `key longer than ${MAX_KEY_BYTES} bytes (UTF-8), more than a PostgreSQL index holds`,
  keyNotText: 'key is not valid Unicode text (a \\u0000 or a lone surrogate)',
  noKey: (keyField: string) => `no key: field "${keyField}" is missing, empty or not a string or integer`,
} as const;

/**
 * Turns a page of API records into rows: checks each is an object with a usable key, rewrites its
 * date-times to UTC, and serializes it once (`opts.exactNumbers`: with numbers written back verbatim).
 * Whatever cannot be stored is returned as a rejection with the reason (and its key, when it has
 * a readable one: a mirror counts it as seen), never dropped. What Postgres itself refuses is
 * isolated when the page is stored (storePage).
 */
export function prepareRecords(
  records: unknown[],
  keyField: string,
  opts: {
    modifiedAt?: boolean;
    normalize?: (s: string) => string;
    exactNumbers?: boolean;
    /**
     * The page's body as UTF-8 bytes and where its record array sits (Page.raw): records are
     * then written as their own bytes where they can be (rawRecords.ts), not serialized again.
     */
    raw?: { bytes: Buffer; recordsPath: string | null };
  } = {},
): PreparedPage {
  const normalize = opts.normalize ?? normalizeDateTime;
  const byId = new Map<string, string | Uint8Array>();
  const modifiedById = opts.modifiedAt ? new Map<string, string | null>() : undefined;
  const rejections: Rejection[] = [];
  let datesRewritten = 0;
  const keyLower = keyField.toLowerCase();
  const serialize: (v: unknown) => string = opts.exactNumbers ? stringifyExact : JSON.stringify;
  const body = opts.raw?.bytes;
  // Where this record starts in `body` (-1: no raw bytes to use), and where it ends once known.
  // The array must hold exactly these records, one element each, or its bytes are not theirs:
  // then the page is prepared again the slow way.
  let start = body !== undefined && records.length > 0 ? recordArrayStart(body, opts.raw!.recordsPath) : -1;
  let end = -1;
  const slowly = () => prepareRecords(records, keyField, { ...opts, raw: undefined });
  for (let r = 0; r < records.length; r++) {
    const record = records[r];
    if (start >= 0 && r > 0) {
      start = nextElement(body!, end >= 0 ? end : elementEnd(body!, start));
      if (start < 0) return slowly();
    }
    end = -1;
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      rejections.push({
        reason: `not an object (${record === null ? 'null' : Array.isArray(record) ? 'array' : typeof record})`,
        raw: rawText(record, serialize),
        key: null,
      });
      continue;
    }
    const found = findKey(record as Record<string, unknown>, keyField, keyLower);
    if (typeof found !== 'string') {
      rejections.push({
        reason: found === undefined ? REASONS.noKey(keyField) : found.reason,
        raw: rawText(record, serialize),
        key: null,
      });
      continue;
    }
    const key = found;
    let raw: RawRecord | null = null;
    if (start >= 0) {
      if (body![start] !== 0x7b /* { */) return slowly();
      raw = rawRecordJson(body!, start, normalize);
      end = raw.end;
    }
    if (raw !== null && raw.json !== null) {
      datesRewritten += raw.changed;
      byId.delete(key);
      byId.set(key, raw.json);
      if (modifiedById) {
        modifiedById.delete(key);
        modifiedById.set(key, readModifiedAt(record as Record<string, unknown>, normalize));
      }
      continue;
    }
    let json: string;
    let value: unknown;
    try {
      const normalized = normalizeRecordWith(record, normalize);
      value = normalized.value;
      datesRewritten += normalized.changed;
      json = serialize(value);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      rejections.push({ reason: REASONS.tooDeep, raw: rawText(record, serialize), key });
      continue;
    }
    // `\u` occurs in JSON.stringify's output only for control characters and lone surrogates (and
    // an escaped backslash before a `u`): a plain substring search spares nearly every record the regex.
    const refused = json.includes('\\u') ? REFUSED_ESCAPE.exec(json) : null;
    if (refused !== null) {
      rejections.push({
        reason: refused[1] === '0000' ? REASONS.nul : REASONS.surrogate,
        raw: rawText(record, serialize),
        key,
      });
      continue;
    }
    // Delete first so a repeated key moves to the end: the last occurrence is the newest.
    byId.delete(key);
    byId.set(key, json);
    if (modifiedById) {
      modifiedById.delete(key);
      modifiedById.set(key, readModifiedAt(value as Record<string, unknown>));
    }
  }
  if (start >= 0 && !closesRecordArray(body!, end >= 0 ? end : elementEnd(body!, start), opts.raw!.recordsPath))
    return slowly();
  const page: PreparedPage = { ids: [...byId.keys()], json: [...byId.values()], rejections, datesRewritten };
  if (modifiedById) page.modifiedAt = [...modifiedById.values()];
  return page;
}

/** The key, found case-insensitively (`id`, `Id`, `ID`), as text; undefined when unusable. */
export function readKey(
  record: Record<string, unknown>,
  keyField: string,
  keyLower = keyField.toLowerCase(),
): string | undefined {
  const found = findKey(record, keyField, keyLower);
  return typeof found === 'string' ? found : undefined;
}

/** The key as text; a refusal with its reason when there is one we cannot store; undefined when none. */
function findKey(
  record: Record<string, unknown>,
  keyField: string,
  keyLower: string,
): string | { reason: string } | undefined {
  let value = record[keyField];
  if (value === undefined) {
    for (const k in record) {
      if (k.toLowerCase() === keyLower) {
        value = record[k];
        break;
      }
    }
  }
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : undefined;
  if (typeof value !== 'string') return exactIntegerText(value);
  if (value.length === 0) return undefined;
  if (value.includes('\u0000') || LONE_SURROGATE.test(value)) return { reason: REASONS.keyNotText };
  if (value.length * 3 > MAX_KEY_BYTES && Buffer.byteLength(value, 'utf8') > MAX_KEY_BYTES)
    return { reason: REASONS.keyTooLong };
  return value;
}

/** The record as text for `rejected_records.raw` (text, not jsonb: it must hold what jsonb refuses). */
function rawText(record: unknown, serialize: (v: unknown) => string): string {
  let text: string;
  try {
    text = serialize(record) ?? String(record);
  } catch {
    // Too deep for the recursive serializers: the iterative one keeps it whole.
    text = stringifyDeep(record);
  }
  // Postgres text cannot hold NUL either; keep it visible as an escape.
  text = text.replaceAll('\u0000', '\\u0000');
  return text.length > RAW_LIMIT ? text.slice(0, RAW_LIMIT) + '…[truncated]' : text;
}
