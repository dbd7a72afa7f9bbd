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

const PATTERNS: RegExp[] = [
  // An Authorization header value reflected back.
  /\b(PublicApi(?:V2)?|Bearer)\s+[A-Za-z0-9\-._~+/=]{16,}/gi,
  // A JSON (or form) field whose name says token, with its value.
  /("?[\w-]*token"?\s*[:=]\s*)"?[^",}\s&]+"?/gi,
  // ASP.NET Core data-protection output (what oneCORE access tokens look like).
  /CfDJ8[\w\-+/=]{8,}/g,
  // Any other long opaque run, e.g. a refresh token nobody told us about.
  /[A-Za-z0-9+/_=-]{40,}/g,
];

/**
 * The text with every known token, and anything shaped like one, replaced by `[redacted]`.
 * `opaque` also redacts any long opaque run: right for response bodies (anything could be in
 * there), too much for our own messages (it would hide a long cursor a PagingLoop names).
 */
export function redactSecrets(text: string, opts: { opaque?: boolean } = {}): string {
  let out = text;
  for (const secret of known) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  out = out.replace(PATTERNS[0]!, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  out = out.replace(PATTERNS[1]!, (_m, prefix: string) => `${prefix}"${REDACTED}"`);
  out = out.replace(PATTERNS[2]!, REDACTED);
  if (opts.opaque) out = out.replace(PATTERNS[3]!, REDACTED);
  return out;
}

/** At most `max` characters of a response body for an error message, on one line, without tokens. */
export function excerpt(body: string | null | undefined, max = 200): string {
  if (!body) return '';
  // Redact before cutting, so a token split by the cut cannot survive in part.
  const line = redactSecrets(body.slice(0, 4096), { opaque: true }).replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
