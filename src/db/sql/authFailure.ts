import type { Queryable } from './queryable.js';

/**
 * The recorded authentication failure on `onecore_sync.credentials` (one row, id = 1): the shop
 * refused every refresh token we hold. Kept in Postgres because it must outlive Redis and reach
 * every worker: the whole fleet pauses until an operator stores a new token (`token set`, or a
 * renewal that succeeds, clears it).
 */
export interface AuthFailure {
  at: Date;
  reason: string;
}

/**
 * Records a refusal: by the token service when the shop refused renewal, and by the worker when a
 * job met it. The first failure's time and reason are kept (the token service's verdict on the
 * token, not a job's later echo of it); `updated_at` marks the latest attempt, which paces the
 * re-tries while paused. The access token goes too: it belongs to the credentials just refused.
 */
export async function recordAuthFailure(db: Queryable, reason: string): Promise<void> {
  await db.query(
    `update onecore_sync.credentials
        set auth_failed_at = coalesce(auth_failed_at, now()),
            auth_failed_reason = case when auth_failed_at is null then $1 else coalesce(auth_failed_reason, $1) end,
            access_token = null, access_token_expires_at = null, updated_at = now()
      where id = 1`,
    [reason],
  );
}

/** A re-try of the held tokens while paused ended without a verdict (transient): note the attempt. */
export async function touchAuthFailure(db: Queryable): Promise<void> {
  await db.query(`update onecore_sync.credentials set updated_at = now() where id = 1 and auth_failed_at is not null`);
}

/** The recorded failure, or null (also when no credentials are stored yet). */
export async function readAuthFailure(db: Queryable): Promise<AuthFailure | null> {
  const row = await readAuthState(db);
  return row?.at ? { at: row.at, reason: row.reason ?? 'authentication failed' } : null;
}

/** The credentials row's failure columns; undefined when no credentials are stored yet. */
export async function readAuthState(db: Queryable): Promise<{ at: Date | null; reason: string | null } | undefined> {
  const { rows } = await db.query<{ at: Date | null; reason: string | null }>(
    `select auth_failed_at as at, auth_failed_reason as reason from onecore_sync.credentials where id = 1`,
  );
  return rows[0];
}

/** While paused: whether the last attempt is at least `everyMs` ago (fleet-wide pacing of re-tries). */
export async function authRetryDue(db: Queryable, everyMs: number): Promise<boolean> {
  const { rows } = await db.query<{ due: boolean }>(
    `select auth_failed_at is not null and updated_at <= now() - make_interval(secs => $1) as due from onecore_sync.credentials where id = 1`,
    [everyMs / 1000],
  );
  return rows[0]?.due === true;
}
