/**
 * One endpoint's records, in page order, with each record's JSON text cached.
 *
 * Serving a page must be cheap (the benchmark walks 100k+ records), so every record is serialized
 * once, when it is generated or changed, and pages are built by joining cached strings. Order is
 * by a per-endpoint sequence number assigned on insert: appends get the next number, updates keep
 * theirs (same position), removals leave a gap. Cursors carry a sequence number, so a cursor stays
 * meaningful even when its record has since been removed.
 */
import type { EndpointDef, RecordContext } from './records.js';
import { Rng } from './random.js';
import { dialectKeyField, dialectModifiedField, fromDialect, renameKey, toDialect, type Dialect } from './dialect.js';

export type ListOrder = 'oldest-first' | 'newest-first';

export interface StoreOptions {
  dialect?: Dialect;
  /** newest-first: pages start at the newest record, and `after` walks towards older ones. */
  order?: ListOrder;
  /** Serve the key under this name instead (e.g. `InvoiceId`). */
  keyField?: string;
}

export interface Entry {
  seq: number;
  /** String form of the key field's value; undefined for malformed records without one. */
  key: string | undefined;
  /** The record's JSON as UTF-8 bytes: pages are a Buffer.concat of these, no re-encoding. */
  json: Buffer;
}

export interface PageSlice {
  entries: Entry[];
  hasNext: boolean;
  hasPrevious: boolean;
}

/** Generated data starts here, so values are stable and never depend on the wall clock. */
const EPOCH = Date.UTC(2022, 0, 1, 6, 0, 0);

export class EndpointStore {
  private readonly entries: Entry[] = [];
  private readonly byKey = new Map<string, Entry>();
  private nextSeq = 1;
  private initialized = false;
  private readonly rng: Rng;
  /** Simulated "now": advances with each generated record and each update. */
  private clock = EPOCH;
  /** Latest created/modified instant handed out; later changes must be newer than this. */
  private latest = EPOCH;
  readonly dialect: Dialect;
  readonly order: ListOrder;
  /** The key field as served. */
  readonly keyField: string;
  private readonly dialectKey: string;

  constructor(
    readonly def: EndpointDef,
    seed: number,
    private readonly initialCount: number,
    private readonly population: (endpoint: string) => number,
    options: StoreOptions = {},
  ) {
    this.rng = Rng.derive(seed, `records:${def.name}`);
    this.dialect = options.dialect ?? 'camel';
    this.order = options.order ?? 'oldest-first';
    this.dialectKey = dialectKeyField(def, this.dialect);
    this.keyField = options.keyField ?? this.dialectKey;
  }

  /** A generated record as served: in the dialect, the key under its configured name. */
  private served(rec: Record<string, unknown>, seq: number): Record<string, unknown> {
    return renameKey(toDialect(rec, this.def, this.dialect, seq), this.dialectKey, this.keyField);
  }

  /**
   * Records are generated on first use, not at start: a simulator with 100k records per endpoint
   * starts instantly and only pays for the endpoints a test touches. Each endpoint has its own
   * PRNG stream, so the result does not depend on the order endpoints are first used.
   */
  private ensure(): void {
    if (this.initialized) return;
    this.initialized = true;
    for (let i = 0; i < this.initialCount; i++) this.generateOne(true);
  }

  private context(seq: number, created: number, modified: number): RecordContext {
    return { rng: this.rng, seq, created, modified, population: this.population };
  }

  private generateOne(initial: boolean): Record<string, unknown> {
    const seq = this.nextSeq;
    let created: number;
    let modified: number;
    if (initial) {
      // A history: records created minutes apart, some modified up to 20 days later.
      created = this.clock += this.rng.int(60_000, 30 * 60_000);
      modified = this.rng.chance(0.5) ? created : created + this.rng.int(60_000, 20 * 86_400_000);
    } else {
      // Inserted while running: newer than anything served so far.
      created = modified = this.latest + this.rng.int(60_000, 10 * 60_000);
    }
    this.latest = Math.max(this.latest, modified, created);
    const rec = this.served(this.def.generate(this.context(seq, created, modified)), seq);
    this.append(rec);
    return rec;
  }

  private append(value: unknown): Entry {
    const seq = this.nextSeq++;
    const key = keyOf(value, this.keyField);
    // JSON.stringify(undefined) is undefined: serve such a value as null rather than break the page.
    const entry: Entry = { seq, key, json: Buffer.from(JSON.stringify(value) ?? 'null') };
    this.entries.push(entry);
    if (key !== undefined) this.byKey.set(key, entry);
    return entry;
  }

