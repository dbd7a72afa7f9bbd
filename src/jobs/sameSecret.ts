import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a secret someone sent with the one we hold in constant time: both are hashed first, so
 * the comparison sees equal lengths whatever was sent and takes the same time.
 */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(sha256(given), sha256(expected));
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
