import { ConfigError } from './ConfigError.js';
import cronParser from 'cron-parser';
import { IANAZone } from 'luxon';

/** Validators take the variable's name so every message names what is wrong and where. */

export function positiveNumber(name: string, raw: string, opts: { allowZero?: boolean; max?: number } = {}): number {
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value)) {
    throw new ConfigError(`${name} must be a number, got ${JSON.stringify(raw)}`);
  }
  if (value < 0 || (value === 0 && !opts.allowZero)) {
    throw new ConfigError(`${name} must be ${opts.allowZero ? 'zero or more' : 'greater than zero'}, got ${raw}`);
  }
  if (opts.max !== undefined && value > opts.max) {
    throw new ConfigError(`${name} must be at most ${opts.max}, got ${raw}`);
  }
  return value;
}

export function positiveInteger(name: string, raw: string, opts: { allowZero?: boolean; max?: number } = {}): number {
  const value = positiveNumber(name, raw, opts);
  if (!Number.isInteger(value)) throw new ConfigError(`${name} must be a whole number, got ${raw}`);
  return value;
}

export function share(name: string, raw: string): number {
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new ConfigError(`${name} must be a number from 0 to 1, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function httpUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(
      `${name} must be an http(s) URL such as https://shop.example.com, got ${JSON.stringify(raw)}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must use http or https, got ${url.protocol.replace(':', '')}`);
  }
  if (url.username || url.password) throw new ConfigError(`${name} must not contain credentials`);
  // Keep any path prefix the shop is mounted under, without the trailing slash.
  return url.toString().replace(/\/+$/, '');
}

export function connectionUrl(name: string, raw: string, protocols: string[]): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`${name} must be a URL such as ${protocols[0]}//host:port/…, got something else`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(
      `${name} must start with ${protocols.map((p) => p + '//').join(' or ')}, got ${url.protocol}//`,
    );
  }
  return raw.trim();
}

export function cron(name: string, raw: string, tz: string): string {
  const pattern = raw.trim().replace(/\s+/g, ' ');
  const fields = pattern.split(' ').length;
  if (fields !== 5 && fields !== 6) {
    throw new ConfigError(
      `${name} must be a cron pattern of 5 fields (or 6 with leading seconds), got ${fields} in ${JSON.stringify(raw)}`,
    );
  }
  try {
    cronParser.parseExpression(pattern, { tz });
  } catch (err) {
    throw new ConfigError(`${name} is not a valid cron pattern (${JSON.stringify(raw)}): ${(err as Error).message}`);
  }
  return pattern;
}

export function timeZone(name: string, raw: string): string {
  const zone = raw.trim();
  if (!IANAZone.isValidZone(zone))
    throw new ConfigError(`${name} must be an IANA time zone such as UTC or Europe/Berlin, got ${JSON.stringify(raw)}`);
  return zone;
}

export function oneOf<T extends string>(name: string, raw: string, allowed: readonly T[]): T {
  const value = raw.trim().toLowerCase() as T;
  if (!allowed.includes(value))
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  return value;
}

export function host(name: string, raw: string): string {
  const value = raw.trim();
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(value))
    throw new ConfigError(`${name} must be a host name or IP address, got ${JSON.stringify(raw)}`);
  return value;
}

export function port(name: string, raw: string): number {
  const value = positiveInteger(name, raw, { allowZero: true, max: 65535 });
  return value;
}

/**
 * Endpoint names become URL path segments and Postgres relation names. We accept only what a
 * oneCORE list route can look like (letters, digits, `_`, `-`), so a name can never break a URL or
 * an identifier, and report anything else by name.
 */
export const ENDPOINT_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

export function endpointName(name: string, raw: string): string {
  const value = raw.trim().toLowerCase();
  if (!ENDPOINT_NAME.test(value)) {
    throw new ConfigError(
      `${name}: endpoint name ${JSON.stringify(raw)} is not valid (letters, digits, _ and - only, starting with a letter, at most 63)`,
    );
  }
  return value;
}

export function endpointList(name: string, raw: string): string[] {
  const parts = raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) throw new ConfigError(`${name} must list at least one endpoint, e.g. orders,quotations`);
  const names = parts.map((p) => endpointName(name, p));
  return [...new Set(names)];
}
