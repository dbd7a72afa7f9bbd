export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The median of every numeric field over the repetitions (others from the first). */
export function medianOf<T extends object>(reps: T[]): T {
  const out = { ...reps[0]! } as Record<string, unknown>;
  for (const k of Object.keys(out)) {
    if (typeof out[k] === 'number') out[k] = median(reps.map((r) => (r as Record<string, number>)[k]!));
  }
  return out as T;
}
