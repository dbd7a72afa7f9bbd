import { isIP } from 'node:net';
import type { Logger } from 'pino';

let warned = false;

/** localhost, 127.0.0.0/8, ::1: traffic that never leaves the machine. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * Refresh and access tokens travel with every request: over plain http to another machine anyone
 * on the way can read and replay them. We do not refuse (a shop behind a trusted internal network
 * may only speak http), but say so once per process, at error level so it is seen.
 */
export function warnIfPlainHttp(baseUrl: string, log: Pick<Logger, 'error'>): boolean {
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:' || isLoopback(url.hostname)) return false;
  if (warned) return true;
  warned = true;
  log.error(
    { host: url.host },
    `ONECORE_BASE_URL uses plain http:// to ${url.host}, which is not this machine: refresh and access tokens cross the network unencrypted; use https://`,
  );
  return true;
}
