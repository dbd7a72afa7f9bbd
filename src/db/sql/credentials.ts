import type { credentials } from '../schema.js';
import type { Queryable } from './queryable.js';

/**
 * The SQL on `onecore_sync.credentials` (one row, id = 1). The token service registers every
 * token it reads or writes here as a secret (src/onecore/secrets.ts), so that it is redacted
 * wherever it might later be echoed back in an error.
 */

export type CredentialsRow = Omit<typeof credentials.$inferSelect, 'id' | 'updatedAt'>;

const COLUMNS = `refresh_token as "refreshToken", previous_refresh_token as "previousRefreshToken",
  refresh_token_since as "refreshTokenSince", rotated_at as "rotatedAt", access_token as "accessToken",
  access_token_expires_at as "accessTokenExpiresAt", renewed_at as "renewedAt", renew_count::float8 as "renewCount",
  bootstrap_sha256 as "bootstrapSha256", source, auth_failed_at as "authFailedAt", auth_failed_reason as "authFailedReason"`;

/** The row, or null when no refresh token was ever stored. `forUpdate` locks it (inside a transaction). */
export async function readCredentials(db: Queryable, forUpdate = false): Promise<CredentialsRow | null> {
  const { rows } = await db.query<CredentialsRow>(
    `select ${COLUMNS} from onecore_sync.credentials where id = 1${forUpdate ? ' for update' : ''}`,
  );
  return rows[0] ?? null;
}

/**
 * An operator's (or the environment's) refresh token becomes the current one. The one it
 * replaces is kept as previous (tried once if the new one is refused: a mistyped token does not
 * stop a working sync), the access token is dropped (it may belong to another API user), and a
 * recorded authentication failure is cleared so scheduling resumes.
 */
export async function storeRefreshToken(
  db: Queryable,
  token: string,
  source: string,
  opts: { bootstrapSha256?: string | null } = {},
): Promise<void> {
  await db.query(
    `insert into onecore_sync.credentials as c (id, refresh_token, source, bootstrap_sha256)
          values (1, $1, $2, $3)
     on conflict (id) do update set
          previous_refresh_token = case when c.refresh_token = excluded.refresh_token then c.previous_refresh_token else c.refresh_token end,
          refresh_token = excluded.refresh_token,
          refresh_token_since = case when c.refresh_token = excluded.refresh_token then c.refresh_token_since else now() end,
          access_token = null,
          access_token_expires_at = null,
          source = excluded.source,
          bootstrap_sha256 = coalesce(excluded.bootstrap_sha256, c.bootstrap_sha256),
          auth_failed_at = null,
          auth_failed_reason = null,
          updated_at = now()`,
    [token, source, opts.bootstrapSha256 ?? null],
  );
}

/** The environment's refresh token (by its sha-256) is the one stored: remember that it was bootstrapped. */
export async function markBootstrapped(db: Queryable, sha256: string): Promise<void> {
  await db.query('update onecore_sync.credentials set bootstrap_sha256 = $1, updated_at = now() where id = 1', [
    sha256,
  ]);
}

/** A refresh token becomes the previous one (the current one stays): tried once if the current is refused. */
export async function keepAsPrevious(db: Queryable, token: string): Promise<void> {
  await db.query('update onecore_sync.credentials set previous_refresh_token = $1, updated_at = now() where id = 1', [
    token,
  ]);
}

export interface RenewedTokens {
  /** The refresh token the row held when the renewal started: the write happens only if it still does. */
  expected: string;
  refreshToken: string;
  previousRefreshToken: string | null;
  /** The refresh token changed (rotation, or a fallback to the previous one). */
  refreshChanged: boolean;
  rotated: boolean;
  source: string;
  accessToken: string;
  accessTokenExpiresAt: Date;
  renewedAt: Date;
}

/**
 * Stores a renewal's outcome in one autocommitted statement, the moment it arrives. A
 * compare-and-set on the refresh token: false when the row no longer holds `expected` (an
 * operator's `token set` came in between, and wins).
 */
export async function saveRenewal(db: Queryable, r: RenewedTokens): Promise<boolean> {
  const { rowCount } = await db.query(
    `update onecore_sync.credentials set
          refresh_token = $1,
          previous_refresh_token = $2,
          refresh_token_since = case when $3 then now() else refresh_token_since end,
          rotated_at = case when $4 then now() else rotated_at end,
          source = case when $3 then $5 else source end,
          access_token = $6,
          access_token_expires_at = $7,
          renewed_at = $8,
          renew_count = renew_count + 1,
          auth_failed_at = null,
          auth_failed_reason = null,
          updated_at = now()
      where id = 1 and refresh_token = $9`,
    [
      r.refreshToken,
      r.previousRefreshToken,
      r.refreshChanged,
      r.rotated,
      r.source,
      r.accessToken,
      r.accessTokenExpiresAt,
      r.renewedAt,
      r.expected,
    ],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * The shop rotated the refresh token but the rest of its answer is unusable: keep the new refresh
 * token anyway (the one we sent is dead now), without an access token.
 */
export async function saveRotation(
  db: Queryable,
  r: Pick<RenewedTokens, 'expected' | 'refreshToken' | 'previousRefreshToken' | 'rotated' | 'source'>,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `update onecore_sync.credentials set
          refresh_token = $1, previous_refresh_token = $2, refresh_token_since = now(),
          rotated_at = case when $3 then now() else rotated_at end, source = $4,
          access_token = null, access_token_expires_at = null, updated_at = now()
      where id = 1 and refresh_token = $5`,
    [r.refreshToken, r.previousRefreshToken, r.rotated, r.source, r.expected],
  );
  return (rowCount ?? 0) > 0;
}

/** What `token status` shows: ages and times, never a token value. */
export interface TokenStatus {
  stored: boolean;
  source: string | null;
  refreshTokenSince: Date | null;
  refreshTokenAgeSeconds: number | null;
  rotatedAt: Date | null;
  previousRefreshTokenKept: boolean;
  accessTokenExpiresAt: Date | null;
  accessTokenValid: boolean;
  renewedAt: Date | null;
  renewCount: number;
  authFailedAt: Date | null;
  authFailedReason: string | null;
}

export async function readTokenStatus(db: Queryable): Promise<TokenStatus> {
  const { rows } = await db.query<TokenStatus>(
    `select true as stored, source, refresh_token_since as "refreshTokenSince",
            floor(extract(epoch from now() - refresh_token_since))::float8 as "refreshTokenAgeSeconds",
            rotated_at as "rotatedAt", previous_refresh_token is not null as "previousRefreshTokenKept",
            access_token_expires_at as "accessTokenExpiresAt",
            (access_token is not null and access_token_expires_at > now()) as "accessTokenValid",
            renewed_at as "renewedAt", renew_count::float8 as "renewCount",
            auth_failed_at as "authFailedAt", auth_failed_reason as "authFailedReason"
       from onecore_sync.credentials where id = 1`,
  );
  return (
    rows[0] ?? {
      stored: false,
      source: null,
      refreshTokenSince: null,
      refreshTokenAgeSeconds: null,
      rotatedAt: null,
      previousRefreshTokenKept: false,
      accessTokenExpiresAt: null,
      accessTokenValid: false,
      renewedAt: null,
      renewCount: 0,
      authFailedAt: null,
      authFailedReason: null,
    }
  );
}
