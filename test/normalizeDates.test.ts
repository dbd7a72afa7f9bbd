import { describe, it, expect } from 'vitest';
import { DateTime } from 'luxon';
import { normalizeDateTime, normalizeDateTimeWithLuxon, normalizeRecord } from '../src/sync/normalizeDates.js';
import { dateTimeNormalizer } from '../src/sync/naiveTimeZone.js';
import { readConfig } from '../src/config/readConfig.js';
import { mulberry32 } from '../src/simulator/random.js';

/** [input, expected output]; expected === input means "left alone". */
const CONVERTED: Array<[string, string]> = [
  // Fractions: truncated to microseconds, never rounded, never padded.
  ['2024-03-01T10:00:00.1234567Z', '2024-03-01T10:00:00.123456Z'],
  ['2024-03-01T10:00:00.1234567', '2024-03-01T10:00:00.123456Z'],
  ['2024-03-01T10:00:00.1234567+01:00', '2024-03-01T09:00:00.123456Z'],
  ['2024-03-01T10:00:00.9999999Z', '2024-03-01T10:00:00.999999Z'],
  ['2024-12-31T23:59:59.9999999Z', '2024-12-31T23:59:59.999999Z'], // rounding would make it 2025
  ['2024-12-31T23:59:59.9999999-05:00', '2025-01-01T04:59:59.999999Z'],
  ['2024-03-01T10:00:00.123456789Z', '2024-03-01T10:00:00.123456Z'],
  ['2024-03-01T10:00:00.99999999999999999999999999999999999Z', '2024-03-01T10:00:00.999999Z'],
  ['2024-03-01T10:00:00.123', '2024-03-01T10:00:00.123Z'],
  ['2024-03-01T10:00:00.120', '2024-03-01T10:00:00.120Z'],
  ['2024-03-01T10:00:00.1', '2024-03-01T10:00:00.1Z'],
  ['2024-03-01T10:00:00.0000000', '2024-03-01T10:00:00.000000Z'],
  ['2024-03-01T10:00:00.123+01:00', '2024-03-01T09:00:00.123Z'],
  // No zone means UTC; no seconds means :00.
  ['2024-03-01T10:00:00', '2024-03-01T10:00:00Z'],
  ['2024-03-01T10:00', '2024-03-01T10:00:00Z'],
  ['2024-03-01T10:00Z', '2024-03-01T10:00:00Z'],
  ['2024-03-01T10:00+01:00', '2024-03-01T09:00:00Z'],
  // Offsets.
  ['2024-03-01T10:00:00+00:00', '2024-03-01T10:00:00Z'],
  ['2024-03-01T10:00:00-00:00', '2024-03-01T10:00:00Z'],
  ['2024-03-01T10:00:00+01:00', '2024-03-01T09:00:00Z'],
  ['2024-03-01T01:30:00+02:00', '2024-02-29T23:30:00Z'],
  ['2023-03-01T01:30:00+02:00', '2023-02-28T23:30:00Z'],
  ['2023-12-31T22:00:00-05:00', '2024-01-01T03:00:00Z'],
  ['2024-03-01T10:00:00+05:30', '2024-03-01T04:30:00Z'],
  ['2024-03-01T10:00:00+0530', '2024-03-01T04:30:00Z'],
  ['2024-03-01T10:00:00-0330', '2024-03-01T13:30:00Z'],
  ['2024-03-01T10:00:00+01', '2024-03-01T09:00:00Z'],
  ['2024-03-01T10:00:00-01', '2024-03-01T11:00:00Z'],
  ['2024-03-01T10:00:00+05:45', '2024-03-01T04:15:00Z'],
  ['2024-03-01T10:00:00+14:00', '2024-02-29T20:00:00Z'],
  ['2024-03-01T10:00:00-14:00', '2024-03-02T00:00:00Z'],
  ['2024-03-01T10:00:00-12:00', '2024-03-01T22:00:00Z'],
  // Early years: .NET's minimum, two-digit years (Date.UTC's 1900 quirk), leap years, before 1970.
  ['0001-01-01T00:00:00', '0001-01-01T00:00:00Z'],
  ['0001-01-01T00:00:00.0000000', '0001-01-01T00:00:00.000000Z'],
  ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z'],
  ['0001-01-01T01:30:00+01:00', '0001-01-01T00:30:00Z'],
  ['0001-01-01T00:30:00-01:00', '0001-01-01T01:30:00Z'],
  ['0050-01-01T00:30:00+01:00', '0049-12-31T23:30:00Z'],
  ['0099-12-31T23:30:00-01:00', '0100-01-01T00:30:00Z'],
  ['0004-02-29T12:00:00', '0004-02-29T12:00:00Z'],
  ['0004-03-01T00:30:00+01:00', '0004-02-29T23:30:00Z'],
  ['0100-03-01T00:30:00+01:00', '0100-02-28T23:30:00Z'], // 100 is not a leap year
  ['0400-03-01T00:30:00+01:00', '0400-02-29T23:30:00Z'], // 400 is
  ['1899-12-31T23:00:00-02:00', '1900-01-01T01:00:00Z'],
  ['1969-12-31T23:59:59.999+01:00', '1969-12-31T22:59:59.999Z'],
  ['1970-01-01T00:30:00+01:00', '1969-12-31T23:30:00Z'],
  ['2000-02-29T12:00:00', '2000-02-29T12:00:00Z'],
  ['9999-12-31T23:59:59.9999999', '9999-12-31T23:59:59.999999Z'],
  ['9999-12-31T23:00:00+01:00', '9999-12-31T22:00:00Z'],
];

