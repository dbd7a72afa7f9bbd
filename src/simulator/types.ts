/** Public types of the simulator (re-exported from index.ts). */
import type { FaultConfig, FaultKind, FaultOnceOptions } from './faults.js';

export type { FaultConfig, FaultKind, FaultOnceOptions };

export interface EnvelopeOptions {
  /**
   * Name of the records array: 'items' (default), 'data', or a dotted path such as 'result.items'
   * (each part upper-cased first with pascal casing).
   */
  recordsKey?: string;
  /** Casing of envelope keys and of the renew response: 'camel' (default; 'pascal' with the pascal dialect) or 'pascal'. */
  casing?: 'camel' | 'pascal';
  /** Form of metadata.next/previous: 'after=C' (default), '?after=C', a full URL, or the bare cursor. */
  next?: 'after' | 'query' | 'url' | 'cursor';
  /** Name of the metadata object: 'metadata' (default), 'meta', 'pagination' or 'pageInfo' (then with hasNextPage). */
  metaKey?: 'metadata' | 'meta' | 'pagination' | 'pageInfo';
  /** Name of the next link: 'next' (default), or 'nextCursor' / 'endCursor' holding a bare cursor. */
  nextKey?: 'next' | 'nextCursor' | 'endCursor';
  /** 'header': next/previous as an RFC 8288 `Link` header instead of in the body. */
  links?: 'body' | 'header';
  /** The whole list as one bare JSON array, no envelope and no paging. */
  bare?: boolean;
}

export type { Dialect } from './dialect.js';
export type { ListOrder } from './store.js';

export interface SimulatorOptions {
  /** TCP port, default 0 (random). The host is always 127.0.0.1. */
  port?: number;
  /**
   * Records each list endpoint starts with (default 1000). A map gives per-endpoint counts;
   * endpoints it does not name get 1000.
   */
  records?: number | Partial<Record<string, number>>;
  /** PRNG seed, default 1: same seed → same data. */
  seed?: number;
  /** Refresh token accepted initially; default derived from the seed ('sim-refresh-…'). */
  refreshToken?: string;
  /** Default page size (100); a `pageSize` query parameter overrides it, capped at 1000. */
  pageSize?: number;
  /** Access token lifetime, default 3600; also the renew response's expiresIn. */
  accessTokenTtlSeconds?: number;
  /** A refresh token rotates once it has been active this long; default 5 days. */
  rotateAfterSeconds?: number;
  /** How long a rotated-out refresh token is still accepted; default 0. */
  rotationGraceSeconds?: number;
  envelope?: EnvelopeOptions;
  /**
   * 'camel' (default): camelCase records with string ids. 'pascal': PascalCase fields, integer `Id`
   * (and integer references), integer enums, PascalCase envelope and renew answer, ASP.NET problem
   * details for errors.
   */
  dialect?: import('./dialect.js').Dialect;
  /** 'oldest-first' (default) or 'newest-first': new records show up on the first page. */
  order?: import('./store.js').ListOrder;
  /** Serve an endpoint's key under another name, e.g. `{ invoices: 'InvoiceId' }`. */
  keyFields?: Partial<Record<string, string>>;
  /** Where the OpenAPI document is served; default '/swagger/v2/swagger.json'. */
  openapiPath?: string;
  /** Delay added to every list response, default 0: a shop on the other side of a network. */
  latencyMs?: number;
  /**
   * Up to this much more, drawn per response (uniformly, seeded), default 0: real round trips
   * vary, and a walker count tuned to one fixed latency would hide that.
   */
  latencyJitterMs?: number;
}

export interface EndpointInfo {
  name: string;
  /** The key field as served (dialect and keyFields applied). */
  keyField: string;
  forbidden: boolean;
}

export interface SimulatorStats {
  /** POSTs to renewtokens (v1 and v2), whatever their outcome. */
  renewCalls: number;
  /** Renew calls answered 401 (unknown or rotated-out refresh token). */
  renewRefused: number;
  /** Requests received per list endpoint (list and detail routes, any outcome, faults included). */
  requests: Record<string, number>;
  /** Data requests answered 401 (missing, V1-scheme, unknown or expired access token). */
  unauthorized: number;
  /** Requests answered 400 (bad cursor, bad pageSize, malformed renew body). */
  badRequests: number;
  faultsInjected: Record<FaultKind, number>;
  /** Refresh token rotations performed. */
  rotations: number;
  /**
   * When each list request arrived (Date.now(), in arrival order, list and detail routes, any
   * outcome): what a test counts per second to check a request cap from the shop's side.
   */
  requestTimes: number[];
}

export interface Simulator {
  /** 'http://127.0.0.1:PORT', no trailing slash. */
  readonly url: string;
  /** The refresh token currently accepted (changes on rotation). */
  readonly refreshToken: string;
  readonly endpoints: EndpointInfo[];
  /** Closes the server and every keep-alive socket. */
  close(): Promise<void>;

  /** Append `count` (default 1) generated records at the end; returns copies of them. */
  insert(endpoint: string, count?: number): Record<string, unknown>[];
  /** Append a given raw value as a record (may be malformed: no key, not an object, …). */
  insertRecord(endpoint: string, record: unknown): void;
  /** Append a record as its exact JSON text or bytes, served verbatim (big numbers, non-UTF-8 bytes, …). */
  insertRecordText(endpoint: string, text: string | Buffer): void;
  /**
   * How an endpoint's pages are sent: `declare` is the Content-Type's charset (null: none),
   * `encode` transcodes the page's (UTF-8) text into that encoding ('utf8' leaves the bytes as
   * they are). `null` restores the default (UTF-8, declared).
   */
  setCharset(
    endpoint: string,
    charset: { declare: string | null; encode?: 'utf8' | 'latin1' | 'utf16le' } | null,
  ): void;
  /** The listing ends early: pages stop (hasNext false) after the first `count` records; null lists all again. */
  limitListing(endpoint: string, count: number | null): void;
  /** Change a record in place (same position). Without a patch: bumps the modified field and one business field. */
  update(endpoint: string, id: string | number, patch?: Record<string, unknown>): void;
  remove(endpoint: string, id: string | number): void;
  /** Current records, in page order, exactly as served (parsed copies). */
  truth(endpoint: string): unknown[];
  /**
   * Current number of records (cheap). Records are generated lazily on an endpoint's first use;
   * calling this up front moves that cost out of a measured run.
   */
  count(endpoint: string): number;

  /** Every issued access token becomes expired. */
  expireAccessTokens(): void;
  /** The next renew with the current refresh token rotates it, whatever its age. */
  rotateNow(): void;
  /** Replace the accepted refresh token (no grace for the old one). */
  setRefreshToken(token: string): void;

  faults: {
    set(config: FaultConfig): void;
    once(kind: FaultKind, opts?: FaultOnceOptions): void;
    clear(): void;
  };
  stats(): SimulatorStats;
  resetStats(): void;
}
