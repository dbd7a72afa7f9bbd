/**
 * Benchmark of the date-time normalizer over realistic order records.
 *
 *   node --import tsx bench/normalizeDates.bench.ts [records=100000] [runs=5]
 *
 * Walks every record with `normalizeRecord` (the hand-written fast path) and with the same walker
 * driven by `normalizeDateTimeWithLuxon`, and reports the median of the runs. Each record holds ~15
 * strings, ~5 of them date-times in the forms a .NET API emits (DateTimeOffset with 7 fraction
 * digits and an offset, `Z`, unspecified-kind without zone, no fraction), besides date-only strings,
 * codes and free text.
 */
import { performance } from 'node:perf_hooks';
import {
  normalizeDateTime,
  normalizeDateTimeWithLuxon,
  normalizeRecord,
  normalizeRecordWith,
} from '../src/sync/normalizeDates.js';
import { mulberry32 } from '../src/simulator/random.js';

const RECORDS = Number(process.argv[2] ?? 100_000);
const RUNS = Number(process.argv[3] ?? 5);
const TARGET_STRINGS_PER_SECOND = 1_000_000;

/** Deterministic PRNG, the simulator's (mulberry32) so every run walks the same data. */
const rng = mulberry32;

const random = rng(1);
const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(xs: readonly [T, ...T[]]): T => xs[Math.floor(random() * xs.length)] ?? xs[0];
const p2 = (n: number): string => String(n).padStart(2, '0');
const fraction7 = (): string => String(int(0, 9_999_999)).padStart(7, '0');

function dateTime(form: 'offset7' | 'z' | 'local7' | 'offset0' | 'z3'): string {
  const base = `${int(2015, 2025)}-${p2(int(1, 12))}-${p2(int(1, 28))}T${p2(int(0, 23))}:${p2(int(0, 59))}:${p2(int(0, 59))}`;
  switch (form) {
    case 'offset7':
      return `${base}.${fraction7()}${pick(['+01:00', '+02:00', '-05:00', '+05:30', '+00:00'])}`;
    case 'z':
      return `${base}Z`;
    case 'local7':
      return `${base}.${fraction7()}`;
    case 'offset0':
      return `${base}${pick(['+01:00', '-04:00', '+09:00'])}`;
    case 'z3':
      return `${base}.${String(int(0, 999)).padStart(3, '0')}Z`;
  }
}

const CITIES = ['Berlin', 'Hamburg', 'München', 'Köln', 'Wien', 'Zürich'] as const;
const STATUSES = ['Open', 'Paid', 'Shipped', 'Cancelled'] as const;

function address() {
  return {
    street: `Hauptstraße ${int(1, 200)}`,
    zip: String(int(10000, 99999)),
    city: pick(CITIES),
    country: pick(['DE', 'AT', 'CH']),
  };
}

function order(i: number) {
  const lineCount = int(1, 3);
  return {
    id: i,
    orderNumber: `SO-${100000 + i}`,
    status: pick(STATUSES),
    createdAt: dateTime('offset7'), // DateTimeOffset: 7 digits and an offset
    updatedAt: dateTime('z'), // already canonical
    paidAt: random() < 0.8 ? dateTime('local7') : null, // DateTime of unspecified kind
    invoicedAt: dateTime('offset0'),
    deliveryDate: `2024-${p2(int(1, 12))}-${p2(int(1, 28))}`, // date only: left alone
    total: int(100, 100_000) / 100,
    customer: { id: int(1, 50_000), name: `Customer ${i}`, email: `c${i}@example.com` },
    shipping: address(),
    lines: Array.from({ length: lineCount }, (_, n) => ({
      sku: `SKU-${int(1000, 9999)}`,
      quantity: int(1, 5),
      price: int(100, 10_000) / 100,
      ...(n === 0 ? { shippedAt: dateTime(pick(['offset0', 'z3'] as const)) } : {}),
    })),
  };
}

