import type { Queryable } from './queryable.js';
import type { checkpoints } from '../schema.js';

export type Mode = 'incremental' | 'mirror' | 'backfill';

export type Checkpoint = Omit<typeof checkpoints.$inferSelect, 'mode' | 'updatedAt'> & { mode: Mode };

export async function readCheckpoint(db: Queryable, endpoint: string, mode: Mode): Promise<Checkpoint | undefined> {
  const { rows } = await db.query<Checkpoint>(
    `select endpoint, mode, cursor, walk_id::float8 as "walkId", walk_started_at as "walkStartedAt", request_id as "requestId",
            completed_at as "completedAt", pages, records::float8 as records
       from onecore_sync.checkpoints where endpoint = $1 and mode = $2`,
    [endpoint, mode],
  );
  return rows[0];
}

/** Starts a walk: a fresh walk id, the given start cursor, nothing completed yet. */
export async function beginWalk(
  db: Queryable,
  endpoint: string,
  mode: Mode,
  cursor: string | null,
  requestId: string | null,
): Promise<Checkpoint> {
  const { rows } = await db.query<{ walkId: number; walkStartedAt: Date }>(
    `insert into onecore_sync.checkpoints as c (endpoint, mode, cursor, walk_id, walk_started_at, request_id, completed_at, pages, records, updated_at)
     values ($1, $2, $3, nextval('onecore_sync.walk_ids'), now(), $4, null, 0, 0, now())
     on conflict (endpoint, mode) do update
        set cursor = excluded.cursor, walk_id = excluded.walk_id, walk_started_at = excluded.walk_started_at,
            request_id = excluded.request_id, completed_at = null, pages = 0, records = 0, updated_at = now()
     returning walk_id::float8 as "walkId", walk_started_at as "walkStartedAt"`,
    [endpoint, mode, cursor, requestId],
  );
  return {
    endpoint,
    mode,
    cursor,
    walkId: rows[0]!.walkId,
    walkStartedAt: rows[0]!.walkStartedAt,
    requestId,
    completedAt: null,
    pages: 0,
    records: 0,
  };
}

export async function completeWalk(db: Queryable, endpoint: string, mode: Mode): Promise<void> {
  await db.query(
    `update onecore_sync.checkpoints set completed_at = now(), updated_at = now() where endpoint = $1 and mode = $2`,
    [endpoint, mode],
  );
}

/** Sets a cursor without a walk (incremental, and a completed mirror moving it). */
export async function setCursor(db: Queryable, endpoint: string, mode: Mode, cursor: string | null): Promise<void> {
  await db.query(
    `insert into onecore_sync.checkpoints (endpoint, mode, cursor, updated_at) values ($1, $2, $3, now())
     on conflict (endpoint, mode) do update set cursor = excluded.cursor, updated_at = now()`,
    [endpoint, mode, cursor],
  );
}

/** Drops the walk from a checkpoint, keeping its cursor (an incremental that is no longer walked newest-first). */
export async function forgetWalk(db: Queryable, endpoint: string, mode: Mode): Promise<void> {
  await db.query(
    `update onecore_sync.checkpoints set walk_id = null, walk_started_at = null, completed_at = null, updated_at = now() where endpoint = $1 and mode = $2`,
    [endpoint, mode],
  );
}
