/** `2026-11-29T15:04:05Z`: UTC to the second, how times are shown to people (status, token, the status page). */
export function isoSeconds(d: Date | string): string {
  return new Date(d).toISOString().replace(/\.\d+Z$/, 'Z');
}
