/**
 * The record's own modification date-time, kept beside each history version (`modified_at`).
 * Top-level fields, names matched case-insensitively, the first in this order that holds a
 * date-time wins. oneCORE's records carry `modified` (`Modified` on some endpoints); the others
 * are the usual spellings of other APIs.
 */
export const MODIFIED_FIELDS = [
  'modified',
  'modifiedAt',
  'modified_at',
  'modifiedOn',
  'modifiedDate',
  'lastModified',
  'last_modified',
  'lastModifiedAt',
  'lastModifiedDate',
  'updatedAt',
  'updated_at',
  'updatedOn',
  'updated',
  'lastUpdated',
  'dateModified',
] as const;

const RANK = new Map<string, number>(MODIFIED_FIELDS.map((f, i) => [f.toLowerCase(), i]));

/** A date-time as the normalizer writes it: UTC, `Z`, at most microseconds. */
const UTC_DATE_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,6})?Z$/;

/**
 * The modification date-time of a record whose dates are already normalized (so a date-time is a
 * UTC `…Z` string), or null; given `normalize`, of a record as sent, its candidates normalized
 * here. A value that is not a real instant (`2024-02-30T10:00:00Z`, which the normalizer leaves
 * as sent) is not one: it must never reach Postgres' cast and fail a page.
 */
export function readModifiedAt(record: Record<string, unknown>, normalize?: (s: string) => string): string | null {
  let best: string | null = null;
  let bestRank = Infinity;
  for (const key in record) {
    const rank = RANK.get(key.toLowerCase());
    if (rank === undefined || rank >= bestRank) continue;
    const sent = record[key];
    const value = typeof sent === 'string' && normalize ? normalize(sent) : sent;
    if (typeof value !== 'string' || !isInstant(value)) continue;
    best = value;
    bestRank = rank;
  }
  return best;
}

function isInstant(value: string): boolean {
  const m = UTC_DATE_TIME.exec(value);
  if (!m) return false;
  const ms = Date.parse(m[1] + 'Z');
  // Date.parse rolls impossible days over (Feb 30 → Mar 1): the round trip must give them back.
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 19) === m[1];
}
