/**
 * The date/time text forms a .NET (ASP.NET Core / System.Text.Json) back end emits.
 *
 * The real API's exact forms are unknown, so the simulator deliberately spreads every plausible
 * form across records and fields: a client that parses only `...Z` or only offsets, that drops
 * 7-digit fractions, that turns DateTime.MinValue into a bogus timestamp or that "parses"
 * look-alikes such as an order number "2024-0001" is caught by the tests and the demo.
 */

export type DateTimeForm =
  | 'z'
  | '+01:00'
  | '+02:00'
  | '-05:00'
  | '+05:30'
  | 'no-offset'
  | 'frac7-offset'
  | 'frac7-no-offset'
  | 'frac3-z'
  | 'frac3-offset';

/** Every date-time form, in the order records cycle through them. */
export const DATETIME_FORMS: readonly DateTimeForm[] = [
  'z',
  '+01:00',
  '+02:00',
  '-05:00',
  '+05:30',
  'no-offset',
  'frac7-offset',
  'frac7-no-offset',
  'frac3-z',
  'frac3-offset',
];

/** .NET DateTime.MinValue as serialized: the back end's "not set" value. */
export const DOTNET_MIN_DATETIME = '0001-01-01T00:00:00';

const FORM_SPEC: Record<DateTimeForm, { offsetMin: number | null; frac: 0 | 3 | 7 }> = {
  z: { offsetMin: 0, frac: 0 },
  '+01:00': { offsetMin: 60, frac: 0 },
  '+02:00': { offsetMin: 120, frac: 0 },
  '-05:00': { offsetMin: -300, frac: 0 },
  '+05:30': { offsetMin: 330, frac: 0 },
  'no-offset': { offsetMin: null, frac: 0 },
  'frac7-offset': { offsetMin: 60, frac: 7 },
  'frac7-no-offset': { offsetMin: null, frac: 7 },
  'frac3-z': { offsetMin: 0, frac: 3 },
  'frac3-offset': { offsetMin: -300, frac: 3 },
};

