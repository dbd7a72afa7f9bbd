import { describePgError, isPgConnectionError } from '../db/describePgError.js';

/**
 * The one-line text of an error for `sync_runs.error`, logs and the CLI. Our API errors are built
 * without tokens; anything else is cut to a line so a stray body cannot flood the history.
 */
export function describeError(err: unknown): string {
  if (isPgConnectionError(err)) return oneLine(`Postgres connection lost: ${describePgError(err)}`);
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const text = `${err.name !== 'Error' ? err.name + ': ' : ''}${err.message}${typeof code === 'string' && !err.message.includes(code) ? ` (${code})` : ''}`;
    return oneLine(text);
  }
  return oneLine(String(err));
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 500 ? line.slice(0, 500) + '…' : line;
}
