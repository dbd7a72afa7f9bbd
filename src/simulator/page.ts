/**
 * Builds list response bodies from cached record JSON. Envelope keys, casing and the form of
 * next/previous links are configurable because the real V2 envelope is undocumented; clients
 * must cope with each variant.
 */
import { encodeCursor } from './cursor.js';
import type { PageSlice } from './store.js';
import type { EnvelopeOptions } from './types.js';

export interface RenderOptions {
  slice: PageSlice;
  /** Cursor texts for next/previous links (null → the link is null). */
  nextCursor: string | null;
  prevCursor: string | null;
  hasNext: boolean;
  hasPrevious: boolean;
  /** pageSize the client asked for explicitly (kept in full-URL links). */
  explicitPageSize?: number;
}

const COMMA = Buffer.from(',');

export class PageRenderer {
  private readonly open: Buffer;
  private readonly metaOpen: string;
  private readonly kHasPrevious: string;
  private readonly kNext: string;
  private readonly kPrevious: string;
  private readonly form: 'after' | 'query' | 'url';

  constructor(envelope: EnvelopeOptions, private readonly baseUrl: () => string) {
    const pascal = envelope.casing === 'pascal';
    const cased = (k: string) => (pascal ? k[0].toUpperCase() + k.slice(1) : k);
    this.open = Buffer.from(`{"${cased(envelope.recordsKey ?? 'items')}":[`);
    this.metaOpen = `],"${cased('metadata')}":{"${cased('hasNext')}":`;
    this.kHasPrevious = `,"${cased('hasPrevious')}":`;
    this.kNext = `,"${cased('next')}":`;
    this.kPrevious = `,"${cased('previous')}":`;
    this.form = envelope.next ?? 'after';
  }

  /** A next/previous link in the configured form, cursor URL-encoded. */
  link(endpoint: string, param: 'after' | 'before', cursor: string, explicitPageSize?: number): string {
    const pair = `${param}=${encodeURIComponent(cursor)}`;
    if (this.form === 'after') return pair;
    if (this.form === 'query') return `?${pair}`;
    return `${this.baseUrl()}/api/v2/${endpoint}?${pair}${explicitPageSize !== undefined ? `&pageSize=${explicitPageSize}` : ''}`;
  }

  /** The page body: cached record bytes joined with commas inside the envelope (one memcpy each). */
  render(endpoint: string, o: RenderOptions): Buffer {
    const entries = o.slice.entries;
    const parts: Buffer[] = new Array<Buffer>(entries.length * 2 + 1);
    parts[0] = this.open;
    let n = 1;
    for (let i = 0; i < entries.length; i++) {
      if (i > 0) parts[n++] = COMMA;
      parts[n++] = entries[i].json;
    }
    const next = o.nextCursor === null ? 'null' : JSON.stringify(this.link(endpoint, 'after', o.nextCursor, o.explicitPageSize));
    const prev = o.prevCursor === null ? 'null' : JSON.stringify(this.link(endpoint, 'before', o.prevCursor, o.explicitPageSize));
    parts[n++] = Buffer.from(`${this.metaOpen}${o.hasNext}${this.kHasPrevious}${o.hasPrevious}${this.kNext}${next}${this.kPrevious}${prev}}}`);
    parts.length = n;
    return Buffer.concat(parts);
  }
}

/**
 * Cursors for a page's links: the last/first record's seq, or for an empty page the boundary it
 * was asked for (so following the link still means "records after/before that point").
 */
export function linkCursors(slice: PageSlice, after: number | null, before: number | null): { next: string | null; prev: string | null } {
  const e = slice.entries;
  let next: string | null = null;
  let prev: string | null = null;
  if (slice.hasNext) next = encodeCursor(e.length > 0 ? e[e.length - 1].seq : Math.max(0, (before ?? 1) - 1));
  if (slice.hasPrevious) prev = encodeCursor(e.length > 0 ? e[0].seq : (after ?? 0) + 1);
  return { next, prev };
}