function offsetSuffix(offsetMin: number | null, zulu: boolean): string {
  if (offsetMin === null) return '';
  if (offsetMin === 0 && zulu) return 'Z';
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * Format the instant `ms` (UTC epoch ms) in `form`. The text always denotes that instant
 * (no-offset forms denote UTC, as the vendor docs say), truncated to the form's precision.
 * `subMs` (0..9999) supplies the 4 extra digits of 7-digit fractions (.NET ticks).
 */
export function formatDateTime(ms: number, form: DateTimeForm, subMs = 0): string {
  const spec = FORM_SPEC[form];
  const wall = new Date(ms + (spec.offsetMin ?? 0) * 60_000).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  let s = wall.slice(0, 19);
  if (spec.frac === 3) s += wall.slice(19, 23);
  if (spec.frac === 7) s += wall.slice(19, 23) + String(Math.trunc(subMs) % 10000).padStart(4, '0');
  return s + offsetSuffix(spec.offsetMin, form === 'z' || form === 'frac3-z');
}

/** Date-only form ("2024-03-01") of the UTC day of `ms`. */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export interface DateSample {
  /** Short stable name of the form. */
  name: string;
  /** The exact text as the API serves it. */
  value: string;
  /** What a correct client should take it for. */
  kind: 'datetime' | 'date' | 'not-a-date';
  /** For datetimes: the same instant in UTC as onecore-sync stores it ('...Z', fractions truncated to microseconds). */
  utc?: string;
  /** For datetimes: epoch milliseconds (fractions beyond ms truncated). */
  epochMs?: number;
  /** For dates: the calendar day. */
  date?: string;
  /** Recognises this form (and no other form in this list), to find it in served records. */
  pattern: RegExp;
  note: string;
}

/**
 * One canonical example of every form that appears in served records, with what it means,
 * so tests elsewhere (parsers, the DB mapping) can check each one lands right.
 */
export const DATE_SAMPLES: readonly DateSample[] = [
  {
    name: 'utc-z',
    value: '2024-03-01T09:00:00Z',
    kind: 'datetime',
    utc: '2024-03-01T09:00:00Z',
    epochMs: Date.UTC(2024, 2, 1, 9),
    pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/,
    note: 'UTC with Z',
  },
  {
    name: 'offset+01:00',
    value: '2024-03-01T10:00:00+01:00',
    kind: 'datetime',
    utc: '2024-03-01T09:00:00Z',
    epochMs: Date.UTC(2024, 2, 1, 9),
    pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+01:00$/,
    note: 'CET',
  },
  {
    name: 'offset+02:00',
    value: '2024-03-01T11:00:00+02:00',
    kind: 'datetime',
    utc: '2024-03-01T09:00:00Z',
    epochMs: Date.UTC(2024, 2, 1, 9),
    pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+02:00$/,
    note: 'CEST',
  },
  {
    name: 'offset-05:00',
    value: '2024-03-01T04:00:00-05:00',
    kind: 'datetime',
    utc: '2024-03-01T09:00:00Z',
    epochMs: Date.UTC(2024, 2, 1, 9),
    pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-05:00$/,
    note: 'negative offset',
  },
  {
    name: 'offset+05:30',
    value: '2024-03-01T14:30:00+05:30',
    kind: 'datetime',
    utc: '2024-03-01T09:00:00Z',
    epochMs: Date.UTC(2024, 2, 1, 9),
    pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+05:30$/,
    note: 'half-hour offset',
  },
  {
    name: 'no-offset',
    value: '2024-03-01T10:00:00',
    kind: 'datetime',
    utc: '2024-03-01T10:00:00Z',
    epochMs: Date.UTC(2024, 2, 1, 10),
    pattern: /^(?!0001-01-01T00:00:00$)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/,
    note: 'no zone: UTC per the vendor docs (not server-local time)',
  },
  {
    name: 'frac7-offset',
    value: '2024-03-01T10:00:00.1234567+01:00',
    kind: 'datetime',
    utc: '2024-03-01T09:00:00.123456Z',
    epochMs: Date.UTC(2024, 2, 1, 9, 0, 0, 123),
    pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}[+-]\d{2}:\d{2}$/,
    note: '.NET ticks: 7 fractional digits',
  },
  {
    name: 'frac7-no-offset',
    value: '2024-03-01T10:00:00.1234567',
    kind: 'datetime',
    utc: '2024-03-01T10:00:00.123456Z',
    epochMs: Date.UTC(2024, 2, 1, 10, 0, 0, 123),
    pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}$/,
    note: '7 digits, no zone (UTC)',
  },
  {
    name: 'frac3-z',
    value: '2024-03-01T09:00:00.123Z',
    kind: 'datetime',
    utc: '2024-03-01T09:00:00.123Z',
    epochMs: Date.UTC(2024, 2, 1, 9, 0, 0, 123),
    pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
    note: 'milliseconds, Z',
  },
  {
    name: 'frac3-offset',
    value: '2024-03-01T04:00:00.123-05:00',
    kind: 'datetime',
    utc: '2024-03-01T09:00:00.123Z',
    epochMs: Date.UTC(2024, 2, 1, 9, 0, 0, 123),
    pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/,
    note: 'milliseconds with offset',
  },
  {
    name: 'dotnet-min',
    value: DOTNET_MIN_DATETIME,
    kind: 'datetime',
    utc: '0001-01-01T00:00:00Z',
    epochMs: -62135596800000,
    pattern: /^0001-01-01T00:00:00$/,
    note: 'DateTime.MinValue: the back end\'s "not set"',
  },
  {
    name: 'date-only',
    value: '2024-03-01',
    kind: 'date',
    date: '2024-03-01',
    pattern: /^\d{4}-\d{2}-\d{2}$/,
    note: 'calendar date, no time, no zone',
  },
  {
    name: 'order-number',
    value: '2024-0001',
    kind: 'not-a-date',
    pattern: /^\d{4}-\d{4}$/,
    note: 'order number shaped like year-ordinal',
  },
  {
    name: 'clock-time',
    value: '12:30',
    kind: 'not-a-date',
    pattern: /^\d{2}:\d{2}$/,
    note: 'time of day without a date',
  },
  {
    name: 'version-tag',
    value: 'v2024-03-01',
    kind: 'not-a-date',
    pattern: /^v\d{4}-\d{2}-\d{2}$/,
    note: 'version label containing a date',
  },
];
