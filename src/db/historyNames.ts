import { createHash } from 'node:crypto';
import { quoteIdent } from './quoteIdent.js';

/** `onecore_history."orders"`: every version of an endpoint's records. */
export function historyTable(endpoint: string): string {
  return `onecore_history.${quoteIdent(endpoint.toLowerCase())}`;
}

/** `onecore_history."orders_as_of"`: the endpoint's records as they were at a given moment. */
export function asOfFunction(endpoint: string): string {
  return `onecore_history.${quoteIdent(derivedName(endpoint, '_as_of'))}`;
}

/**
 * The index that allows one current version per key. Indexes share their schema's namespace with
 * tables: the `#` (never in an endpoint name) keeps it from colliding with another endpoint's table.
 */
export function currentIndexName(endpoint: string): string {
  return quoteIdent(derivedName(endpoint, '#current'));
}

/**
 * `<endpoint><suffix>`, within Postgres' 63-byte identifier limit: a long endpoint name (up to 63
 * is allowed) is shortened and made unique with a hash of the full name rather than truncated
 * silently by Postgres (which could make two endpoints collide).
 */
export function derivedName(endpoint: string, suffix: string): string {
  const name = endpoint.toLowerCase();
  if (Buffer.byteLength(name + suffix) <= 63) return name + suffix;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, 63 - suffix.length - 9)}_${hash}${suffix}`;
}
