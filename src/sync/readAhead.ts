/**
 * Wraps an async iterator so that the next `depth` items (default 1) are already being fetched
 * while the consumer works on the current one: the next pages download while this page is written
 * to Postgres. The source is still read strictly in order, one item after the other (an async
 * generator queues the requests); `depth` only says how far it may run ahead of the consumer.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, depth = 1): AsyncGenerator<T> {
  // Depth 0: strictly on demand (a walk that may stop early must not ask for pages it will not use).
  if (depth <= 0) return yield* source;
  const it = source[Symbol.asyncIterator]();
  const pending: Promise<IteratorResult<T>>[] = [];
  const pull = () => {
    const next = it.next();
    // Keep an early rejection from being reported as unhandled; it is rethrown when awaited below.
    next.catch(() => undefined);
    pending.push(next);
  };
  for (let i = 0; i < Math.max(1, depth); i++) pull();
  try {
    for (;;) {
      const result = await pending.shift()!;
      if (result.done) return;
      pull();
      yield result.value;
    }
  } finally {
    // Do not wait for reads already under way (one may be sleeping out a Retry-After): close the
    // source once they settle. Callers abort their signal to cut them short.
    void Promise.allSettled(pending).then(() => it.return?.());
  }
}
