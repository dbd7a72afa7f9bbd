/**
 * Seeded randomness for the simulator.
 *
 * Every random choice that shapes served data goes through a seeded PRNG so that two simulators
 * started with the same seed serve byte-identical data (tests compare against `truth()` and the
 * benchmark must be repeatable). Independent concerns (each endpoint's records, faults, refresh
 * tokens) get their own stream derived from the seed, so e.g. inserting orders or injecting a
 * fault never shifts what `products` looks like.
 */

/** mulberry32: tiny, fast, good enough for test data (not for cryptography). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a 32-bit: stable string → number, used to derive per-purpose seeds. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Seed for one independent stream ("records:orders", "faults", ...). */
export function deriveSeed(seed: number, label: string): number {
  return hashString(`${seed >>> 0}:${label}`);
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export class Rng {
  private readonly nextFn: () => number;

  constructor(seed: number) {
    this.nextFn = mulberry32(seed);
  }

  static derive(seed: number, label: string): Rng {
    return new Rng(deriveSeed(seed, label));
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextFn();
  }

  /** Integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.nextFn() * (max - min + 1));
  }

  /** Decimal in [min, max] rounded to `decimals` places (money, weights). */
  decimal(min: number, max: number, decimals = 2): number {
    const f = 10 ** decimals;
    return Math.round((min + this.nextFn() * (max - min)) * f) / f;
  }

  chance(p: number): boolean {
    return this.nextFn() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() from an empty list');
    // In range: 0 ≤ index < length, and the list is not empty.
    return items[Math.floor(this.nextFn() * items.length)] as T;
  }

  /** Random base64url text, e.g. for refresh tokens. */
  token(length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += BASE64URL[Math.floor(this.nextFn() * 64)];
    return s;
  }
}
