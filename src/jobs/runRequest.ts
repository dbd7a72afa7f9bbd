import { ConfigError } from '../config/ConfigError.js';
import { endpointName } from '../config/validators.js';
import type { Mode } from '../db/sql/checkpoints.js';
import type { RunRequest } from './enqueue.js';

/**
 * One set of rules for the CLI flags and the admin routes: endpoint names as the configuration
 * accepts them, a start cursor only for a backfill and never empty. Problems are ConfigErrors
 * naming what is wrong (exit 2 on the command line, 400 over HTTP).
 */
export function validateRunRequest(where: string, mode: Mode, endpoints: unknown, from: unknown): RunRequest {
  let names: string[] | undefined;
  if (endpoints !== undefined && endpoints !== null) {
    if (!Array.isArray(endpoints) || endpoints.some((e) => typeof e !== 'string')) {
      throw new ConfigError(`${where}: endpoints must be a list of endpoint names`);
    }
    names = [...new Set(endpoints.map((e: string) => endpointName(`${where}: endpoint`, e)))];
  }
  if (from !== undefined && from !== null) {
    if (mode !== 'backfill') throw new ConfigError(`${where}: a start cursor (from) only goes with a backfill`);
    if (typeof from !== 'string' || from.trim() === '') throw new ConfigError(`${where}: from needs a cursor value`);
  }
  return {
    mode,
    ...(names && names.length > 0 ? { endpoints: names } : {}),
    ...(typeof from === 'string' ? { from: from.trim() } : {}),
  };
}
