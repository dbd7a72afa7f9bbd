/**
 * A page's records written to Postgres as the bytes the shop sent, with only their date-times
 * rewritten, instead of serializing every parsed record again.
 *
 * Normalizing the parsed record, `JSON.stringify` and encoding the text back to UTF-8 cost the
 * sync about as much per record as fetching and parsing it. The page's own bytes already hold each
 * record as JSON: copied out of the body, with each date-time string that the normalizer changes
 * spliced in, they give Postgres the same `jsonb` value (whitespace and number spelling are not
 * part of a `jsonb` value: `1.50` and `1.5` compare equal; numbers are written exactly as sent,
 * as the exact path does for long ones; a repeated key keeps its last value in both). A record
 * whose text holds what only the slow path handles returns null and goes that way:
 * - a `\u` escape (it may spell `\u0000`, a lone surrogate, or a date-time, which the byte scan
 *   would not see);
 * - nesting deeper than MAX_DEPTH (the slow path decides whether it can be serialized at all).
 *
 * The scanners read JSON that `JSON.parse` (or the exact parser) has just accepted from the same
 * text, so they only find boundaries; they do not validate.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const NEWLINE = 0x0a;

/** Deeper records take the slow path (JSON.stringify gives up a few thousand levels down). */
export const MAX_DEPTH = 512;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(b: Uint8Array, i: number): number {
  while (i < b.length && isSpace(b[i]!)) i++;
  return i;
}

/** `i` at a string's opening quote: the index after its closing quote. */
function skipString(b: Uint8Array, i: number): number {
  i++;
  for (;;) {
    const c = b[i]!;
    if (c === QUOTE) return i + 1;
    i += c === BACKSLASH ? 2 : 1;
  }
}

/** `i` at a value's first byte: the index after its last. */
function skipValue(b: Uint8Array, i: number): number {
  const first = b[i]!;
  if (first === QUOTE) return skipString(b, i);
  if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) {
    while (i < b.length) {
      const c = b[i]!;
      if (c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || isSpace(c)) break;
      i++;
    }
    return i;
  }
  let depth = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c === QUOTE) {
      i = skipString(b, i);
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
    else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (--depth === 0) return i + 1;
    }
    i++;
  }
  return i;
}

/** The bytes of `name` as a JSON string's content would spell it without escapes. */
function plainKeyBytes(name: string): Buffer | null {
  const quoted = JSON.stringify(name);
  return quoted.includes('\\') ? null : Buffer.from(quoted.slice(1, -1), 'utf8');
}

/** True when the string token whose content starts at `from` is exactly `key`. */
function keyIs(b: Uint8Array, from: number, to: number, key: Buffer): boolean {
  if (to - from !== key.length) return false;
  for (let k = 0; k < key.length; k++) if (b[from + k] !== key[k]) return false;
  return true;
}

/**
 * Where the page's record array starts in its body: the offset of its first element, or of its
 * closing `]` when it is empty. `recordsPath` is the dotted path of the array as the body spells
 * it (null: a bare array). The first occurrence of each key is taken; `closesRecordArray` checks
 * afterwards that no later one repeats it (`JSON.parse` keeps the last). A key spelled with an
 * escape gives up (its decoded spelling could repeat the one sought). -1 when the array is not
 * found: the page takes the slow path.
 */
export function recordArrayStart(body: Uint8Array, recordsPath: string | null): number {
  let i = skipSpace(body, 0);
  for (const part of recordsPath === null ? [] : recordsPath.split('.')) {
    const key = plainKeyBytes(part);
    if (key === null || body[i] !== OPEN_OBJECT) return -1;
    i = skipSpace(body, i + 1);
    for (;;) {
      const member = readMember(body, i, key);
      if (member === null) return -1;
      i = member.value;
      if (member.isKey) break;
      i = skipSpace(body, skipValue(body, i));
      if (body[i] !== COMMA) return -1;
      i = skipSpace(body, i + 1);
    }
  }
  return body[i] === OPEN_ARRAY ? skipSpace(body, i + 1) : -1;
}

/**
 * True when the record array closes at `at` (after its last element) and no key after it, in
 * it or in the objects around it, repeats the path's: the array found is the one `JSON.parse` kept.
 */
