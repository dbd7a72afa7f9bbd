import type { OneCoreClient } from '../onecore/client.js';
import { NotFound } from '../onecore/errors.js';
import type { Page } from '../onecore/page.js';
import { walkPages } from '../onecore/pager.js';

/**
 * The pages of a per-parent list (`ordershipments/{orderId}/list`): the child list of every parent
 * key, one parent after the other, in key order, as one walk. Each page's cursor names its parent
 * and the parent's own cursor (`["123", "after-cursor"]` as JSON), so a walk resumes at the parent
 * and page where it stopped. The last page of a parent links to the next parent's first page; only
 * the last parent's last page ends the walk. A parent that answers 404 (gone since it was stored)
 * yields one empty page marked `parentGone` and the walk goes on.
 */
export async function* childPages(
  client: Pick<OneCoreClient, 'fetchPage'>,
  endpoint: string,
  path: string,
  parentIds: string[],
  from: string | null,
  signal?: AbortSignal,
  opts: { maxPages?: number } = {},
): AsyncGenerator<Page> {
  const start = decodeChildCursor(from);
  // Keys in the order Postgres sorts them with `collate "C"` (byte order), which JS string order matches for the keys we store.
  let i = start === null ? 0 : parentIds.findIndex((id) => id >= start.parent);
  if (i < 0) i = parentIds.length;
  for (; i < parentIds.length; i++) {
    const parent = parentIds[i]!;
    const fromCursor = start !== null && parent === start.parent ? start.cursor : null;
    const nextParent = parentIds[i + 1];
    const childPath = path.replace(/\{[^}]+\}/, encodeURIComponent(parent));
    const adapter = {
      fetchPage: (e: string, c: string | null, s?: AbortSignal) => client.fetchPage(e, c, s, childPath),
    };
    try {
      for await (const page of walkPages(adapter, endpoint, fromCursor, signal, opts)) {
        const last = !page.hasNext || page.next === null;
        yield {
          ...page,
          parentId: parent,
          cursor: encodeChildCursor(parent, page.cursor),
          next: !last
            ? encodeChildCursor(parent, page.next)
            : nextParent !== undefined
              ? encodeChildCursor(nextParent, null)
              : null,
          hasNext: !last || nextParent !== undefined,
        };
      }
    } catch (err) {
      if (!(err instanceof NotFound)) throw err;
      yield {
        records: [],
        parentId: parent,
        parentGone: true,
        cursor: encodeChildCursor(parent, fromCursor),
        next: nextParent !== undefined ? encodeChildCursor(nextParent, null) : null,
        hasNext: nextParent !== undefined,
      };
    }
  }
}

export function encodeChildCursor(parent: string, cursor: string | null): string {
  return JSON.stringify([parent, cursor]);
}

/** A stored child cursor; null for the beginning. A cursor of another shape (stale) starts at the beginning. */
export function decodeChildCursor(text: string | null): { parent: string; cursor: string | null } | null {
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'string' && (typeof v[1] === 'string' || v[1] === null))
      return { parent: v[0], cursor: v[1] };
  } catch {
    // fall through
  }
  return null;
}