const LEFT_ALONE: string[] = [
  // Not date-times at all.
  '',
  'hello',
  '2024-03-01',
  '2024-0001',
  '12:30',
  'v2024-03-01',
  '2024-03-01T10:00:00 and more',
  '2024-03-01T10:00:00Zjunk',
  'abcd-ef-ghTij:kl:mn',
  '0123456789abcdefgh',
  // Already canonical (returned as is, counted as unchanged).
  '2024-03-01T10:00:00Z',
  '2024-03-01T10:00:00.123456Z',
  '2024-03-01T10:00:00.1Z',
  '2024-03-01T10:00:00.120Z',
  // Impossible fields.
  '2024-02-30T10:00:00',
  '2023-02-29T10:00:00',
  '1900-02-29T10:00:00',
  '0100-02-29T10:00:00',
  '2024-04-31T10:00:00',
  '2024-13-01T10:00:00',
  '2024-00-01T10:00:00',
  '2024-03-00T10:00:00',
  '2024-03-01T25:00:00',
  '2024-03-01T10:60:00',
  '2024-03-01T10:00:61',
  // Hour 24 (end of day), leap second, year 0, 5-digit and expanded years.
  '2024-03-01T24:00:00',
  '2024-03-01T24:00',
  '2024-03-01T24:00:00Z',
  '2024-03-01T23:59:60',
  '2016-12-31T23:59:60Z',
  '0000-01-01T00:00:00',
  '0000-01-01T00:00:00Z',
  '10000-01-01T00:00:00',
  '+002024-03-01T10:00:00Z',
  '-000001-01-01T00:00:00Z',
  // Offsets out of range or malformed.
  '2024-03-01T10:00:00+14:01',
  '2024-03-01T10:00:00+15:00',
  '2024-03-01T10:00:00-14:30',
  '2024-03-01T10:00:00+99:99',
  '2024-03-01T10:00:00+15',
  '2024-03-01T10:00:00+05:60',
  '2024-03-01T10:00:00+0560',
  '2024-03-01T10:00:00+1',
  '2024-03-01T10:00:00+01:0',
  '2024-03-01T10:00:00+010',
  '2024-03-01T10:00:00+01:00:00',
  '2024-03-01T10:00:00+01:00Z',
  '2024-03-01T10:00:00+01:00[Europe/Paris]',
  '2024-03-01T10:00:00 +01:00',
  '2024-03-01T10:00:00UTC',
  '2024-03-01T10:00:00GMT',
  // Out of 0001..9999 once in UTC.
  '0001-01-01T00:30:00+01:00',
  '0001-01-01T00:00:00+00:01',
  '9999-12-31T23:00:00-01:00',
  '9999-12-31T23:59:59.9999999-05:00',
  // Strict spelling: only `T` and `Z`, extended format, `.` fraction after seconds.
  '2024-03-01 10:00:00',
  '2024-03-01 10:00:00Z',
  '2024-03-01t10:00:00',
  '2024-03-01T10:00:00z',
  '2024-03-01T10:00:00,5Z',
  '20240301T100000Z',
  '20240301T10:00:00Z',
  '2024-03-01T1000',
  '2024-03-01T10:0000',
  '2024-061T10:00:00',
  '2024-W09-5T10:00:00',
  '2024-03-01T10',
  '2024-03-01T10Z',
  '2024-03-01T10:00.5',
  '2024-03-01T10:00:00.',
  '2024-03-01T10:00:00.Z',
  '2024-3-01T10:00:00',
  '2024-03-1T10:00:00',
  '2024-03-01T1:00:00',
  '2024-03-01T10:00:0',
  '2024-03-01T10:00:00.1234567+01:00:00',
  // Whitespace, control characters, non-ASCII digits.
  ' 2024-03-01T10:00:00Z',
  '2024-03-01T10:00:00Z ',
  '2024-03-01T10:00:00Z\n',
  '\n2024-03-01T10:00:00',
  '2024-03-01T10:00:00\t',
  'a\u0000b',
  '\u0000',
  '2024-03-01T10:00:00\u0000',
  '2024-03-01T10:00:00Z\u0000',
  '\u00002024-03-01T10:00:00',
  '2024-03-01T10:00:00.12\u00003',
  '٢٠٢٤-03-01T10:00:00',
  '２０２４-03-01T10:00:00',
  '2024-03-01T10:00:00\uD800',
];

