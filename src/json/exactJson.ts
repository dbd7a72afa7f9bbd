import {
  isLosslessNumber,
  LosslessNumber,
  parse as parseLossless,
  stringify as stringifyLossless,
} from 'lossless-json';

/**
 * JSON with every number kept at the exact value the shop sent.
 *
 * `JSON.parse` reads numbers as doubles: a .NET `decimal` or `long` such as
 * 79228162514264337593543950335, 9223372036854775806 or 0.1234567890123456789012345678 comes
 * back rounded, and 1e400 becomes Infinity (written as `null`). Postgres' `jsonb` keeps numeric
 * values exactly, so the rounding would be ours alone.
 *
 * A number token with at most 15 digits and no exponent always survives the trip through a double
 * with its value (a double holds every 15-significant-digit decimal, and prints back the same
 * value), which is every number nearly every page holds. So:
 * - fast path: a page whose text has no number token beyond that (`needsExactParse`, one regular
 *   expression over the text) goes through `JSON.parse` and `JSON.stringify` as before;
 * - exact path: any other page is parsed by `lossless-json`, safe numbers still as doubles and the
 *   rest as `LosslessNumber`s holding the token's text, and its records are written back with
 *   `stringifyExact`, which puts those tokens into the text sent to Postgres verbatim.
 * "Exact" is the value: `jsonb` stores the numeric value (1.50 and 1.5 are equal values; the
 *  fast path sends 1.5).
 */

/**
 * A number token (after `:`, `,` or `[`) with 16 or more characters of digits and dots, or with an
 * exponent. Conservative: text inside strings that looks like that only sends the page down the
 * exact path, which is correct, only slower.
 */
const UNSAFE_NUMBER = /[:,[]\s*-?(?:\d[\d.]{15}|\d+(?:\.\d+)?[eE])/;

/** True when some number in the JSON text may not survive `JSON.parse` with its value. */
export function needsExactParse(text: string): boolean {
  return UNSAFE_NUMBER.test(text);
}

/** A single number token is safe as a double when it has at most 15 digits and no exponent. */
function isSafeToken(token: string): boolean {
  let digits = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 101 || c === 69) return false; // e, E
  }
  return digits <= 15;
}

function parseNumberToken(token: string): number | LosslessNumber {
  return isSafeToken(token) ? Number(token) : new LosslessNumber(token);
}

/**
 * Parses JSON text the exact way (see the file comment). A repeated key keeps its last value, as
 * `JSON.parse` does.
 */
export function parseExact(text: string): unknown {
  return parseLossless(text, undefined, {
    parseNumber: parseNumberToken,
    onDuplicateKey: ({ newValue }) => newValue,
  });
}

/** JSON text of a value that may hold `LosslessNumber`s (written verbatim). */
export function stringifyExact(value: unknown): string {
  return stringifyLossless(value) ?? 'null';
}

/** A number kept as the text the shop sent. */
export function isExactNumber(value: unknown): value is LosslessNumber {
  return typeof value === 'object' && value !== null && isLosslessNumber(value);
}

/** The text of an integer kept exactly (a .NET `long` key beyond 2^53), else undefined. */
export function exactIntegerText(value: unknown): string | undefined {
  if (!isExactNumber(value)) return undefined;
  const text = value.toString();
  return /^-?\d+$/.test(text) ? text : undefined;
}

/**
 * JSON text of any parsed value, however deep: `JSON.stringify` and `stringifyExact` recurse and
 * give up a few thousand levels down, and a record that deep must still be kept verbatim in
 * `rejected_records`. Iterative; only used for such records.
 */
export function stringifyDeep(value: unknown): string {
  const out: string[] = [];
  // Work items: a value to write, or a literal piece of text (closing brackets, commas, keys).
  const stack: Array<{ v: unknown } | string> = [{ v: value }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const v = item.v;
    if (Array.isArray(v)) {
      out.push('[');
      stack.push(']');
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push({ v: v[i] === undefined ? null : v[i] });
        if (i > 0) stack.push(',');
      }
    } else if (isExactNumber(v)) {
      out.push(v.toString());
    } else if (typeof v === 'object' && v !== null) {
      const keys = Object.keys(v);
      out.push('{');
      stack.push('}');
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push({ v: (v as Record<string, unknown>)[keys[i]!] });
        stack.push(JSON.stringify(keys[i]) + ':');
        if (i > 0) stack.push(',');
      }
    } else {
      out.push(JSON.stringify(v) ?? 'null');
    }
  }
  return out.join('');
}
