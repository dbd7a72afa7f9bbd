/**
 * Postgres and driver errors in words an operator can act on. SQLSTATE classes: 08 connection
 * exception, 57P01–57P03 shutdown / crash / cannot connect now, 53 insufficient resources,
 * 42501 insufficient privilege.
 */
const LOST =
  /Connection terminated|not queryable|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|timeout exceeded when trying to connect|server closed the connection/i;

/** The connection is gone or Postgres is not accepting connections: retrying later helps. */
export function isPgConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    (code.startsWith('08') ||
      code === '57P01' ||
      code === '57P02' ||
      code === '57P03' ||
      code === 'ECONNREFUSED' ||
      code === 'ECONNRESET' ||
      code === 'ENOTFOUND' ||
      code === 'EPIPE')
  )
    return true;
  return LOST.test(err.message);
}

/** One line: what happened to the connection, with the SQLSTATE when Postgres sent one. */
export function describePgError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // pg's words for "this connection died earlier, while it was idle".
  if (/not queryable/.test(err.message))
    return 'the server or the network closed the connection (Postgres restarted, failed over, or the session was terminated)';
  const code = (err as { code?: unknown }).code;
  return `${err.message}${typeof code === 'string' && !err.message.includes(code) ? ` (${code})` : ''}`;
}

/** 42501 insufficient_privilege: the role lacks a privilege on what the statement touched. */
export function isPermissionDenied(err: unknown): boolean {
  // Query builders (drizzle) wrap the driver's error: look one level down too.
  for (let e = err, depth = 0; e instanceof Error && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === '42501') return true;
  }
  return false;
}
