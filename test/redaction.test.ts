import { describe, expect, it } from 'vitest';
import { excerpt, redactSecrets } from '../src/onecore/secrets.js';

/** CPU time in ms of one call (not wall time: the machine is shared). */
function cpuMs(fn: () => void): number {
  const t = process.cpuUsage();
  fn();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
}

/** The fastest of five alternating runs of each, after one warm-up: a GC pause or a busy neighbour hits one run, not all. */
function bestOfAlternating(a: () => void, b: () => void): [number, number] {
  a();
  b();
  let bestA = Infinity;
  let bestB = Infinity;
  for (let i = 0; i < 5; i++) {
    bestA = Math.min(bestA, cpuMs(a));
    bestB = Math.min(bestB, cpuMs(b));
  }
  return [bestA, bestB];
}

/**
 * Redaction reads text the shop controls (issue #12, item 6): it must stay linear whatever that
 * text is. Asserted as a ratio, not a time (the machine is shared): 4 × the text may cost at most
 * 8 × the CPU, where a quadratic scan would cost 16 ×. The bound (1 MB in under 100 ms) is a
 * speed figure: 1 MB takes a few ms of CPU here.
 */
describe('secret redaction', () => {
  const MB = 1_000_000;
  const hostile: Record<string, string> = {
    'one long word': 'a'.repeat(MB),
    'words with dashes and underscores': 'ab-cd_ef '.repeat(MB / 9),
    'runs just short of the opaque length': ('x'.repeat(39) + ' ').repeat(MB / 40),
    '"token" over and over': 'token'.repeat(MB / 5),
    'token fields, every one redacted': 'token="a",'.repeat(MB / 10),
    '"Bearer " over and over': 'Bearer '.repeat(MB / 7),
    'a token name, then a megabyte of spaces': 'token' + ' '.repeat(MB),
    'CfDJ8 over and over': 'CfDJ8'.repeat(MB / 5),
  };
  it.each(Object.entries(hostile))('1 MB of %s: CPU linear in the length', (_name, text) => {
    expect(text.length).toBeGreaterThanOrEqual(MB * 0.98);
    const quarter = text.slice(0, Math.floor(text.length / 4));
    const [small, large] = bestOfAlternating(
      () => redactSecrets(quarter, { opaque: true }),
      () => redactSecrets(text, { opaque: true }),
    );
    // A floor of 0.5 ms keeps timer resolution out of the ratio.
    expect(large / Math.max(0.5, small)).toBeLessThan(8);
  });

  it('still redacts what it did', () => {
    expect(redactSecrets('Authorization: PublicApiV2 CfDJ8abcdefghijklmnopqrstuvwxyz')).toBe(
      'Authorization: PublicApiV2 [redacted]',
    );
    expect(redactSecrets('auth: Bearer abcdefghijklmnop0123')).toBe('auth: Bearer [redacted]');
    expect(redactSecrets('{"refreshToken": "sim-refresh-abc", "accessToken":"xyz"}')).toBe(
      '{"refreshToken": "[redacted]", "accessToken":"[redacted]"}',
    );
    expect(redactSecrets('a=1&refresh_token=abc&b=2')).toBe('a=1&refresh_token="[redacted]"&b=2');
    expect(redactSecrets('id CfDJ8xxxxxxxxyy end')).toBe('id [redacted] end');
    expect(redactSecrets('id CfDJ8xxx end')).toBe('id CfDJ8xxx end');
    const opaque = 'Q'.repeat(40);
    expect(redactSecrets(`x ${opaque} y`)).toBe(`x ${opaque} y`);
    expect(redactSecrets(`x ${opaque} y`, { opaque: true })).toBe('x [redacted] y');
    expect(redactSecrets(`x ${opaque.slice(1)} y`, { opaque: true })).toBe(`x ${opaque.slice(1)} y`);
    // Words that merely contain the keywords stay.
    expect(redactSecrets('tokens: 3, Bearers are fine, no colon token here')).toBe(
      'tokens: 3, Bearers are fine, no colon token here',
    );
    expect(excerpt('<html>' + 'ab '.repeat(MB / 3) + '</html>')).toHaveLength(200);
  });
});
