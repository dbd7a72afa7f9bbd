/**
 * Fault injection: what the network, a proxy or an overloaded back end can do to a response.
 * Random faults (seeded, so a chaos run is repeatable) or one-shot faults on the nth matching
 * request, for tests that need one exact failure at one exact point.
 */
import { Rng } from './random.js';

export type FaultKind =
  '429' | '500' | '502' | '503' | 'slow' | 'reset' | 'truncated' | 'malformed' | 'html' | 'empty' | 'loop';

export const FAULT_KINDS: readonly FaultKind[] = [
  '429',
  '500',
  '502',
  '503',
  'slow',
  'reset',
  'truncated',
  'malformed',
  'html',
  'empty',
  'loop',
];

export interface FaultConfig {
  /** Probability (0..1) that a matching request gets a fault. */
  rate: number;
  /** Kinds to draw from; default: all of FAULT_KINDS. */
  kinds?: FaultKind[];
  /** Retry-After for 429 (and 503 when given): seconds or an HTTP-date; default 1. */
  retryAfter?: string | number;
  /** Delay of `slow` faults, default 1000 ms. */
  slowMs?: number;
  /** Also apply to renewtokens POSTs (default: list GETs only). */
  includeRenew?: boolean;
}

export interface FaultOnceOptions {
  /** Endpoint name (e.g. 'orders', or 'renewtokens' for the renew route); default any list endpoint. */
  endpoint?: string;
  /** Fire on the nth matching request from now (1 = the next one). */
  nth?: number;
  retryAfter?: string | number;
  /** Delay of a `slow` fault. */
  delayMs?: number;
}

export interface FaultDecision {
  kind: FaultKind;
  /** Retry-After header value, when one is to be sent. */
  retryAfter?: string;
  delayMs: number;
}

export const RENEW_ENDPOINT = 'renewtokens';
const DEFAULT_SLOW_MS = 1000;

interface Pending {
  kind: FaultKind;
  endpoint?: string;
  remaining: number;
  retryAfter?: string | number;
  delayMs?: number;
}

export class FaultController {
  private config: FaultConfig | null = null;
  private pending: Pending[] = [];
  private readonly rng: Rng;
  readonly injected: Record<FaultKind, number>;

  constructor(seed: number) {
    this.rng = Rng.derive(seed, 'faults');
    this.injected = emptyCounts();
  }

  set(config: FaultConfig): void {
    if (!(config.rate >= 0 && config.rate <= 1)) throw new Error('simulator: fault rate must be within 0..1');
    for (const k of config.kinds ?? [])
      if (!FAULT_KINDS.includes(k)) throw new Error(`simulator: unknown fault kind ${k}`);
    this.config = { ...config };
  }

  once(kind: FaultKind, opts: FaultOnceOptions = {}): void {
    if (!FAULT_KINDS.includes(kind)) throw new Error(`simulator: unknown fault kind ${kind}`);
    this.pending.push({
      kind,
      endpoint: opts.endpoint?.toLowerCase(),
      remaining: Math.max(1, opts.nth ?? 1),
      retryAfter: opts.retryAfter,
      delayMs: opts.delayMs,
    });
  }

  clear(): void {
    this.config = null;
    this.pending = [];
  }

  resetCounts(): void {
    for (const k of FAULT_KINDS) this.injected[k] = 0;
  }

  /** Decide whether this request (list `endpoint`, or RENEW_ENDPOINT) gets a fault. */
  decide(endpoint: string): FaultDecision | null {
    const isRenew = endpoint === RENEW_ENDPOINT;
    // One-shot faults first: every matching pending fault counts this request.
    let fired: Pending | null = null;
    for (const p of this.pending) {
      const matches = p.endpoint === undefined ? !isRenew : p.endpoint === endpoint;
      if (!matches) continue;
      p.remaining--;
      if (!fired && p.remaining <= 0) fired = p;
    }
    if (fired) {
      this.pending.splice(this.pending.indexOf(fired), 1);
      return this.record({
        kind: fired.kind,
        retryAfter: retryAfterFor(fired.kind, fired.retryAfter),
        delayMs: fired.delayMs ?? this.config?.slowMs ?? DEFAULT_SLOW_MS,
      });
    }
    const c = this.config;
    if (!c || c.rate <= 0 || (isRenew && !c.includeRenew)) return null;
    if (this.rng.next() >= c.rate) return null;
    const kinds = c.kinds && c.kinds.length > 0 ? c.kinds : FAULT_KINDS;
    const kind = this.rng.pick(kinds);
    return this.record({ kind, retryAfter: retryAfterFor(kind, c.retryAfter), delayMs: c.slowMs ?? DEFAULT_SLOW_MS });
  }

  private record(d: FaultDecision): FaultDecision {
    this.injected[d.kind]++;
    return d;
  }
}

/** 429 always carries Retry-After (default 1 s); 503 only when one was configured. */
function retryAfterFor(kind: FaultKind, value: string | number | undefined): string | undefined {
  if (kind === '429') return String(value ?? 1);
  if (kind === '503' && value !== undefined) return String(value);
  return undefined;
}

export function emptyCounts(): Record<FaultKind, number> {
  const out = {} as Record<FaultKind, number>;
  for (const k of FAULT_KINDS) out[k] = 0;
  return out;
}
