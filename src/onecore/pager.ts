import type { OneCoreClient } from './client.js';
import { PagingLimit, PagingLoop } from './errors.js';
import type { Page } from './page.js';

/**
 * The pages of one endpoint from `fromCursor` (null = the beginning), in order, each with the
 * cursor that fetched it and the next one; it ends after a page whose hasNext is false.
 *
 * A broken server can link back to a page already read; following it would never end and would
 * store the same records forever. So a cursor met twice in one walk stops the walk with
 * PagingLoop, before that page is fetched again — whichever earlier cursor it is, not only the
 * previous one. A server that invents a new cursor for every page forever is stopped by
 * `maxPages` (ONECORE_MAX_PAGES_PER_WALK) with PagingLimit. (Prefetching is the engine's business.)
 */
export async function* walkPages(
  client: Pick<OneCoreClient, 'fetchPage'>,
  endpoint: string,
  fromCursor: string | null,
  signal?: AbortSignal,
  opts: { maxPages?: number } = {},
): AsyncGenerator<Page> {
  const maxPages = opts.maxPages ?? Infinity;
  const seen = new Set<string | null>([fromCursor]);
  let cursor = fromCursor;
  let pages = 0;
  for (;;) {
    signal?.throwIfAborted();
    const page = await client.fetchPage(endpoint, cursor, signal);
    pages += 1;
    yield page;
    if (!page.hasNext || page.next === null) return;
    if (seen.has(page.next)) throw new PagingLoop({ endpoint, cursor: page.next, pages });
    if (pages >= maxPages) throw new PagingLimit({ endpoint, pages });
    seen.add(page.next);
    cursor = page.next;
  }
}