describe('normalizeDateTime: the rule, case by case', () => {
  it.each(CONVERTED)('%s → %s', (input, expected) => {
    expect(normalizeDateTime(input)).toBe(expected);
    expect(normalizeDateTimeWithLuxon(input)).toBe(expected);
  });

  it.each(LEFT_ALONE.map((s) => [JSON.stringify(s), s]))('leaves %s alone', (_label, input) => {
    expect(normalizeDateTime(input)).toBe(input);
    expect(normalizeDateTimeWithLuxon(input)).toBe(input);
  });

  it('is idempotent: a normalized date-time normalizes to itself', () => {
    for (const [, expected] of CONVERTED) {
      expect(normalizeDateTime(expected)).toBe(expected);
    }
  });
});

/** Deterministic PRNG, the simulator's (mulberry32) so a failure reproduces. */
const rng = mulberry32;

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

interface Generated {
  s: string;
  /** Fraction digits as written, '' for none. */
  fraction: string;
  /** True when the rule rejects it for a reason luxon would not (hour 24, year 0, offset range). */
  ruleRejects: boolean;
}

function generate(random: () => number): Generated {
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)] as T; // never called with []
  let ruleRejects = false;
  const yearBand = random();
  let year =
    yearBand < 0.1
      ? int(1, 99)
      : yearBand < 0.2
        ? int(100, 1599)
        : yearBand < 0.35
          ? int(1600, 1969)
          : yearBand < 0.85
            ? int(1970, 2100)
            : yearBand < 0.95
              ? int(2101, 9998)
              : pick([1, 9999]);
  if (random() < 0.005) {
    year = 0;
    ruleRejects = true;
  }
  const month = int(1, 12);
  const day = random() < 0.15 ? int(28, 31) : random() < 0.1 ? pick([1, 31]) : int(1, 28); // 29–31 may not exist
  let hour = random() < 0.1 ? pick([0, 23]) : int(0, 23);
  let minute = int(0, 59);
  let second = int(0, 59);
  if (random() < 0.005) {
    hour = 24;
    minute = 0;
    second = 0;
    ruleRejects = true;
  }
  const withSeconds = random() < 0.9;
  const fraction =
    withSeconds && random() < 0.6
      ? Array.from({ length: pick([1, 2, 3, 4, 6, 7, 7, 7, 9]) }, () => String(int(0, 9))).join('')
      : '';
  let zone: string;
  const z = random();
  if (z < 0.2) {
    zone = '';
  } else if (z < 0.4) {
    zone = 'Z';
  } else {
    let oh = int(0, 14);
    let om = oh === 14 ? 0 : pick([0, 0, 0, 30, 45, int(0, 59)]);
    if (random() < 0.01) {
      // Out of range for the rule, fine for luxon.
      if (random() < 0.5) {
        oh = int(14, 18);
        om = oh === 14 ? int(1, 59) : om;
      } else {
        om = int(60, 99);
      }
      ruleRejects = true;
    }
    const sign = random() < 0.5 ? '+' : '-';
    const form = random();
    zone =
      form < 0.6
        ? `${sign}${pad(oh, 2)}:${pad(om, 2)}`
        : form < 0.8 || om !== 0
          ? `${sign}${pad(oh, 2)}${pad(om, 2)}`
          : `${sign}${pad(oh, 2)}`;
  }
  const time =
    `${pad(hour, 2)}:${pad(minute, 2)}` + (withSeconds ? `:${pad(second, 2)}` + (fraction ? `.${fraction}` : '') : '');
  return { s: `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${time}${zone}`, fraction, ruleRejects };
}

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(\d{1,6}))?Z$/;

