import { normalizeDateTime, normalizeRecordWith } from './normalizeDates.js';
import type { Rejection } from '../db/sql/storePage.js';
import { readModifiedAt } from '../history/modifiedAt.js';
import { exactIntegerText, stringifyDeep, stringifyExact } from '../json/exactJson.js';

export interface PreparedPage {
  /** Keys and JSON texts, one per distinct key (the last occurrence in the page wins). */
  ids: string[];
  json: string[];
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
  opts: { modifiedAt?: boolean; normalize?: (s: string) => string; exactNumbers?: boolean } = {},
): PreparedPage {
  const normalize = opts.normalize ?? normalizeDateTime;
  const byId = new Map<string, string>();
  const modifiedById = opts.modifiedAt ? new Map<string, string | null>() : undefined;
  const rejections: Rejection[] = [];
  let datesRewritten = 0;
  const keyLower = keyField.toLowerCase();
  const serialize: (v: unknown) => string = opts.exactNumbers ? stringifyExact : JSON.stringify;
  for (const record of records) {
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
