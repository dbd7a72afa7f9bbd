/**
 * Keeps token values out of everything we write down: error messages, body excerpts, logs.
 *
 * The token service registers every refresh and access token it reads or receives, so a server
 * that echoes a token back in an error body (or a proxy that reflects the request) still cannot
 * put it into `sync_runs.error` or a log line. Patterns catch what we were never told about.
 */

/** Bounded: a long-running worker renews often, and only recent tokens can still appear. */
const MAX_KNOWN = 32;
const known: string[] = [];

export function registerSecret(value: string | null | undefined): void {
  // Very short values would redact ordinary words; real tokens are long.
  if (!value || value.length < 8 || known.includes(value)) return;
  known.push(value);
  if (known.length > MAX_KNOWN) known.shift();
}

const REDACTED = '[redacted]';

/**
 * What gets redacted beyond the known tokens, in the words of the regular expressions it once was:
 *   1. `\b(PublicApi(?:V2)?|Bearer)\s+[A-Za-z0-9\-._~+/=]{16,}`: an Authorization value reflected back;
 *   2. `(token"?\s*[:=]\s*)"?[^",}\s&]+"?` (case-insensitive): a JSON or form field whose name
 *      ends in "token", with its value;
 *   3. `CfDJ8[\w\-+/=]{8,}`: ASP.NET Core data-protection output (oneCORE's access tokens);
 *   4. `[A-Za-z0-9+/_=-]{40,}` (`opaque` only): any long opaque run, e.g. a token nobody told us about.
 * Written as plain scans instead: the text comes from the shop, and a pattern that backtracks
 * (`[\w-]*token` over a long word took 19 s for 150 KB) or merely restarts at every position
 * lets a hostile body freeze the process. Each scan below reads the text a bounded number of
 * times, so the cost is linear (1 MB in a few milliseconds).
 */
export function redactSecrets(text: string, opts: { opaque?: boolean } = {}): string {
  let out = text;
  for (const secret of known) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  out = redactAuthorization(out);
  out = redactTokenFields(out);
  return redactRuns(out, opts.opaque === true);
}

const WORD = charSet('A-Za-z0-9_');
const AUTH_VALUE = charSet('A-Za-z0-9-._~+/=');
const OPAQUE = charSet('A-Za-z0-9+/_=-');
/** `"` `,` `}` `&`: where a field's unquoted value ends (besides white space). */
const FIELD_VALUE_STOP = charSet('",}&');

function charSet(spec: string): Uint8Array {
  const set = new Uint8Array(128);
  for (let i = 0; i < spec.length; i++) {
    if (spec[i + 1] === '-' && i + 2 < spec.length) {
      for (let c = spec.charCodeAt(i); c <= spec.charCodeAt(i + 2); c++) set[c] = 1;
      i += 2;
    } else {
      set[spec.charCodeAt(i)] = 1;
    }
  }
  return set;
}

const inSet = (set: Uint8Array, code: number) => code < 128 && set[code] === 1;

/** What `\s` matches in a JavaScript regular expression. */
function isSpace(code: number): boolean {
  if (code < 128) return code === 32 || (code >= 9 && code <= 13);
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

const QUOTE = 34;
const COLON = 58;
const EQUALS = 61;

/** 1: `Bearer xxxx…` / `PublicApiV2 xxxx…` → `Bearer [redacted]`, one pass left to right. */
function redactAuthorization(text: string): string {
  const lower = text.toLowerCase();
  let bearer = lower.indexOf('bearer');
  let publicApi = lower.indexOf('publicapi');
  const out: string[] = [];
  let last = 0;
  while (bearer >= 0 || publicApi >= 0) {
    const isBearer = publicApi < 0 || (bearer >= 0 && bearer < publicApi);
    const at = isBearer ? bearer : publicApi;
    const end = redactAuthorizationAt(text, lower, at, isBearer ? 6 : 9, !isBearer);
    if (end !== 0) {
      out.push(text.slice(last, end.schemeEnd), ' ', REDACTED);
      last = end.valueEnd;
    }
    const from = Math.max(at + 1, last);
    if (bearer >= 0 && bearer < from) bearer = lower.indexOf('bearer', from);
    if (publicApi >= 0 && publicApi < from) publicApi = lower.indexOf('publicapi', from);
  }
  return last === 0 ? text : out.join('') + text.slice(last);
}

/** The scheme's and the value's end when an Authorization value starts at `at`. */
function redactAuthorizationAt(
  text: string,
  lower: string,
  at: number,
  length: number,
  publicApi: boolean,
): { schemeEnd: number; valueEnd: number } | 0 {
  if (at > 0 && inSet(WORD, text.charCodeAt(at - 1))) return 0;
  let i = at + length;
  if (publicApi && lower.startsWith('v2', i) && isSpace(text.charCodeAt(i + 2))) i += 2;
  const schemeEnd = i;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  if (i === schemeEnd) return 0;
  const valueStart = i;
  while (i < text.length && inSet(AUTH_VALUE, text.charCodeAt(i))) i++;
  return i - valueStart < 16 ? 0 : { schemeEnd, valueEnd: i };
}

/** 2: `"refreshToken": "xxx"` / `token=xxx` → `"refreshToken": "[redacted]"`. */
function redactTokenFields(text: string): string {
  const lower = text.toLowerCase();
  const out: string[] = [];
  let last = 0;
  for (let at = lower.indexOf('token'); at >= 0; at = lower.indexOf('token', Math.max(at + 1, last))) {
    let i = at + 5;
    if (text.charCodeAt(i) === QUOTE) i++;
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    const sep = text.charCodeAt(i);
    if (sep !== COLON && sep !== EQUALS) continue;
    i++;
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    const prefixEnd = i;
    if (text.charCodeAt(i) === QUOTE) i++;
    const valueStart = i;
    for (
      let c = text.charCodeAt(i);
      i < text.length && !inSet(FIELD_VALUE_STOP, c) && !isSpace(c);
      c = text.charCodeAt(++i)
    );
    if (i === valueStart) continue;
    if (text.charCodeAt(i) === QUOTE) i++;
    out.push(text.slice(last, prefixEnd), `"${REDACTED}"`);
    last = i;
  }
  return last === 0 ? text : out.join('') + text.slice(last);
}

/** 3 and 4, one pass over the runs of opaque characters. */
function redactRuns(text: string, opaque: boolean): string {
  const out: string[] = [];
  let last = 0;
  let cf = text.indexOf('CfDJ8');
  if (cf < 0 && !opaque) return text;
  for (let i = 0; i < text.length;) {
    if (!inSet(OPAQUE, text.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < text.length && inSet(OPAQUE, text.charCodeAt(j))) j++;
    if (opaque && j - i >= 40) {
      out.push(text.slice(last, i), REDACTED);
      last = j;
    } else {
      if (cf >= 0 && cf < i) cf = text.indexOf('CfDJ8', i);
      if (cf >= 0 && cf + 13 <= j) {
        out.push(text.slice(last, cf), REDACTED);
        last = j;
      }
    }
    i = j;
  }
  return last === 0 ? text : out.join('') + text.slice(last);
}

/** At most `max` characters of a response body for an error message, on one line, without tokens. */
export function excerpt(body: string | null | undefined, max = 200): string {
  if (!body) return '';
  // Redact before cutting, so a token split by the cut cannot survive in part.
  const line = redactSecrets(body.slice(0, 4096), { opaque: true }).replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
