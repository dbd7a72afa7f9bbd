/** The same Postgres server, another database: how tests, the benchmark and the chaos run get scratch databases. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