export function closesRecordArray(body: Uint8Array, at: number, recordsPath: string | null): boolean {
  let i = skipSpace(body, at);
  if (body[i] !== CLOSE_ARRAY) return false;
  i = skipSpace(body, i + 1);
  const parts = recordsPath === null ? [] : recordsPath.split('.');
  for (let level = parts.length - 1; level >= 0; level--) {
    const key = plainKeyBytes(parts[level]!)!;
    while (body[i] === COMMA) {
      const member = readMember(body, skipSpace(body, i + 1), key);
      if (member === null || member.isKey) return false;
      i = skipSpace(body, skipValue(body, member.value));
    }
    if (body[i] !== CLOSE_OBJECT) return false;
    i = skipSpace(body, i + 1);
  }
  return true;
}

/** An object member's key at `i`: whether it is `key`, and where its value starts; null when escaped or malformed. */
function readMember(body: Uint8Array, i: number, key: Buffer): { isKey: boolean; value: number } | null {
  if (body[i] !== QUOTE) return null;
  const keyEnd = skipString(body, i);
  for (let k = i + 1; k < keyEnd - 1; k++) if (body[k] === BACKSLASH) return null;
  const isKey = keyIs(body, i + 1, keyEnd - 1, key);
  const colon = skipSpace(body, keyEnd);
  if (body[colon] !== COLON) return null;
  return { isKey, value: skipSpace(body, colon + 1) };
}

/**
 * After an element that ends at `end`: the offset of the next one, or -1 at the array's end.
 */
export function nextElement(body: Uint8Array, end: number): number {
  const i = skipSpace(body, end);
  return body[i] === COMMA ? skipSpace(body, i + 1) : -1;
}

/** The offset after the element (any JSON value) that starts at `start`. */
export function elementEnd(body: Uint8Array, start: number): number {
  return skipValue(body, start);
}

export interface RawRecord {
  /** Null: the record must take the slow path (see the file comment). */
  json: Buffer | null;
  /** Strings the normalizer rewrote. */
  changed: number;
  /** The offset after the record. */
  end: number;
}

/**
 * The object that starts at `start` of `body` as JSON bytes for Postgres: its own bytes, with
 * every string value that `normalize` changes replaced by the result, and newlines between tokens
 * turned into spaces (the page's records travel one per line).
 */
export function rawRecordJson(body: Buffer, start: number, normalize: (s: string) => string): RawRecord {
  // Replacements as [from, to) of a string's content and its new text.
  let patches: Array<number | string> | null = null;
  let newline = false;
  let depth = 0;
  let i = start;
  for (;;) {
    const c = body[i]!;
    if (c === QUOTE) {
      const from = i + 1;
      let j = from;
      let escaped = false;
      for (;;) {
        const d = body[j]!;
        if (d === QUOTE) break;
        if (d === BACKSLASH) {
          if (body[j + 1] === 0x75 /* u */) return { json: null, changed: 0, end: skipValue(body, start) };
          escaped = true;
          j += 2;
        } else j++;
      }
      i = j + 1;
      // A date-time has `-` at 4 and 7, `T` at 10 and `:` at 13 (the normalizer's own first test).
      // A string with escapes cannot be one: `\"`, `\\`, `\/` and the control escapes spell
      // nothing a date-time holds.
      if (
        !escaped &&
        j - from >= 16 &&
        body[from + 4] === 0x2d &&
        body[from + 7] === 0x2d &&
        body[from + 10] === 0x54 &&
        body[from + 13] === COLON
      ) {
        let k = i;
        while (isSpace(body[k]!)) k++;
        // Keys are never rewritten, only values.
        if (body[k] !== COLON) {
          const text = body.toString('latin1', from, j);
          const out = normalize(text);
          if (out !== text) (patches ??= []).push(from, j, out);
        }
      }
      continue;
    }
    i++;
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > MAX_DEPTH) return { json: null, changed: 0, end: skipValue(body, start) };
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (--depth === 0) break;
    } else if (c === NEWLINE) newline = true;
  }
  const end = i;
  if (patches === null && !newline) return { json: body.subarray(start, end), changed: 0, end };
  let length = end - start;
  const p = patches ?? [];
  for (let k = 0; k < p.length; k += 3)
    length += (p[k + 2] as string).length - ((p[k + 1] as number) - (p[k] as number));
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  let from = start;
  for (let k = 0; k < p.length; k += 3) {
    at += body.copy(out, at, from, p[k] as number);
    // A normalized date-time is ASCII.
    at += out.write(p[k + 2] as string, at, 'latin1');
    from = p[k + 1] as number;
  }
  body.copy(out, at, from, end);
  if (newline) for (let k = 0; k < length; k++) if (out[k] === NEWLINE) out[k] = 0x20;
  return { json: out, changed: p.length / 3, end };
}
