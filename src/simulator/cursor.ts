/**
 * Opaque page cursors.
 *
 * A cursor encodes a record's sequence number plus a checksum, as standard base64. The payload
 * starts with bytes 0xfb 0xff and is 8 bytes long, so every cursor starts with "+/" and ends with
 * "=": clients that forget to URL-encode it (a raw "+" decodes to a space) or that mangle "/" and
 * "=" get 400 instead of silently working. The checksum rejects hand-made or truncated cursors.
 */
import { hashString } from './random.js';

const MAGIC0 = 0xfb;
const MAGIC1 = 0xff;
const CURSOR_RE = /^[A-Za-z0-9+/]{11}=$/;

function checksum(seq: number): number {
  return hashString(`onecore-sim-cursor:${seq}`) & 0xffff;
}

export function encodeCursor(seq: number): string {
  const buf = Buffer.alloc(8);
  buf[0] = MAGIC0;
  buf[1] = MAGIC1;
  buf.writeUInt32BE(seq >>> 0, 2);
  buf.writeUInt16BE(checksum(seq >>> 0), 6);
  return buf.toString('base64');
}

/** The sequence number, or null when the text is not a cursor this simulator issued. */
export function decodeCursor(text: string): number | null {
  // Buffer's base64 decoder is lenient (skips junk), so check the exact shape first.
  if (!CURSOR_RE.test(text)) return null;
  const buf = Buffer.from(text, 'base64');
  if (buf.length !== 8 || buf[0] !== MAGIC0 || buf[1] !== MAGIC1) return null;
  const seq = buf.readUInt32BE(2);
  if (buf.readUInt16BE(6) !== checksum(seq)) return null;
  // Reject non-canonical spellings of the same bytes: cursor values are case- and byte-exact.
  return encodeCursor(seq) === text ? seq : null;
}
