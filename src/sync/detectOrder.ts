import { isObject } from '../json/isObject.js';
import { normalizeDateTime } from './normalizeDates.js';
import { readKey } from './prepareRecords.js';

export type ListOrder = 'oldest-first' | 'newest-first';

/** Creation-date fields, in the order we trust them (matched case-insensitively). */
const CREATED_FIELDS = ['created', 'createdAt', 'createdOn', 'createdDate', 'creationDate', 'dateCreated', 'orderDate'];

/**
 * The order of a listing judged from one page: creation dates first, then keys (integers, or the
 * number at the end of a string key). Undefined when the page cannot tell (fewer than two records,
 * no such field, or no clear direction: at least 80% of the steps one way).
 */
export function detectOrder(records: readonly unknown[], keyField = 'id'): ListOrder | undefined {
  const objects = records.filter(isObject);
  if (objects.length < 2) return undefined;
  const field = CREATED_FIELDS.map((f) =>
    Object.keys(objects[0]!).find((k) => k.toLowerCase() === f.toLowerCase()),
  ).find((k) => k !== undefined);
  if (field !== undefined) {
    const byDate = direction(objects.map((o) => instant(o[field])));
    if (byDate !== undefined) return byDate;
  }
  return direction(objects.map((o) => keyNumber(readKey(o, keyField))));
}

function instant(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const utc = normalizeDateTime(value);
  if (!utc.endsWith('Z')) {
    // No offset: still comparable among themselves.
    const t = Date.parse(value.replace(/(\.\d{3})\d+/, '$1') + 'Z');
    return Number.isNaN(t) ? undefined : t;
  }
  const t = Date.parse(utc.replace(/(\.\d{3})\d+/, '$1'));
  // .NET's "not set" (0001-01-01) says nothing about order.
  return Number.isNaN(t) || t < Date.UTC(1900, 0, 1) ? undefined : t;
}

function keyNumber(key: string | undefined): number | undefined {
  const m = key === undefined ? null : /(\d{1,15})$/.exec(key);
  return m ? Number(m[1]) : undefined;
}

function direction(values: Array<number | undefined>): ListOrder | undefined {
  let up = 0;
  let down = 0;
  let previous: number | undefined;
  for (const v of values) {
    if (v === undefined) continue;
    if (previous !== undefined && v !== previous) {
      if (v > previous) up++;
      else down++;
    }
    previous = v;
  }
  const steps = up + down;
  if (steps === 0) return undefined;
  if (up >= steps * 0.8) return 'oldest-first';
  if (down >= steps * 0.8) return 'newest-first';
  return undefined;
}
