import { DateTime } from 'luxon';

/**
 * Rewrites every ISO 8601 date-time in an API record to UTC, the form stored in `jsonb`:
 * `YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z`.
 *
 * The project brief says dates are normalized "with luxon". Luxon is the *reference*: the tests
 * check this module against `DateTime.fromISO` over thousands of generated strings, and
 * `normalizeDateTimeWithLuxon` below is a plain luxon implementation of the same rule. The hot path
 * (`normalizeDateTime`) is hand-written because it runs on every string of every record and luxon
 * is one to two orders of magnitude slower (see `bench/normalizeDates.bench.ts`).
 *
 * The rule, and the decisions behind it:
 * - Accepted: extended-format calendar date-time, exactly `YYYY-MM-DDTHH:MM`, optionally followed by
 *   `:SS`, optionally followed by `.` and one or more fraction digits (only after seconds), and an
 *   optional zone `Z`, `±HH:MM`, `±HHMM` or `±HH`. Nothing before or after it.
 * - No zone means UTC (the vendor documents its local-less date-times as UTC).
 * - Fraction digits are kept as given up to 6 (microseconds, what Postgres stores) and *truncated*
 *   beyond that, never rounded: rounding `.9999996` up would carry into the seconds, and from there
 *   possibly into the next minute, day or year, so the stored text would name a different calendar
 *   date than the source. Truncation only ever drops sub-microsecond precision. Fewer digits are not
 *   padded (`.120` stays `.120`, `.1` stays `.1`).
 * - Left alone (returned unchanged), because they are not something we can convert faithfully:
 *   - date-only strings and anything that is not exactly the shape above (a space or a lower-case
 *     `t` instead of `T`, lower-case `z`, a comma as the decimal sign, basic format `20240301T1000`,
 *     week or ordinal dates, hour-only `T10`, leading/trailing text or whitespace, 5+ digit years):
 *     being strict means a product code or free text that happens to look date-ish is never altered;
 *   - impossible calendar fields: month 13, `2024-02-30`, hour 25, minute or second 60;
 *   - `T24:00` (ISO 8601's "end of day"): .NET's DateTime cannot hold hour 24 and never emits it, and
 *     the converted value would carry to the next calendar day, so it is more likely not a timestamp
 *     from the API at all; we do not guess;
 *   - leap second `:60`: neither .NET, JS nor Postgres can represent it (Postgres silently rolls it
 *     into the next minute), so there is no faithful UTC rendering;
 *   - year `0000` (.NET's DateTime starts at 0001-01-01) and years above 9999 (.NET's maximum);
 *   - offsets beyond ±14:00 (the largest real-world offset; .NET's DateTimeOffset rejects them) and
 *     offset minutes above 59;
 *   - a date-time whose UTC instant falls outside years 0001..9999, e.g. `0001-01-01T00:30:00+01:00`.
 * - `-00:00` (RFC 3339's "UTC known, local offset unknown") is the same instant as `Z` and converted.
 * - Already canonical strings are returned as the very same string (and are not counted as changed).
 */

