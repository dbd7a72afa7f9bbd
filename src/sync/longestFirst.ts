import type { Queryable } from '../db/sql/queryable.js';
import { lastWalkPages } from '../db/sql/lastWalkPages.js';

/**
 * The endpoints in the order to start their walks: the longest walk (pages of its last complete
 * mirror) first. A walk is serial — each page's cursor comes from the page before — so the
 * longest one sets the least time the whole run can take; started last, it would run alone at
 * the end while the request budget sits idle. Endpoints never walked to the end come first (a
 * first mirror of them may well be the longest); ties keep the given order.
 */
export async function longestFirst(db: Queryable, endpoints: string[]): Promise<string[]> {
  const pages = await lastWalkPages(
    db,
    endpoints.map((e) => e.toLowerCase()),
  );
  const weight = (e: string) => pages.get(e.toLowerCase()) ?? Number.POSITIVE_INFINITY;
  return endpoints
    .map((endpoint, i) => ({ endpoint, i, w: weight(endpoint) }))
    .sort((a, b) => (a.w === b.w ? a.i - b.i : b.w - a.w))
    .map((x) => x.endpoint);
}
