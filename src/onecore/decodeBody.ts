import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { ProtocolError } from './errors.js';

/**
 * A response body's bytes as text, by the charset its Content-Type declares: never with a
 * character silently replaced by U+FFFD.
 *
 * JSON is UTF-8 (RFC 8259), so no charset, or `utf-8`, means UTF-8, checked strictly (a byte
 * order mark is dropped; a UTF-16 one is followed). Any other declared charset is decoded with
 * the WHATWG decoders (`TextDecoder`, as browsers do: `iso-8859-1` and `latin1` are read as
 * windows-1252, `utf-16` as UTF-16LE unless a byte order mark says otherwise), strictly too. Bytes
 * that are not valid in the charset, or a charset nobody can decode, fail the page with a
 * ProtocolError that says which: the same bytes would come back on a retry, so it is final.
 *
 * `strict: false` (error responses, read only for their message) decodes leniently instead.
 */
export function decodeBody(
  bytes: Buffer,
  contentType: string | undefined,
  ctx: { endpoint: string; status: number; strict: boolean },
): string {
  const declared = charsetOf(contentType);
  const label = declared ?? sniffBom(bytes) ?? 'utf-8';
  if (isUtf8Label(label)) {
    const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    const body = start === 0 ? bytes : bytes.subarray(start);
    if (!ctx.strict || isUtf8(body)) return body.toString('utf8');
    throw new ProtocolError(
      `the response is not valid UTF-8 (${declared ? `it declares charset=${declared}` : 'it declares no charset, so UTF-8 as JSON requires'}); ${badUtf8Place(body)}; nothing of it was stored`,
      {
        endpoint: ctx.endpoint,
        status: ctx.status,
      },
    );
  }
  if (WINDOWS_1252_LABELS.has(label)) return decodeWindows1252(bytes);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: ctx.strict });
  } catch {
    if (!ctx.strict) return bytes.toString('utf8');
    throw new ProtocolError(
      `the response declares charset=${label}, which this client cannot decode; nothing of it was stored`,
      { endpoint: ctx.endpoint, status: ctx.status },
    );
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new ProtocolError(
      `the response is not valid ${decoder.encoding} (it declares charset=${label}); nothing of it was stored`,
      { endpoint: ctx.endpoint, status: ctx.status },
    );
  }
}

/**
 * The bytes whose UTF-8 decoding `decodeBody` returned (a byte order mark dropped), when it read
 * the body as UTF-8; undefined for any other charset. Call it only after a strict decodeBody
 * succeeded: the bytes are then valid UTF-8.
 */
export function utf8Body(bytes: Buffer, contentType: string | undefined): Buffer | undefined {
  const label = charsetOf(contentType) ?? sniffBom(bytes) ?? 'utf-8';
  if (!isUtf8Label(label)) return undefined;
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

/** The charset parameter of a Content-Type, lower-case, without quotes; undefined when absent. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return m ? m[1]!.toLowerCase() : undefined;
}

/** The WHATWG labels of windows-1252 (which is what browsers, and so shops, mean by latin1). */
const WINDOWS_1252_LABELS = new Set([
  'windows-1252',
  'cp1252',
  'x-cp1252',
  'iso-8859-1',
  'iso8859-1',
  'iso88591',
  'iso_8859-1',
  'iso_8859-1:1987',
  'latin1',
  'l1',
  'ascii',
  'us-ascii',
  'ansi_x3.4-1968',
  'cp819',
  'ibm819',
  'csisolatin1',
  'iso-ir-100',
]);

/** 0x80..0x9f in windows-1252 (the five bytes it leaves undefined map to the same C1 code point, as WHATWG says). */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/**
 * windows-1252 by hand: Node 20's TextDecoder reads it as ISO-8859-1 (0x80 becomes the control
 * character U+0080, not €). Every byte is a character, so it cannot fail.
 */
function decodeWindows1252(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  return /[\x80-\x9f]/.test(text) ? text.replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!) : text;
}

function isUtf8Label(label: string): boolean {
  return label === 'utf-8' || label === 'utf8' || label === 'unicode-1-1-utf-8';
}

function sniffBom(bytes: Buffer): string | undefined {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** Where the first invalid byte is, with a little context (the error path only). */
function badUtf8Place(bytes: Buffer): string {
  let lo = 0;
  // The longest valid prefix, found by growing it one character at a time (rare path, bounded).
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > bytes.length || !isUtf8(bytes.subarray(i, i + len))) break;
    i += len;
    lo = i;
  }
  const before = bytes.subarray(Math.max(0, lo - 40), lo).toString('utf8');
  return `byte 0x${bytes[lo]?.toString(16).padStart(2, '0') ?? '??'} at offset ${lo}, after ${JSON.stringify(before)}`;
}
