/**
 * Refresh/access token state, modelled on the vendor docs: POSTing the refresh token to
 * renewtokens yields an access token; once the refresh token has been active for
 * `rotateAfterSeconds` (5 days in production) the response carries a new refresh token and the
 * old one stops working (optionally after a grace period). Access tokens are not revoked by a
 * renewal; they simply expire.
 */
import { randomBytes } from 'node:crypto';
import { Rng } from './random.js';

export type RenewResult =
  | { ok: true; refreshToken: string; accessToken: string; expiresIn: number; rotated: boolean }
  | { ok: false; reason: 'unknown' | 'rotated' };

export type AccessCheck = 'ok' | 'missing' | 'scheme' | 'expired' | 'invalid';

export interface AuthOptions {
  seed: number;
  refreshToken?: string;
  accessTokenTtlSeconds: number;
  rotateAfterSeconds: number;
  rotationGraceSeconds: number;
  now: () => number;
}

export class AuthState {
  private current: string;
  private activeSince: number;
  private previous: { token: string; until: number } | null = null;
  private forceRotate = false;
  /** access token → expiry (epoch ms). */
  private readonly access = new Map<string, number>();
  private readonly rng: Rng;
  rotations = 0;

  constructor(private readonly opts: AuthOptions) {
    // Refresh tokens come from the seed, so a test can predict them; access tokens use real
    // randomness (below) so a token issued by one simulator never works on another.
    this.rng = Rng.derive(opts.seed, 'refresh-tokens');
    this.current = opts.refreshToken ?? this.newRefreshToken();
    this.activeSince = opts.now();
  }

  private newRefreshToken(): string {
    return `sim-refresh-${this.rng.token(32)}`;
  }

  get refreshToken(): string {
    return this.current;
  }

  setRefreshToken(token: string): void {
    this.current = token;
    this.activeSince = this.opts.now();
    this.previous = null;
    this.forceRotate = false;
  }

  rotateNow(): void {
    this.forceRotate = true;
  }

  expireAccessTokens(): void {
    for (const k of this.access.keys()) this.access.set(k, 0);
  }

  renew(token: string): RenewResult {
    const now = this.opts.now();
    if (token === this.current) {
      let rotated = false;
      if (this.forceRotate || now - this.activeSince >= this.opts.rotateAfterSeconds * 1000) {
        this.previous = { token: this.current, until: now + this.opts.rotationGraceSeconds * 1000 };
        this.current = this.newRefreshToken();
        this.activeSince = now;
        this.forceRotate = false;
        this.rotations++;
        rotated = true;
      }
      return {
        ok: true,
        refreshToken: this.current,
        accessToken: this.issueAccess(now),
        expiresIn: this.opts.accessTokenTtlSeconds,
        rotated,
      };
    }
    if (this.previous && token === this.previous.token) {
      // Within the grace period the old token still works and hands out the current one.
      if (now < this.previous.until) {
        return {
          ok: true,
          refreshToken: this.current,
          accessToken: this.issueAccess(now),
          expiresIn: this.opts.accessTokenTtlSeconds,
          rotated: false,
        };
      }
      return { ok: false, reason: 'rotated' };
    }
    return { ok: false, reason: 'unknown' };
  }

  /** Opaque, like ASP.NET Core data-protection output ("CfDJ8" + base64url). */
  private issueAccess(now: number): string {
    const token = `CfDJ8${randomBytes(96).toString('base64url')}`;
    if (this.access.size > 10_000) {
      // Long chaos runs renew a lot: forget tokens that have expired anyway.
      for (const [k, exp] of this.access) if (exp <= now) this.access.delete(k);
    }
    this.access.set(token, now + this.opts.accessTokenTtlSeconds * 1000);
    return token;
  }

  /** Check an Authorization header value. */
  check(header: string | undefined): AccessCheck {
    if (!header) return 'missing';
    const space = header.indexOf(' ');
    const scheme = space < 0 ? header : header.slice(0, space);
    // Auth schemes are case-insensitive (RFC 9110); V1's "PublicApi" is not accepted by V2.
    if (scheme.toLowerCase() !== 'publicapiv2') return 'scheme';
    const token = space < 0 ? '' : header.slice(space + 1).trim();
    if (!token) return 'missing';
    const expiry = this.access.get(token);
    if (expiry === undefined) return 'invalid';
    return this.opts.now() < expiry ? 'ok' : 'expired';
  }
}