function countStrings(value: unknown, isDate: (s: string) => boolean): { strings: number; dates: number } {
  let strings = 0;
  let dates = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      strings++;
      if (isDate(v)) dates++;
    } else if (typeof v === 'object' && v !== null) {
      for (const x of Object.values(v)) stack.push(x);
    }
  }
  return { strings, dates };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = (i: number): number => s[i] ?? NaN;
  return s.length % 2 === 1 ? at((s.length - 1) / 2) : (at(s.length / 2 - 1) + at(s.length / 2)) / 2;
}

function time(label: string, walk: (r: unknown) => { changed: number }, records: unknown[]): number {
  // Warm-up on a slice so the JIT has seen the code, then the timed runs over everything.
  for (let i = 0; i < Math.min(records.length, 20_000); i++) walk(records[i]);
  const seconds: number[] = [];
  let changed = 0;
  for (let run = 0; run < RUNS; run++) {
    changed = 0;
    const start = performance.now();
    for (let i = 0; i < records.length; i++) changed += walk(records[i]).changed;
    seconds.push((performance.now() - start) / 1000);
  }
  const perRun = seconds.map((s) => s.toFixed(3)).join(', ');
  console.log(`${label}: runs (s) ${perRun}; strings rewritten per run ${changed}`);
  return median(seconds);
}

const records = Array.from({ length: RECORDS }, (_, i) => order(i));
const { strings, dates } = countStrings(records, (s) => /^\d{4}-\d{2}-\d{2}T/.test(s));
console.log(
  `${RECORDS} records, ${strings} strings (${(strings / RECORDS).toFixed(1)}/record), ` +
    `${dates} date-times (${(dates / RECORDS).toFixed(1)}/record); median of ${RUNS} runs; node ${process.version}`,
);

// Both paths must produce the same records, or the comparison means nothing.
for (let i = 0; i < Math.min(RECORDS, 5_000); i++) {
  const a = JSON.stringify(normalizeRecord(records[i]).value);
  const b = JSON.stringify(normalizeRecordWith(records[i], normalizeDateTimeWithLuxon).value);
  if (a !== b) throw new Error(`fast and luxon paths disagree on record ${i}:\n${a}\n${b}`);
}

const fast = time('fast  ', normalizeRecord, records);
const flat: string[] = [];
for (const r of records) {
  const stack: unknown[] = [r];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') flat.push(v);
    else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) stack.push(x);
  }
}
const bare = time(
  'bare  ',
  () => {
    let n = 0;
    for (const text of flat) if (normalizeDateTime(text) !== text) n++;
    return { changed: n };
  },
  [null],
);
const luxon = time('luxon ', (r) => normalizeRecordWith(r, normalizeDateTimeWithLuxon), records);

const row = (label: string, s: number): string =>
  `${label} ${Math.round(RECORDS / s)
    .toLocaleString('en-US')
    .padStart(11)} records/s  ` +
  `${Math.round(strings / s)
    .toLocaleString('en-US')
    .padStart(12)} strings/s  ` +
  `${Math.round(dates / s)
    .toLocaleString('en-US')
    .padStart(11)} date-times/s  (${(s * 1000).toFixed(0)} ms/run)`;
console.log('');
console.log(row('fast  (normalizeRecord)                 ', fast));
console.log(row('luxon (normalizeDateTimeWithLuxon walk) ', luxon));
console.log(
  `normalizeDateTime alone over the same strings (no walk): ${Math.round(strings / bare).toLocaleString('en-US')} strings/s`,
);
console.log(`fast path is ${(luxon / fast).toFixed(1)}x faster`);
const stringsPerSecond = strings / fast;
console.log(
  `target ≥ ${TARGET_STRINGS_PER_SECOND.toLocaleString('en-US')} strings/s: ` +
    (stringsPerSecond >= TARGET_STRINGS_PER_SECOND ? 'met' : 'NOT met'),
);
