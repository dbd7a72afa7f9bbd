import type { CredentialsRow } from '../db/sql/credentials.js';

/**
 * The token service's decisions, apart from the locks, the HTTP call and the writes around them
 * (tokenService.ts), so each can be checked on its own: when a token counts as expiring, whether
 * to use the stored access token or renew, which refresh token to send, and what to store from
 * the shop's answer.
 */

type AccessState = Pick<
  CredentialsRow,
  'accessToken' | 'accessTokenExpiresAt' | 'renewedAt' | 'authFailedAt' | 'authFailedReason'
>;
type RefreshState = Pick<CredentialsRow, 'refreshToken' | 'previousRefreshToken'>;

/**
 * When an access token counts as expiring, ms since the epoch: before its expiry by 10 % of its
 * lifetime (renewal to expiry), at most `maxMarginMs`. Renewing ahead means no request carries a
 * token that expires on the way; 10 % keeps a short-lived token from being renewed all the time.
 * A token whose renewal time is unknown is taken to live ten margins.
 */
export function renewAt(expiresAt: Date, renewedAt: Date | null, maxMarginMs: number): number {
  const expires = expiresAt.getTime();
  const lifetime = renewedAt ? expires - renewedAt.getTime() : maxMarginMs * 10;
  return expires - Math.min(maxMarginMs, Math.max(0, lifetime) * 0.1);
}

export type NextStep =
  /** Use the stored access token until `renewAt`. */
  | { use: string; renewAt: number }
  /** A refusal is recorded: ask the shop nothing until an operator acts (or the paced re-try succeeds). */
  | { failed: string | null }
  | { renew: true };

/**
 * What a caller does with the stored credentials at `now`. `failedToken` just got a 401: it is
 * never handed out again, even when its expiry says it is still good.
 */
export function nextStep(row: AccessState, failedToken: string | null, now: number, maxMarginMs: number): NextStep {
  if (row.accessToken !== null && row.accessTokenExpiresAt !== null && row.accessToken !== failedToken) {
    const at = renewAt(row.accessTokenExpiresAt, row.renewedAt, maxMarginMs);
    if (now < at) return { use: row.accessToken, renewAt: at };
  }
  if (row.authFailedAt) return { failed: row.authFailedReason };
  return { renew: true };
}

/**
 * The refresh token to try once when the current one was refused: the previous one, kept at the
 * last rotation because the shop may still honour it (a process killed between the shop's
 * rotation and our write would otherwise be locked out). None when there is no other.
 */
export function fallbackToken(row: RefreshState): string | null {
  return row.previousRefreshToken && row.previousRefreshToken !== row.refreshToken ? row.previousRefreshToken : null;
}

export interface Rotation {
  /** The refresh token to hold from now on. */
  refreshToken: string;
  previousRefreshToken: string | null;
  /** The shop handed out a new refresh token for the one we sent. */
  rotated: boolean;
  /** What is stored as current differs from what was (a rotation, or falling back to the previous token). */
  changed: boolean;
  source: 'rotation' | 'previous token';
}

/**
 * What to store after the shop accepted `sent` (`used`: the current or the previous token) and
 * answered with `answered` as the refresh token (undefined: no rotation).
 */
export function rotationAfter(
  row: RefreshState,
  sent: string,
  used: 'current' | 'previous',
  answered: string | undefined,
): Rotation {
  const refreshToken = answered ?? sent;
  const rotated = refreshToken !== sent;
  const changed = refreshToken !== row.refreshToken;
  // A rotation keeps the token it replaced (the shop may still honour it for a while).
  // After falling back, the refused current token is worth nothing: drop it.
  const previousRefreshToken = !changed ? row.previousRefreshToken : rotated ? sent : null;
  return {
    refreshToken,
    previousRefreshToken,
    rotated,
    changed,
    source: used === 'previous' ? 'previous token' : 'rotation',
  };
}
