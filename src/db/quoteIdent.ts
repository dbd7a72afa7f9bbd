/**
 * Quotes a Postgres identifier. Endpoint names are validated before they get here (see
 * ENDPOINT_NAME in src/config/validators.ts); quoting anyway means that no name, whatever its
 * source, can ever be read as SQL.
 */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.length > 63 || name.includes('\u0000')) {
    throw new Error(`not a usable identifier: ${JSON.stringify(name)}`);
  }
  return '"' + name.replace(/"/g, '""') + '"';
}

/** `onecore."orders"`: the relation that holds an endpoint's records. */
export function recordTable(endpoint: string): string {
  return `onecore.${quoteIdent(endpoint.toLowerCase())}`;
}
