/**
 * A duration for people: `42s`, `5m 3s`, `7h 12m`, `3d 4h` (status output and the status page).
 * `padded` writes the second unit with two digits (`5m 03s`), so a line that updates in place
 * (sync's progress) keeps its width.
 */
export function formatDuration(ms: number, opts: { padded?: boolean } = {}): string {
  const two = (n: number) => (opts.padded ? String(n).padStart(2, '0') : String(n));
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${two(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${two(m % 60)}m`;
  return `${Math.floor(h / 24)}d ${two(h % 24)}h`;
}
