import type { Queryable } from './queryable.js';
import { recordTable } from '../quoteIdent.js';

/** What earlier walks established for an endpoint (see src/sync/mirrorSafety.ts). */
export interface MirrorBaseline {
  /** The most live records an accepted mirror has left; null before the first. */
  liveHighWater: number | null;
  /** Keys of the last records the last complete walk reached (up to LAST_KEYS). */
  lastKeys: string[];
}

/** How many of the last keys a walk reached are remembered. */
export const LAST_KEYS = 100;

export async function readBaseline(db: Queryable, endpoint: string): Promise<MirrorBaseline> {
  const { rows } = await db.query<{ live_high_water: number | null; last_keys: string[] | null }>(
    `select live_high_water::float8 as live_high_water, last_keys from onecore_sync.mirror_baselines where endpoint = $1`,
    [endpoint],
  );
  const r = rows[0];
  return { liveHighWater: r?.live_high_water ?? null, lastKeys: r?.last_keys ?? [] };
}

/** After a complete walk (incremental, or an accepted mirror): the last records it reached. */
export async function rememberLastKeys(db: Queryable, endpoint: string, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.query(
    `insert into onecore_sync.mirror_baselines (endpoint, last_keys, last_keys_at) values ($1, $2, now())
     on conflict (endpoint) do update set last_keys = excluded.last_keys, last_keys_at = now(), updated_at = now()`,
    [endpoint, keys],
  );
}

export async function setLiveHighWater(db: Queryable, endpoint: string, live: number): Promise<void> {
  await db.query(
    `insert into onecore_sync.mirror_baselines (endpoint, live_high_water) values ($1, $2)
     on conflict (endpoint) do update set live_high_water = excluded.live_high_water, updated_at = now()`,
    [endpoint, live],
  );
}

/**
 * Of the given keys (in listing order), the live rows a completed mirror walk could mark deleted
 * — not seen by it, and not written since it began — as one flag each, in that order.
 */
export async function lastKeysMissing(
  db: Queryable,
  endpoint: string,
  walkId: number,
  walkStartedAt: Date,
  keys: string[],
): Promise<Array<{ id: string; missing: boolean }>> {
  if (keys.length === 0) return [];
  const { rows } = await db.query<{ id: string; missing: boolean }>(
    `with seen as (select distinct unnest(ids) as id from onecore_sync.mirror_seen where walk_id = $1)
     select k.id, (s.id is null and r.synced_at < $2) as missing
       from unnest($3::text[]) with ordinality as k(id, n)
       join ${recordTable(endpoint)} r on r.id = k.id and r.deleted_at is null
       left join seen s on s.id = k.id
      order by k.n`,
    [walkId, walkStartedAt, keys],
  );
  return rows;
}
