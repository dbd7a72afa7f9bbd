import type { Queryable } from './queryable.js';

/** The cheapest round trip: whether Postgres answers on this pool or connection. */
export async function ping(db: Queryable): Promise<void> {
  await db.query('select 1');
}
