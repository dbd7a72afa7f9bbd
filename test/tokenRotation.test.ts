import { describe, expect, it } from 'vitest';
import { fallbackToken, nextStep, renewAt, rotationAfter } from '../src/onecore/tokenRotation.js';

const MIN = 60_000;
const t = (iso: string) => new Date(iso);

describe('token rotation decisions', () => {
  it('a token counts as expiring 10 % of its lifetime before expiry, at most the margin ahead', () => {
    // One hour's token: 10 % is 6 minutes, more than the 60 s margin.
    expect(renewAt(t('2026-01-01T11:00:00Z'), t('2026-01-01T10:00:00Z'), MIN)).toBe(
      t('2026-01-01T10:59:00Z').getTime(),
    );
    // A 100 s token: 10 s ahead, not 60 (it would be renewed after 40 s of its 100).
    expect(renewAt(t('2026-01-01T10:01:40Z'), t('2026-01-01T10:00:00Z'), MIN)).toBe(
      t('2026-01-01T10:01:30Z').getTime(),
    );
    // Renewal time unknown: taken to live ten margins, so the whole margin applies.
    expect(renewAt(t('2026-01-01T11:00:00Z'), null, MIN)).toBe(t('2026-01-01T10:59:00Z').getTime());
    // An expiry before the renewal (a clock jump) is due at expiry, not before it.
    expect(renewAt(t('2026-01-01T10:00:00Z'), t('2026-01-01T10:05:00Z'), MIN)).toBe(
      t('2026-01-01T10:00:00Z').getTime(),
    );
  });

  const held = {
    accessToken: 'access-1',
    accessTokenExpiresAt: t('2026-01-01T11:00:00Z'),
    renewedAt: t('2026-01-01T10:00:00Z'),
    authFailedAt: null,
    authFailedReason: null,
  };

  it('uses the stored access token until it is expiring, then renews', () => {
    expect(nextStep(held, null, t('2026-01-01T10:30:00Z').getTime(), MIN)).toEqual({
      use: 'access-1',
      renewAt: t('2026-01-01T10:59:00Z').getTime(),
    });
    expect(nextStep(held, null, t('2026-01-01T10:59:00Z').getTime(), MIN)).toEqual({ renew: true });
    expect(nextStep({ ...held, accessToken: null }, null, 0, MIN)).toEqual({ renew: true });
    expect(nextStep({ ...held, accessTokenExpiresAt: null }, null, 0, MIN)).toEqual({ renew: true });
  });

  it('never hands out the token that just got a 401, however long it says it lives', () => {
    expect(nextStep(held, 'access-1', t('2026-01-01T10:30:00Z').getTime(), MIN)).toEqual({ renew: true });
    expect(nextStep(held, 'access-0', t('2026-01-01T10:30:00Z').getTime(), MIN)).toMatchObject({ use: 'access-1' });
  });

  it('a recorded refusal stops renewing, but a good access token is still used', () => {
    const failed = { ...held, authFailedAt: t('2026-01-01T10:10:00Z'), authFailedReason: 'refused (401)' };
    expect(nextStep(failed, null, t('2026-01-01T10:59:30Z').getTime(), MIN)).toEqual({ failed: 'refused (401)' });
    expect(nextStep(failed, null, t('2026-01-01T10:30:00Z').getTime(), MIN)).toMatchObject({ use: 'access-1' });
  });

  it('falls back to the previous refresh token only when there is another one', () => {
    expect(fallbackToken({ refreshToken: 'r2', previousRefreshToken: 'r1' })).toBe('r1');
    expect(fallbackToken({ refreshToken: 'r2', previousRefreshToken: null })).toBeNull();
    expect(fallbackToken({ refreshToken: 'r2', previousRefreshToken: 'r2' })).toBeNull();
  });

  it('stores a rotated token and keeps the one it replaced; no rotation changes nothing', () => {
    const row = { refreshToken: 'r1', previousRefreshToken: 'r0' };
    expect(rotationAfter(row, 'r1', 'current', 'r2')).toEqual({
      refreshToken: 'r2',
      previousRefreshToken: 'r1',
      rotated: true,
      changed: true,
      source: 'rotation',
    });
    expect(rotationAfter(row, 'r1', 'current', undefined)).toEqual({
      refreshToken: 'r1',
      previousRefreshToken: 'r0',
      rotated: false,
      changed: false,
      source: 'rotation',
    });
    // The shop answering with the token we sent is no rotation either.
    expect(rotationAfter(row, 'r1', 'current', 'r1')).toMatchObject({ rotated: false, changed: false });
  });

  it('after falling back, the refused current token is dropped', () => {
    const row = { refreshToken: 'r2', previousRefreshToken: 'r1' };
    // The previous token worked and the shop did not rotate it: it is current again, nothing kept.
    expect(rotationAfter(row, 'r1', 'previous', undefined)).toEqual({
      refreshToken: 'r1',
      previousRefreshToken: null,
      rotated: false,
      changed: true,
      source: 'previous token',
    });
    // It worked and the shop rotated it: the new one is current, the one we sent is kept.
    expect(rotationAfter(row, 'r1', 'previous', 'r3')).toEqual({
      refreshToken: 'r3',
      previousRefreshToken: 'r1',
      rotated: true,
      changed: true,
      source: 'previous token',
    });
  });
});