  insert(count: number): Record<string, unknown>[] {
    this.ensure();
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < count; i++) out.push(this.generateOne(false));
    // Hand back copies, so the caller cannot alter served data by mutating them.
    return out.map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>);
  }

  insertRaw(value: unknown): void {
    this.ensure();
    this.append(value);
  }

  /**
   * Appends a record given as its exact JSON text or bytes, served verbatim: numbers a double
   * cannot hold, bytes that are not UTF-8, whatever a test needs the client to meet.
   */
  insertText(text: string | Buffer): void {
    this.ensure();
    const json = typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text);
    let key: string | undefined;
    try {
      key = keyOf(JSON.parse(json.toString('utf8')), this.def.keyField);
    } catch {
      key = undefined;
    }
    const entry: Entry = { seq: this.nextSeq++, key, json };
    this.entries.push(entry);
    if (key !== undefined) this.byKey.set(key, entry);
  }

  update(id: string, patch?: Record<string, unknown>): void {
    this.ensure();
    const entry = this.byKey.get(String(id));
    if (!entry) throw new Error(`simulator: ${this.def.name} has no record with ${this.keyField} ${id}`);
    const rec = JSON.parse(entry.json.toString()) as unknown;
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec))
      throw new Error(`simulator: record ${id} is not an object`);
    let obj = rec as Record<string, unknown>;
    if (patch) {
      Object.assign(obj, patch);
    } else {
      const modified = (this.latest += 60_000);
      // The ISO-Z form, so a plain "newer modified" check always sees the bump.
      obj[dialectModifiedField(this.def, this.dialect)] = new Date(modified).toISOString().replace('.000Z', 'Z');
      // The generator changes a business field in its own form; the record goes back into the dialect.
      const own = fromDialect(renameKey(obj, this.keyField, this.dialectKey), this.def, this.dialect);
      this.def.touch(own, this.context(entry.seq, modified, modified));
      obj = this.dialect === 'camel' ? renameKey(own, this.dialectKey, this.keyField) : this.served(own, entry.seq);
    }
    entry.json = Buffer.from(JSON.stringify(obj));
    const newKey = keyOf(obj, this.keyField);
    if (newKey !== entry.key) {
      if (entry.key !== undefined && this.byKey.get(entry.key) === entry) this.byKey.delete(entry.key);
      entry.key = newKey;
      if (newKey !== undefined) this.byKey.set(newKey, entry);
    }
  }

  remove(id: string): void {
    this.ensure();
    const entry = this.byKey.get(String(id));
    if (!entry) throw new Error(`simulator: ${this.def.name} has no record with ${this.keyField} ${id}`);
    this.byKey.delete(String(id));
    const i = this.lowerBound(entry.seq);
    if (this.entries[i] === entry) this.entries.splice(i, 1);
  }

  get(id: string): Entry | undefined {
    this.ensure();
    return this.byKey.get(id);
  }

  get size(): number {
    this.ensure();
    return this.entries.length;
  }

  truth(): unknown[] {
    this.ensure();
    return this.entries.map((e) => JSON.parse(e.json.toString()) as unknown);
  }

  /** First index whose seq >= `seq` (entries are sorted by seq). */
  private lowerBound(seq: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.entries[mid]?.seq ?? Infinity) < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * A page: `after` → the `size` records that follow cursor `after` in listing order; `before` →
   * the `size` records just before cursor `before`; neither → the first page. Oldest-first lists
   * ascend by seq; newest-first lists descend, so new records appear on the first page.
   */
  page(after: number | null, before: number | null, size: number, limit?: number): PageSlice {
    this.ensure();
    if (this.order === 'newest-first') return this.newestFirstPage(after, before, size);
    // A listing cut short (a broken shop): only the first `limit` records exist as far as paging goes.
    const n = limit === undefined ? this.entries.length : Math.min(limit, this.entries.length);
    let start: number;
    let end: number;
    if (before !== null) {
      end = this.lowerBound(before);
      start = Math.max(0, end - size);
    } else {
      start = Math.min(n, after === null ? 0 : this.lowerBound(after + 1));
      end = Math.min(n, start + size);
    }
    return { entries: this.entries.slice(start, end), hasNext: end < n, hasPrevious: start > 0 };
  }

  /** Descending view: `after` X → seqs below X, newest first; `before` X → the seqs just above X. */
  private newestFirstPage(after: number | null, before: number | null, size: number): PageSlice {
    const n = this.entries.length;
    let lo: number; // ascending index range [lo, hi), served reversed
    let hi: number;
    if (before !== null) {
      lo = this.lowerBound(before + 1);
      hi = Math.min(n, lo + size);
    } else {
      hi = after === null ? n : this.lowerBound(after);
      lo = Math.max(0, hi - size);
    }
    return { entries: this.entries.slice(lo, hi).reverse(), hasNext: lo > 0, hasPrevious: hi < n };
  }
}

function keyOf(value: unknown, keyField: string): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const k = (value as Record<string, unknown>)[keyField];
  return typeof k === 'string' || typeof k === 'number' ? String(k) : undefined;
}
