/**
 * Wraps an async iterator so that item N+1 is already being fetched while the consumer works on
 * item N: the next page downloads while this page is written to Postgres.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  // Keep an early rejection from being reported as unhandled; it is rethrown when awaited below.
  next.catch(() => undefined);
  try {
    for (;;) {
      const result = await next;
      if (result.done) return;
      next = it.next();
      next.catch(() => undefined);
      yield result.value;
    }
  } finally {
    // Do not wait for a read already under way (it may be sleeping out a Retry-After): close the
    // source once it settles. Callers abort their signal to cut it short.
    void next.then(
      () => it.return?.(),
      () => undefined,
    );
  }
}
