import { DateTime } from 'luxon';
import { normalizeDateTime } from './normalizeDates.js';

/** Ends in a zone designator: `Z`, `±HH`, `±HHMM` or `±HH:MM` (the shapes normalizeDateTime accepts). */
const HAS_ZONE = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * The date-time normalizer for a shop whose date-times without an offset are wall-clock times in
 * `zone` (ONECORE_NAIVE_TZ). The vendor documents "no offset means UTC" only for request bodies;
 * what the API sends back is not documented, so the zone is the operator's to say.
 *
 * UTC (the default) is `normalizeDateTime` itself. Otherwise a naive value is read in `zone`
 * (luxon: a time in a daylight-saving gap moves forward; the hour repeated when clocks go back is
 * read as its second, standard-time occurrence) and rewritten in UTC with its fraction digits kept. A value whose zone reading
 * falls outside .NET's years (its `0001-01-01T00:00:00` "not set") is read as UTC, like the default.
 */
export function dateTimeNormalizer(zone = 'UTC'): (s: string) => string {
  if (isUtc(zone)) return normalizeDateTime;
  return (s: string) => {
    const utc = normalizeDateTime(s);
    if (utc === s || HAS_ZONE.test(s)) return utc;
    // `utc` is the same wall clock spelled with Z: put the zone's offset at that wall clock instead.
    const local = DateTime.fromObject(
      {
        year: num(utc, 0, 4),
        month: num(utc, 5, 7),
        day: num(utc, 8, 10),
        hour: num(utc, 11, 13),
        minute: num(utc, 14, 16),
        second: num(utc, 17, 19),
      },
      { zone },
    );
    if (!local.isValid) return utc;
    const offset = Math.round(local.offset);
    if (offset === 0) return utc;
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    const shifted = normalizeDateTime(`${utc.slice(0, -1)}${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`);
    return shifted.endsWith('Z') ? shifted : utc;
  };
}

export function isUtc(zone: string): boolean {
  return /^(utc|etc\/utc|etc\/gmt|gmt|z|etc\/universal|universal|etc\/zulu|zulu)$/i.test(zone);
}

function num(s: string, from: number, to: number): number {
  return Number(s.slice(from, to));
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
