import type { Queryable } from './queryable.js';

/**
 * Takes the next turn of `key`, one every `intervalSecs` across every process; returns how long
 * to wait for it, in ms. Committed without waiting for the WAL flush (synchronous_commit off, for
 * this statement's transaction only): every request takes a turn, and a flush per turn would add
 * a disk sync to every request's round trip. A crash loses at most the last few turns'
 * reservations, which only lets the next requests go a few intervals early once.
 */
export async function takeTurn(db: Queryable, key: string, intervalSecs: number): Promise<number> {
  const { rows } = await db.query<{ wait_ms: number }>(
    `insert into onecore_sync.rate_limits as r (key, next_at)
          select $1, clock_timestamp() + make_interval(secs => $2)
            from (select set_config('synchronous_commit', 'off', true)) as async_commit
     on conflict (key) do update
          set next_at = greatest(r.next_at, clock_timestamp()) + make_interval(secs => $2)
     returning greatest(0, extract(epoch from (r.next_at - make_interval(secs => $2) - clock_timestamp())) * 1000)::float8 as wait_ms`,
    [key, intervalSecs],
  );
  return rows[0]?.wait_ms ?? 0;
}

/** No turn of `key` before `ms` from now (the shop asked us to wait). */
export async function holdTurns(db: Queryable, key: string, ms: number): Promise<void> {
  await db.query(
    `insert into onecore_sync.rate_limits as r (key, next_at)
          values ($1, clock_timestamp() + make_interval(secs => $2))
     on conflict (key) do update set next_at = greatest(r.next_at, clock_timestamp() + make_interval(secs => $2))`,
    [key, ms / 1000],
  );
}