/** Shape only; the calendar and range checks are done on the digits afterwards. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;

const MAX_OFFSET_MINUTES = 14 * 60;

/** Two ASCII digits at `i` as a number (the caller has checked they are digits). */
function d2(s: string, i: number): number {
  return (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : '' + n;
}

function pad4(n: number): string {
  return n < 10 ? '000' + n : n < 100 ? '00' + n : n < 1000 ? '0' + n : '' + n;
}

/**
 * `s` as a UTC date-time `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, or `s` itself when it is not a date-time
 * this module converts (see the rule at the top of the file).
 */
export function normalizeDateTime(s: string): string {
  // Cheap rejection before the regex: almost every string in a record fails one of these.
  const len = s.length;
  if (
    len < 16 ||
    s.charCodeAt(4) !== 45 /* - */ ||
    s.charCodeAt(7) !== 45 /* - */ ||
    s.charCodeAt(10) !== 84 /* T */ ||
    s.charCodeAt(13) !== 58 /* : */ ||
    !ISO_DATE_TIME.test(s)
  ) {
    return s;
  }

  const year = d2(s, 0) * 100 + d2(s, 2);
  const month = d2(s, 5);
  const day = d2(s, 8);
  const hour = d2(s, 11);
  const minute = d2(s, 14);
  if (
    year === 0 ||
    month === 0 ||
    month > 12 ||
    day === 0 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59
  ) {
    return s;
  }

  // After HH:MM: optional `:SS`, optional `.fff…`, then the zone up to the end.
  let pos = 16;
  let hasSeconds = false;
  if (pos < len && s.charCodeAt(pos) === 58 /* : */) {
    if (d2(s, pos + 1) > 59) return s; // includes the leap second :60
    hasSeconds = true;
    pos += 3;
  }
  const fracStart = pos; // index of the '.', when there is a fraction
  if (pos < len && s.charCodeAt(pos) === 46 /* . */) {
    pos++;
    while (pos < len) {
      const c = s.charCodeAt(pos);
      if (c < 48 || c > 57) break;
      pos++;
    }
  }
  const fracEnd = pos;

  // Zone: '' | Z | ±HH | ±HHMM | ±HH:MM (the regex guarantees one of these).
  let offset = 0; // minutes east of UTC
  let zoneIsZ = false;
  const zoneLen = len - pos;
  if (zoneLen === 1) {
    zoneIsZ = true;
  } else if (zoneLen > 1) {
    const oh = d2(s, pos + 1);
    const om = zoneLen === 3 ? 0 : d2(s, zoneLen === 6 ? pos + 4 : pos + 3);
    if (om > 59) return s;
    offset = oh * 60 + om;
    if (offset > MAX_OFFSET_MINUTES) return s;
    if (s.charCodeAt(pos) === 45 /* - */) offset = -offset;
  }

  // Keep at most 6 fraction digits: truncate, never round (see the file comment).
  const fracLimit = fracStart + 7; // '.' + 6 digits
  const fraction = fracEnd > fracLimit ? s.slice(fracStart, fracLimit) : s.slice(fracStart, fracEnd);
  const seconds = hasSeconds ? s.slice(16, 19) : ':00';

  if (offset === 0) {
    // Same wall-clock fields; only the spelling may change.
    if (zoneIsZ && hasSeconds && fracEnd <= fracLimit) return s; // already canonical
    return s.slice(0, 16) + seconds + fraction + 'Z';
  }

  // Shift by the offset. Offsets are whole minutes below ±14:00, so seconds and fraction are
  // unaffected and the date moves by at most one day either way: plain arithmetic on the fields,
  // no Date object (which also sidesteps Date.UTC reading years 0..99 as 1900..1999). The property
  // test checks this against luxon across years 1..9999, month ends, leap days and offsets.
  let y = year;
  let mo = month;
  let d = day;
  let t = hour * 60 + minute - offset; // minutes into the day, in UTC; -840 .. 2279
  if (t < 0) {
    t += 1440;
    if (--d === 0) {
      if (--mo === 0) {
        mo = 12;
        if (--y === 0) return s; // before 0001-01-01 in UTC
      }
      d = daysInMonth(y, mo);
    }
  } else if (t >= 1440) {
    t -= 1440;
    if (++d > daysInMonth(y, mo)) {
      d = 1;
      if (++mo === 13) {
        mo = 1;
        if (++y === 10000) return s; // after 9999-12-31 in UTC
      }
    }
  }
  const h = (t / 60) | 0;
  return pad4(y) + '-' + pad2(mo) + '-' + pad2(d) + 'T' + pad2(h) + ':' + pad2(t - h * 60) + seconds + fraction + 'Z';
}

/** The accepted shape again, with the fields the luxon implementation needs captured. */
const LUXON_SHAPE = /^(\d{4})-\d{2}-\d{2}T(\d{2}):\d{2}(?::\d{2}(?:\.(\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * The same rule implemented the plain way with luxon: slower, kept as the reference the tests
 * cross-check `normalizeDateTime` against and the baseline of the benchmark.
 *
 * Luxon's `fromISO` is more lenient than the rule (it takes basic format, week and ordinal dates,
 * hour-only times, `,` fractions, `[Zone]` suffixes, hour 24, year 0 and any offset up to ±99:99),
 * so the shape is checked first and the rule's extra limits afterwards. Luxon keeps milliseconds
 * only (and misreads very long fractions: 17 nines parse as 1000 ms, "out of range"), so it is given
 * the text with the fraction cut to 6 digits, and those digits are copied to the output.
 */
export function normalizeDateTimeWithLuxon(s: string): string {
  const m = LUXON_SHAPE.exec(s);
  if (m === null) return s;
  const [, yearText, hourText, fractionText, zoneText] = m;
  if (yearText === '0000' || hourText === '24') return s;
  if (zoneText !== undefined && zoneText.length > 3 && Number(zoneText.slice(-2)) > 59) return s;
  let text = s;
  if (fractionText !== undefined && fractionText.length > 6) {
    const dot = s.indexOf('.');
    text = s.slice(0, dot + 7) + (zoneText ?? '');
  }
  const dt = DateTime.fromISO(text, { zone: 'utc', setZone: true });
  if (!dt.isValid || Math.abs(dt.offset) > 14 * 60) return s;
  const utc = dt.toUTC();
  if (utc.year < 1 || utc.year > 9999) return s;
  const fraction = fractionText === undefined ? '' : '.' + fractionText.slice(0, 6);
  return utc.toFormat("yyyy-MM-dd'T'HH:mm:ss") + fraction + 'Z';
}

/**
 * Result of a walk: the (possibly new) value and how many strings were rewritten.
 */
export interface NormalizeResult<T> {
  value: T;
  changed: number;
}

/** Safety net: JSON records never get near this; a cyclic structure would otherwise never end. */
const MAX_DEPTH = 100_000;

interface Frame {
  /** The container being walked (never modified). */
  src: Record<string, unknown> | unknown[];
  /** Object keys; null for an array. */
  keys: string[] | null;
  /** Next index into `keys` or the array. */
  i: number;
  /** Shallow copy of `src`, made at the first change below it. */
  copy: Record<string, unknown> | unknown[] | null;
  /** Where this container sits in its parent: the parent frame and the key or index. */
  parent: Frame | null;
  parentKey: string | number;
}

function isWalkable(v: object): boolean {
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function shallowCopy(src: Record<string, unknown> | unknown[]): Record<string, unknown> | unknown[] {
  if (Array.isArray(src)) return src.slice();
  // Spread defines own data properties, so a JSON key "__proto__" stays an ordinary key (later
  // writes hit that own property, not the prototype setter). A null-prototype object has no setter.
  return Object.getPrototypeOf(src) === null
    ? Object.assign(Object.create(null) as Record<string, unknown>, src)
    : { ...src };
}

function ensureCopy(frame: Frame): Record<string, unknown> | unknown[] {
  if (frame.copy === null) frame.copy = shallowCopy(frame.src);
  return frame.copy;
}

function newFrame(src: Record<string, unknown> | unknown[], parent: Frame | null, parentKey: string | number): Frame {
  return { src, keys: Array.isArray(src) ? null : Object.keys(src), i: 0, copy: null, parent, parentKey };
}

/**
 * Deep walk of arrays and plain objects applying `normalize` to every string *value* (keys are never
 * touched; numbers, booleans, null and non-plain objects such as Date or Map are left as they are).
 * Copy-on-write: the input is never mutated; a container is copied only when something inside it
 * changed, so unchanged subtrees are returned as the same references (and an unchanged record is
 * returned as itself). Iterative (explicit stack), so depth is limited by memory, not the call stack;
 * beyond 100 000 levels it throws a RangeError (which also stops a cyclic structure). Shared
 * subtrees are walked once per reference and copied independently.
 */
export function normalizeRecordWith<T>(value: T, normalize: (s: string) => string): NormalizeResult<T> {
  if (typeof value === 'string') {
    const out = normalize(value);
    return out === value ? { value, changed: 0 } : { value: out as T, changed: 1 };
  }
  if (typeof value !== 'object' || value === null || !isWalkable(value)) return { value, changed: 0 };

  let changed = 0;
  let depth = 1;
  const root = newFrame(value as unknown as Record<string, unknown> | unknown[], null, 0);
  let frame: Frame | null = root;
  while (frame !== null) {
    const src = frame.src;
    const keys = frame.keys;
    const n = keys === null ? (src as unknown[]).length : keys.length;
    let descended = false;
    while (frame.i < n) {
      // i < n = keys.length, so the key is there; the check is for the compiler and costs nothing.
      const key: string | number | undefined = keys === null ? frame.i : keys[frame.i];
      frame.i++;
      if (key === undefined) continue;
      const v = (src as Record<string | number, unknown>)[key];
      if (typeof v === 'string') {
        const out = normalize(v);
        if (out !== v) {
          (ensureCopy(frame) as Record<string | number, unknown>)[key] = out;
          changed++;
        }
      } else if (typeof v === 'object' && v !== null && isWalkable(v)) {
        if (++depth > MAX_DEPTH) {
          throw new RangeError(`normalizeRecord: nesting deeper than ${MAX_DEPTH} levels (or a cyclic structure)`);
        }
        frame = newFrame(v as Record<string, unknown> | unknown[], frame, key);
        descended = true;
        break;
      }
    }
    if (descended) continue;
    // This container is done: hand a copy (if any) up to the parent.
    const parent: Frame | null = frame.parent;
    if (frame.copy !== null && parent !== null) {
      (ensureCopy(parent) as Record<string | number, unknown>)[frame.parentKey] = frame.copy;
    }
    depth--;
    frame = parent;
  }
  return { value: (root.copy ?? value) as T, changed };
}

/** `normalizeRecordWith(value, normalizeDateTime)`: every date-time string in `value` in UTC. */
export function normalizeRecord<T>(value: T): NormalizeResult<T> {
  return normalizeRecordWith(value, normalizeDateTime);
}
