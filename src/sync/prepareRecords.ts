import { normalizeDateTime, normalizeRecordWith } from './normalizeDates.js';
import type { Rejection } from '../db/sql/storePage.js';
import { readModifiedAt } from '../history/modifiedAt.js';

export interface PreparedPage {
  /** Keys and JSON texts, one per distinct key (the last occurrence in the page wins). */
  ids: string[];
  json: string[];
  rejections: Rejection[];
  datesRewritten: number;
  /** History mode only: each record's modification date-time (see readModifiedAt), aligned with `ids`. */
  modifiedAt?: (string | null)[];
}

/** `\u0000` escapes that are not themselves escaped backslashes: `jsonb` refuses them. */
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/;
const RAW_LIMIT = 1_000_000;

/**
 * Turns a page of API records into rows: checks each is an object with a usable key, rewrites its
 * date-times to UTC, and serializes it once. Whatever cannot be stored is returned as a rejection
 * with the reason, never dropped.
 */
export function prepareRecords(records: unknown[], keyField: string, opts: { modifiedAt?: boolean; normalize?: (s: string) => string } = {}): PreparedPage {
  const normalize = opts.normalize ?? normalizeDateTime;
  const byId = new Map<string, string>();
  const modifiedById = opts.modifiedAt ? new Map<string, string | null>() : undefined;
  const rejections: Rejection[] = [];
  let datesRewritten = 0;
  const keyLower = keyField.toLowerCase();
  for (const record of records) {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      rejections.push({ reason: `not an object (${record === null ? 'null' : Array.isArray(record) ? 'array' : typeof record})`, raw: rawText(record) });
      continue;
    }
    const key = readKey(record as Record<string, unknown>, keyField, keyLower);
    if (key === undefined) {
      rejections.push({ reason: `no key: field "${keyField}" is missing, empty or not a string or integer`, raw: rawText(record) });
      continue;
    }
    const { value, changed } = normalizeRecordWith(record, normalize);
    datesRewritten += changed;
    const json = JSON.stringify(value);
    if (NUL_ESCAPE.test(json)) {
      rejections.push({ reason: 'contains \\u0000, which PostgreSQL jsonb cannot store', raw: rawText(record) });
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
export function readKey(record: Record<string, unknown>, keyField: string, keyLower = keyField.toLowerCase()): string | undefined {
  let value = record[keyField];
  if (value === undefined) {
    for (const k in record) {
      if (k.toLowerCase() === keyLower) {
        value = record[k];
        break;
      }
    }
  }
  if (typeof value === 'string') return value.length > 0 && value.length <= 2048 && !value.includes('\u0000') ? value : undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

/** The record as text for `rejected_records.raw` (text, not jsonb: it must hold what jsonb refuses). */
function rawText(record: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(record) ?? String(record);
  } catch {
    text = String(record);
  }
  // Postgres text cannot hold NUL either; keep it visible as an escape.
  text = text.replace(/\u0000/g, '\\u0000');
  return text.length > RAW_LIMIT ? text.slice(0, RAW_LIMIT) + '…[truncated]' : text;
}
