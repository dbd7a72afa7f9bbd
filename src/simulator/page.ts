/**
 * Builds list response bodies from cached record JSON. Envelope keys, casing, where the records
 * and the metadata sit and the form of next/previous links are configurable because the real V2
 * envelope is undocumented; clients must cope with each variant.
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

export interface RenderedPage {
  body: Buffer;
  /** Extra response headers (an RFC 8288 `Link` with `links: 'header'`). */
  headers: Record<string, string>;
}

const COMMA = Buffer.from(',');

export class PageRenderer {
  private readonly open: Buffer;
  /** Closes the record array and any objects that hold it (a dotted recordsKey). */
  private readonly close: string;
  private readonly kMeta: string;
  private readonly kHasNext: string;
  private readonly kHasPrevious: string;
  private readonly kNext: string;
  private readonly kPrevious: string;
  private readonly form: NonNullable<EnvelopeOptions['next']>;
  private readonly inHeader: boolean;
  readonly bare: boolean;

  constructor(
    envelope: EnvelopeOptions,
    private readonly baseUrl: () => string,
  ) {
    const pascal = envelope.casing === 'pascal';
    const cased = (k: string) => (pascal ? k[0]!.toUpperCase() + k.slice(1) : k);
    const path = (envelope.recordsKey ?? 'items').split('.').map(cased);
    this.bare = envelope.bare === true;
    this.open = Buffer.from(this.bare ? '[' : path.map((k) => `{${JSON.stringify(k)}:`).join('') + '[');
    this.close = ']' + '}'.repeat(Math.max(0, path.length - 1));
    const metaKey = envelope.metaKey ?? 'metadata';
    this.kMeta = JSON.stringify(cased(metaKey));
    this.kHasNext = JSON.stringify(cased(metaKey === 'pageInfo' ? 'hasNextPage' : 'hasNext'));
    this.kHasPrevious = JSON.stringify(cased(metaKey === 'pageInfo' ? 'hasPreviousPage' : 'hasPrevious'));
    const nextKey = envelope.nextKey ?? 'next';
    this.kNext = JSON.stringify(cased(nextKey));
    this.kPrevious = JSON.stringify(
      cased(nextKey === 'next' ? 'previous' : nextKey === 'endCursor' ? 'startCursor' : 'previousCursor'),
    );
    // nextCursor/endCursor hold a bare cursor by nature.
    this.form = nextKey === 'next' ? (envelope.next ?? 'after') : 'cursor';
    this.inHeader = envelope.links === 'header';
  }

  /** A next/previous link in the configured form, cursor URL-encoded (a bare cursor as is). */
  link(endpoint: string, param: 'after' | 'before', cursor: string, explicitPageSize?: number): string {
    const pair = `${param}=${encodeURIComponent(cursor)}`;
    if (this.form === 'cursor') return cursor;
    if (this.form === 'after') return pair;
    if (this.form === 'query') return `?${pair}`;
    return this.url(endpoint, pair, explicitPageSize);
  }

  private url(endpoint: string, pair: string, explicitPageSize?: number): string {
    return `${this.baseUrl()}/api/v2/${endpoint}?${pair}${explicitPageSize !== undefined ? `&pageSize=${explicitPageSize}` : ''}`;
  }

  /** The page body: cached record bytes joined with commas inside the envelope (one memcpy each). */
  render(endpoint: string, o: RenderOptions): RenderedPage {
    const entries = o.slice.entries;
    const parts: Buffer[] = new Array<Buffer>(entries.length * 2 + 1);
    parts[0] = this.open;
    let n = 1;
    for (let i = 0; i < entries.length; i++) {
      if (i > 0) parts[n++] = COMMA;
      parts[n++] = entries[i]!.json;
    }
    const headers: Record<string, string> = {};
    if (this.bare) {
      parts[n++] = Buffer.from(']');
    } else if (this.inHeader) {
      // RFC 8288: the links travel in the header; the body keeps only the flags.
      const links: string[] = [];
      if (o.nextCursor !== null)
        links.push(
          `<${this.url(endpoint, `after=${encodeURIComponent(o.nextCursor)}`, o.explicitPageSize)}>; rel="next"`,
        );
      if (o.prevCursor !== null)
        links.push(
          `<${this.url(endpoint, `before=${encodeURIComponent(o.prevCursor)}`, o.explicitPageSize)}>; rel="prev"`,
        );
      if (links.length > 0) headers.Link = links.join(', ');
      parts[n++] = Buffer.from(
        `${this.close},${this.kMeta}:{${this.kHasNext}:${o.hasNext},${this.kHasPrevious}:${o.hasPrevious}}}`,
      );
    } else {
      const next =
        o.nextCursor === null ? 'null' : JSON.stringify(this.link(endpoint, 'after', o.nextCursor, o.explicitPageSize));
      const prev =
        o.prevCursor === null
          ? 'null'
          : JSON.stringify(this.link(endpoint, 'before', o.prevCursor, o.explicitPageSize));
      parts[n++] = Buffer.from(
        `${this.close},${this.kMeta}:{${this.kHasNext}:${o.hasNext},${this.kHasPrevious}:${o.hasPrevious},${this.kNext}:${next},${this.kPrevious}:${prev}}}`,
      );
    }
    parts.length = n;
    return { body: Buffer.concat(parts), headers };
  }
}

/**
 * Cursors for a page's links: the last/first record's seq, or for an empty page the boundary it
 * was asked for (so following the link still means "records after/before that point" in listing
 * order, which descends for newest-first lists).
 */
export function linkCursors(
  slice: PageSlice,
  after: number | null,
  before: number | null,
  newestFirst = false,
): { next: string | null; prev: string | null } {
  const e = slice.entries;
  let next: string | null = null;
  let prev: string | null = null;
  const step = newestFirst ? -1 : 1;
  if (slice.hasNext)
    next = encodeCursor(e.length > 0 ? e[e.length - 1]!.seq : Math.max(0, (before ?? (newestFirst ? -1 : 1)) - step));
  if (slice.hasPrevious) prev = encodeCursor(e.length > 0 ? e[0]!.seq : Math.max(0, (after ?? 0) + step));
  return { next, prev };
}
