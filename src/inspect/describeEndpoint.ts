import type { RawPage } from '../onecore/client.js';
import type { EndpointOptions } from '../config/readConfig.js';
import { readEnvelope, type EnvelopeShape } from '../onecore/page.js';
import { detectKeyField } from '../sync/detectKeyField.js';
import { detectOrder, type ListOrder } from '../sync/detectOrder.js';
import { readKey } from '../sync/prepareRecords.js';
import { isObject } from '../json/isObject.js';

/** What `inspect` learned about one list endpoint from its first two pages. */
export interface EndpointReport {
  endpoint: string;
  /** HTTP status of the first page (or of the error that stopped it). */
  status: number | null;
  /** Why the endpoint could not be read as a list, if it could not. */
  error?: string;
  envelope?: EnvelopeShape;
  /** Records on the first and the second page (second: null when there is no second page). */
  recordsPerPage?: [number, number | null];
  key?: { field: string; type: string } | { error: string };
  order?: ListOrder | 'unknown';
  dateTimes?: DateTimeForms;
  casing?: 'PascalCase' | 'camelCase' | 'snake_case' | 'mixed' | 'unknown';
  bytesPerRecord?: number;
  /** Options for ONECORE_CONFIG_FILE that inspect recommends (what it could not settle by itself, or what is safer stated). */
  suggestedOptions?: EndpointOptions;
  notes: string[];
}

export interface DateTimeForms {
  /** Date-time strings seen, by zone form: `Z`, `+01:00` style offsets, or none. */
  byZone: { Z: number; offset: number; none: number };
  /** Fraction digit counts seen (0 = none). */
  fractionDigits: number[];
  /** .NET's DateTime.MinValue (`0001-01-01T00:00:00`) seen as a "not set" value. */
  dotnetMinValue: number;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.(\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Reads the first page (and the second, when there is one) of an endpoint into a report. */
export function describeEndpoint(
  endpoint: string,
  first: RawPage,
  second: RawPage | null,
  options: EndpointOptions = {},
): EndpointReport {
  const report: EndpointReport = { endpoint, status: first.status, notes: [] };
  let env;
  try {
    env = readEnvelope(first.body, { endpoint, cursor: null, recordsKey: options.recordsKey, link: first.link });
  } catch (err) {
    report.error = (err as Error).message;
    if (/record array is unknown/.test(report.error))
      report.notes.push('set recordsKey to the array that holds the records');
    return report;
  }
  report.envelope = env.shape;
  let secondRecords: unknown[] | null = null;
  if (second !== null) {
    try {
      secondRecords = readEnvelope(second.body, {
        endpoint,
        cursor: env.page.next,
        recordsKey: options.recordsKey,
        link: second.link,
      }).page.records;
    } catch (err) {
      report.notes.push(`the second page could not be read: ${(err as Error).message}`);
    }
  }
  const records = [...env.page.records, ...(secondRecords ?? [])];
  report.recordsPerPage = [env.page.records.length, secondRecords === null ? null : secondRecords.length];
  if (env.page.records.length > 0) report.bytesPerRecord = Math.round(first.bytes / env.page.records.length);
  const suggested: EndpointOptions = {};

  try {
    const field = detectKeyField(endpoint, records, options.keyField);
    if (field === undefined) report.key = { error: 'no records to judge by' };
    else {
      const sample = records.find((r) => isObject(r) && readKey(r, field) !== undefined) as Record<string, unknown>;
      const spelled = Object.keys(sample).find((k) => k.toLowerCase() === field.toLowerCase()) ?? field;
      const value = sample[spelled];
      report.key = { field: spelled, type: typeof value === 'number' ? 'integer' : 'string' };
      if (field.toLowerCase() !== 'id' && options.keyField === undefined) suggested.keyField = spelled;
    }
  } catch (err) {
    report.key = { error: (err as Error).message };
    const m = /candidate fields: ([^.]+)\./.exec((err as Error).message);
    const candidate = m?.[1]?.split(', ')[0];
    if (candidate) {
      suggested.keyField = candidate;
      report.notes.push(`keyField "${candidate}" is a guess (unique on these pages): check it before the first sync`);
    }
  }
  const keyField = 'field' in (report.key ?? {}) ? (report.key as { field: string }).field : 'id';
  report.order =
    detectOrder(env.page.records, keyField) ??
    (secondRecords ? detectOrder(secondRecords, keyField) : undefined) ??
    'unknown';
  if (report.order === 'newest-first' && options.order === undefined) suggested.order = 'newest-first';
  if (report.order === 'unknown')
    report.notes.push(
      'the order could not be judged (too few records, or no creation date and no numeric key); it is checked again on every walk',
    );

  report.dateTimes = dateTimeForms(records);
  if (report.dateTimes.byZone.none > 0)
    report.notes.push(
      'date-times without an offset are read as ONECORE_NAIVE_TZ (default UTC): compare a few with the shop admin',
    );
  report.casing = casingOf(records);
  if (env.shape.recordsPath !== null && env.shape.recordsPath.includes('.') && options.recordsKey === undefined)
    suggested.recordsKey = env.shape.recordsPath;
  if (env.shape.recordsPath === null && env.page.next === null)
    report.notes.push('the body is a bare JSON array: read as one complete page');
  if (Object.keys(suggested).length > 0) report.suggestedOptions = suggested;
  return report;
}

function dateTimeForms(records: unknown[]): DateTimeForms {
  const forms: DateTimeForms = { byZone: { Z: 0, offset: 0, none: 0 }, fractionDigits: [], dotnetMinValue: 0 };
  const digits = new Set<number>();
  const visit = (v: unknown, depth: number): void => {
    if (depth > 20) return;
    if (typeof v === 'string') {
      const m = DATE_TIME.exec(v);
      if (!m) return;
      if (v.startsWith('0001-01-01T00:00:00')) forms.dotnetMinValue++;
      const zone = m[2];
      if (zone === undefined) forms.byZone.none++;
      else if (zone === 'Z') forms.byZone.Z++;
      else forms.byZone.offset++;
      digits.add(m[1]?.length ?? 0);
    } else if (Array.isArray(v)) for (const x of v) visit(x, depth + 1);
    else if (isObject(v)) for (const x of Object.values(v)) visit(x, depth + 1);
  };
  for (const r of records) visit(r, 0);
  forms.fractionDigits = [...digits].sort((a, b) => a - b);
  return forms;
}

function casingOf(records: unknown[]): EndpointReport['casing'] {
  let pascal = 0;
  let camel = 0;
  let snake = 0;
  for (const r of records.slice(0, 50)) {
    if (!isObject(r)) continue;
    for (const k of Object.keys(r)) {
      if (/^[A-Z]/.test(k)) pascal++;
      else if (/_/.test(k)) snake++;
      else if (/^[a-z]/.test(k)) camel++;
    }
  }
  const total = pascal + camel + snake;
  if (total === 0) return 'unknown';
  if (pascal >= total * 0.9) return 'PascalCase';
  if (camel >= total * 0.9) return 'camelCase';
  if (snake >= total * 0.9) return 'snake_case';
  return 'mixed';
}
