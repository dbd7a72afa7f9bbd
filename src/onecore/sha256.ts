import { createHash } from 'node:crypto';

/** Hex sha-256 of a text: how a bootstrapped refresh token is recognized without storing it twice. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
