/**
 * The environment of a sync child process in the benchmarks: only what it needs (so the
 * developer's shell cannot leak in), a warn-level log, and the shop-wide cap off unless a
 * benchmark measures the cap itself.
 */
export function syncEnv(o: {
  databaseUrl: string;
  sim: { url: string; refreshToken: string };
  endpoint?: string;
  maxRps?: number;
}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: o.databaseUrl,
    ONECORE_BASE_URL: o.sim.url,
    ONECORE_REFRESH_TOKEN: o.sim.refreshToken,
    ONECORE_MAX_RPS: String(o.maxRps ?? 0),
    LOG_LEVEL: 'warn',
  };
  if (o.endpoint !== undefined) env.ONECORE_ENDPOINTS = o.endpoint;
  return env;
}
