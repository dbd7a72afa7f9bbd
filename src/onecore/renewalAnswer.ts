import type { Logger } from 'pino';
import { ProtocolError } from './errors.js';
import { readField } from './page.js';
import { registerSecret } from './secrets.js';

/** What a renewal answer gave us, checked before anything relies on it. */
export interface RenewalAnswer {
  /** Absent when the answer has no usable access token (`problem` says why). */
  accessToken?: string;
  /** The rotated refresh token; absent when the answer carries none (no rotation). */
  refreshToken?: string;
  /** Always a sane lifetime: out-of-range or unreadable values are replaced (and logged). */
  expiresInSeconds: number;
  problem?: string;
}

/** What we assume when the shop does not say how long an access token lives. */
export const DEFAULT_EXPIRES_IN = 3600;
/** Longest lifetime we believe: a day. A renewal too many costs one request; a date past year 275760 costs the token. */
export const MAX_EXPIRES_IN = 86_400;

/** Tokens travel in an HTTP header: visible ASCII only, no spaces, of a sane length. */
const TOKEN_SHAPE = /^[\x21-\x7e]{1,8192}$/;

/**
 * The renew response, its field names read case-insensitively (the casing changed over time).
 * Not JSON at all (cut short, an HTML page) is a transient ProtocolError. Everything else is
 * read as far as it goes: a rotated refresh token must be kept even if the access token or
 * `expiresIn` beside it are unusable (`1e16`, negative, text, missing).
 */
export function parseRenewal(text: string, log: Pick<Logger, 'warn'>): RenewalAnswer {
  const endpoint = 'renewtokens';
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // Redacted by the error itself; a cut-short answer is worth retrying.
    throw new ProtocolError('200 with a body that is not valid JSON', { endpoint, body: text, transient: true });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProtocolError('the renew response is not a JSON object', { endpoint, transient: true });
  }
  const obj = body as Record<string, unknown>;
  const out: RenewalAnswer = { expiresInSeconds: DEFAULT_EXPIRES_IN };

  const refresh = readField(obj, 'refreshToken');
  if (typeof refresh === 'string' && TOKEN_SHAPE.test(refresh.trim())) {
    out.refreshToken = refresh.trim();
    registerSecret(out.refreshToken);
  } else if (refresh !== undefined && refresh !== null && refresh !== '') {
    // Not something we could ever send back: treat as no rotation, but say so.
    log.warn(
      { type: typeof refresh },
      'the renew response has a refreshToken that is not a token; keeping the one we hold',
    );
  }

  const access = readField(obj, 'accessToken');
  if (typeof access === 'string' && TOKEN_SHAPE.test(access)) {
    out.accessToken = access;
    registerSecret(access);
  } else {
    out.problem =
      access === undefined || access === null || access === ''
        ? `no accessToken (keys: ${Object.keys(obj).slice(0, 20).join(', ')})`
        : `accessToken is not a token (${typeof access})`;
  }

  const raw = readField(obj, 'expiresIn');
  const seconds =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
  if (raw === undefined || raw === null) {
    out.expiresInSeconds = DEFAULT_EXPIRES_IN;
  } else if (!Number.isFinite(seconds) || seconds <= 0) {
    log.warn(
      { expiresIn: String(raw).slice(0, 40) },
      `the renew response's expiresIn is not a positive number; assuming ${DEFAULT_EXPIRES_IN} s`,
    );
    out.expiresInSeconds = DEFAULT_EXPIRES_IN;
  } else if (seconds > MAX_EXPIRES_IN) {
    log.warn(
      { expiresIn: seconds },
      `the renew response's expiresIn is implausibly long; renewing after ${MAX_EXPIRES_IN} s instead`,
    );
    out.expiresInSeconds = MAX_EXPIRES_IN;
  } else {
    out.expiresInSeconds = seconds;
  }
  return out;
}