describe('normalizeDateTime against luxon (property test)', () => {
  const random = rng(20240301);
  const cases = Array.from({ length: 6000 }, () => generate(random));

  it('matches luxon on the instant (ms) and keeps the first 6 fraction digits', () => {
    let converted = 0;
    let rejected = 0;
    for (const { s, fraction, ruleRejects } of cases) {
      const out = normalizeDateTime(s);
      const oracle = DateTime.fromISO(s, { zone: 'utc', setZone: true });
      const utc = oracle.toUTC();
      if (ruleRejects || !oracle.isValid || utc.year < 1 || utc.year > 9999) {
        expect(out, s).toBe(s);
        rejected++;
        continue;
      }
      const m = CANONICAL.exec(out);
      expect(m, `${s} → ${out}`).not.toBeNull();
      expect(DateTime.fromISO(out, { zone: 'utc' }).toMillis(), `${s} → ${out}`).toBe(utc.toMillis());
      expect(m![1] ?? '', `${s} → ${out}`).toBe(fraction.slice(0, 6));
      converted++;
    }
    // The generator must exercise both outcomes, or the test proves little.
    expect(converted).toBeGreaterThan(5000);
    expect(rejected).toBeGreaterThan(50);
  });

  it('matches luxon across month, year and leap-day boundaries (grid)', () => {
    const years = [1, 2, 4, 99, 100, 101, 400, 1600, 1899, 1900, 1969, 1970, 1999, 2000, 2023, 2024, 2100, 9998, 9999];
    const offsets = [
      '+14:00',
      '-14:00',
      '+13:59',
      '-13:59',
      '+00:30',
      '-00:30',
      '+01',
      '-01',
      '+0545',
      '-0930',
      'Z',
      '',
    ];
    let checked = 0;
    for (const year of years) {
      for (let month = 1; month <= 12; month++) {
        for (const day of [1, 28, 29, 30, 31]) {
          for (const time of ['00:00', '00:29', '13:59:59.9999999', '23:30:00.5', '23:59:59']) {
            for (const zone of offsets) {
              const s = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${time}${zone}`;
              const out = normalizeDateTime(s);
              expect(normalizeDateTimeWithLuxon(s), s).toBe(out);
              const oracle = DateTime.fromISO(s, { zone: 'utc', setZone: true });
              const utc = oracle.toUTC();
              if (!oracle.isValid || utc.year < 1 || utc.year > 9999) {
                expect(out, s).toBe(s);
                continue;
              }
              expect(DateTime.fromISO(out, { zone: 'utc' }).toMillis(), `${s} → ${out}`).toBe(utc.toMillis());
              expect(out.slice(0, 19), s).toBe(utc.toFormat("yyyy-MM-dd'T'HH:mm:ss"));
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(60_000);
  });

  it('agrees with normalizeDateTimeWithLuxon on every generated input', () => {
    for (const { s } of cases) {
      expect(normalizeDateTime(s), s).toBe(normalizeDateTimeWithLuxon(s));
    }
  });

  it('agrees with normalizeDateTimeWithLuxon on mutated (mostly malformed) inputs', () => {
    const mutate = rng(42);
    const alphabet = [
      '0',
      '1',
      '2',
      '4',
      '5',
      '6',
      '9',
      '-',
      '+',
      ':',
      '.',
      ',',
      'T',
      't',
      'Z',
      'z',
      ' ',
      'W',
      '\u0000',
    ];
    let disagreements: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const base = cases[i % cases.length]?.s ?? '';
      const at = Math.floor(mutate() * (base.length + 1));
      const ch = alphabet[Math.floor(mutate() * alphabet.length)];
      const op = mutate();
      const s =
        op < 0.4
          ? base.slice(0, at) + ch + base.slice(at + 1)
          : op < 0.7
            ? base.slice(0, at) + ch + base.slice(at)
            : base.slice(0, at) + base.slice(at + 1);
      if (normalizeDateTime(s) !== normalizeDateTimeWithLuxon(s)) disagreements.push(s);
    }
    disagreements = disagreements.slice(0, 10);
    expect(disagreements).toEqual([]);
  });
});

/** Recursively freezes, so any mutation by the code under test throws (ESM is strict mode). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function order() {
  return {
    id: 'A-1001',
    number: 'SO-2024-03-01', // not a date-time
    createdAt: '2024-03-01T10:00:00.1234567+01:00',
    updatedAt: '2024-03-01T09:00:00Z', // already canonical
    deliveryDate: '2024-03-05', // date only
    total: 99.5,
    paid: true,
    note: null,
    customer: { name: 'Ada', email: 'ada@example.com', address: { street: 'Main St 1', city: 'Berlin', zip: '10115' } },
    lines: [
      { sku: 'X-1', qty: 2, shippedAt: '2024-03-02T08:30:00-05:00' },
      { sku: 'X-2', qty: 1, shippedAt: null },
    ],
    tags: ['vip', '2024-03-01T10:00'],
  };
}

describe('normalizeRecord', () => {
  it('rewrites string values only, and counts the rewrites', () => {
    const input = order();
    const { value, changed } = normalizeRecord(input);
    expect(changed).toBe(3);
    expect(value).toEqual({
      ...order(),
      createdAt: '2024-03-01T09:00:00.123456Z',
      lines: [
        { sku: 'X-1', qty: 2, shippedAt: '2024-03-02T13:30:00Z' },
        { sku: 'X-2', qty: 1, shippedAt: null },
      ],
      tags: ['vip', '2024-03-01T10:00:00Z'],
    });
  });

  it('is copy-on-write: the input is not mutated and unchanged subtrees keep their identity', () => {
    const input = deepFreeze(order());
    const snapshot = structuredClone(input);
    const { value } = normalizeRecord(input);
    expect(input).toEqual(snapshot);
    expect(value).not.toBe(input);
    expect(value.customer).toBe(input.customer);
    expect(value.customer.address).toBe(input.customer.address);
    expect(value.lines).not.toBe(input.lines);
    expect(value.lines[0]).not.toBe(input.lines[0]);
    expect(value.lines[1]).toBe(input.lines[1]);
    expect(value.tags).not.toBe(input.tags);
  });

  it('returns the input itself when nothing changes', () => {
    const input = deepFreeze({ a: '2024-03-01T10:00:00Z', b: [1, 'x', { c: '2024-03-01' }], d: 'a\u0000b' });
    const result = normalizeRecord(input);
    expect(result.value).toBe(input);
    expect(result.changed).toBe(0);
  });

  it('never rewrites keys', () => {
    const input = { '2024-03-01T10:00:00+01:00': '2024-03-01T10:00:00+01:00' };
    const { value, changed } = normalizeRecord(input);
    expect(changed).toBe(1);
    expect(Object.keys(value)).toEqual(['2024-03-01T10:00:00+01:00']);
    expect(value['2024-03-01T10:00:00+01:00']).toBe('2024-03-01T09:00:00Z');
  });

  it('leaves numbers, booleans, null and non-plain objects alone; handles scalars at the top', () => {
    const when = new Date(0);
    const map = new Map([['k', '2024-03-01T10:00:00+01:00']]);
    const input = { n: 20240301, b: false, z: null, u: undefined, when, map, s: '2024-03-01T10:00:00+01:00' };
    const { value } = normalizeRecord(input);
    expect(value).toEqual({ ...input, s: '2024-03-01T09:00:00Z' });
    expect(value.when).toBe(when);
    expect(value.map).toBe(map);
    expect(normalizeRecord('2024-03-01T10:00:00+01:00')).toEqual({ value: '2024-03-01T09:00:00Z', changed: 1 });
    expect(normalizeRecord('hello')).toEqual({ value: 'hello', changed: 0 });
    expect(normalizeRecord(42)).toEqual({ value: 42, changed: 0 });
    expect(normalizeRecord(null)).toEqual({ value: null, changed: 0 });
    expect(normalizeRecord([])).toEqual({ value: [], changed: 0 });
  });

  it('leaves strings holding \\u0000 untouched', () => {
    const input = { a: 'x\u0000y', b: '2024-03-01T10:00:00+01:00\u0000', c: ['\u0000'] };
    const result = normalizeRecord(input);
    expect(result.value).toBe(input);
    expect(result.changed).toBe(0);
    expect(result.value.b).toBe('2024-03-01T10:00:00+01:00\u0000');
  });

  it('keeps a JSON "__proto__" key an ordinary key', () => {
    const input = JSON.parse('{"__proto__": "2024-03-01T10:00:00+01:00", "x": "2024-03-01T10:00:00"}') as Record<
      string,
      unknown
    >;
    const { value } = normalizeRecord(input);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(value, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toBe('2024-03-01T09:00:00Z');
    expect(value.x).toBe('2024-03-01T10:00:00Z');
  });

  it('copies null-prototype objects without giving them a prototype', () => {
    const input = Object.assign(Object.create(null) as Record<string, unknown>, { at: '2024-03-01T10:00:00+01:00' });
    const { value } = normalizeRecord(input);
    expect(Object.getPrototypeOf(value)).toBeNull();
    expect(value.at).toBe('2024-03-01T09:00:00Z');
    expect(input.at).toBe('2024-03-01T10:00:00+01:00');
  });

  it('handles deep nesting (2000 levels of objects and arrays) without a stack overflow', () => {
    type Nested = { at?: string; next?: Nested | Nested[]; keep?: string[] };
    const build = (depth: number): Nested => {
      let node: Nested = { at: '2024-03-01T10:00:00+01:00' };
      for (let i = 0; i < depth; i++) node = i % 2 === 0 ? { next: node, keep: ['same'] } : { next: [node] };
      return node;
    };
    for (const depth of [2000, 20_000]) {
      const input = build(depth);
      const { value, changed } = normalizeRecord(input);
      expect(changed).toBe(1);
      let a: unknown = value;
      let b: unknown = input;
      let levels = 0;
      // Walk both down in step: every container on the path is a copy, its siblings are shared.
      while ((a as Nested).next !== undefined) {
        // Plain comparisons: vitest's matchers would format these deep values recursively.
        if (a === b) throw new Error(`level ${levels}: container on the changed path was not copied`);
        if ((a as Nested).keep !== (b as Nested).keep) throw new Error(`level ${levels}: unchanged sibling was copied`);
        const na = (a as Nested).next!;
        const nb = (b as Nested).next!;
        a = Array.isArray(na) ? na[0] : na;
        b = Array.isArray(nb) ? nb[0] : nb;
        levels++;
      }
      expect(levels).toBe(depth);
      expect((a as Nested).at).toBe('2024-03-01T09:00:00Z');
      expect((b as Nested).at).toBe('2024-03-01T10:00:00+01:00');
    }
  });

  it('stops on a cyclic structure with a RangeError instead of running forever', () => {
    const a: Record<string, unknown> = { at: '2024-03-01T10:00:00' };
    a.self = a;
    expect(() => normalizeRecord(a)).toThrow(RangeError);
  });

  it('handles sparse arrays and shared subtrees', () => {
    const shared = { at: '2024-03-01T10:00:00+01:00' };
    // eslint-disable-next-line no-sparse-arrays -- the hole is what this test is about
    const input = [shared, , shared, 'x'];
    const { value, changed } = normalizeRecord(input);
    expect(changed).toBe(2);
    expect(value[0]).toEqual({ at: '2024-03-01T09:00:00Z' });
    expect(value[2]).toEqual({ at: '2024-03-01T09:00:00Z' });
    expect(1 in value).toBe(false);
    expect(shared.at).toBe('2024-03-01T10:00:00+01:00');
  });
});

describe('ONECORE_NAIVE_TZ: date-times without an offset in a configured zone', () => {
  it('reads naive values in the zone (DST and fractions kept), leaves values with an offset and non-dates alone', () => {
    const zurich = dateTimeNormalizer('Europe/Zurich');
    expect(zurich('2024-03-01T10:00:00')).toBe('2024-03-01T09:00:00Z');
    expect(zurich('2024-07-01T10:00:00.1234567')).toBe('2024-07-01T08:00:00.123456Z');
    expect(zurich('2024-07-01T10:00')).toBe('2024-07-01T08:00:00Z');
    expect(zurich('2024-07-01T10:00:00+02:00')).toBe('2024-07-01T08:00:00Z');
    expect(zurich('2024-07-01T10:00:00Z')).toBe('2024-07-01T10:00:00Z');
    expect(zurich('2024-01-01T00:30:00')).toBe('2023-12-31T23:30:00Z');
    expect(zurich('2024-07-01')).toBe('2024-07-01');
    expect(zurich('2024-0001')).toBe('2024-0001');
    expect(zurich('0001-01-01T00:00:00')).toBe('0001-01-01T00:00:00Z');
    // 01:30 happens twice that night: read as the second (standard time), as luxon does.
    expect(dateTimeNormalizer('America/New_York')('2024-11-03T01:30:00')).toBe('2024-11-03T06:30:00Z');
    expect(dateTimeNormalizer('UTC')).toBe(normalizeDateTime);
  });

  it('is validated at start-up', () => {
    expect(readConfig({ ONECORE_NAIVE_TZ: 'Europe/Zurich' }).naiveTz).toBe('Europe/Zurich');
    expect(readConfig({}).naiveTz).toBe('UTC');
    expect(() => readConfig({ ONECORE_NAIVE_TZ: 'Mars/Olympus' })).toThrow(
      /ONECORE_NAIVE_TZ must be an IANA time zone/,
    );
  });
});
