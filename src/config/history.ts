import { ConfigError } from './ConfigError.js';
import * as v from './validators.js';
import type { EndpointOptions } from './readConfig.js';

/** Which endpoints keep every version of every record (`onecore_history.<endpoint>`). */
export interface HistorySetting {
  /** `ONECORE_HISTORY=all`: every endpoint synced. */
  all: boolean;
  /** Endpoints named in `ONECORE_HISTORY`. */
  endpoints: string[];
}

/** `ONECORE_HISTORY`: `all`, or a comma list of endpoints (case-insensitive). Unset: none. */
export function parseHistorySetting(raw: string | undefined): HistorySetting {
  if (raw === undefined || raw.trim() === '') return { all: false, endpoints: [] };
  if (raw.trim().toLowerCase() === 'all') return { all: true, endpoints: [] };
  const parts = raw.split(',').map((p) => p.trim().toLowerCase());
  if (parts.includes('all')) {
    throw new ConfigError(
      `ONECORE_HISTORY must be "all" alone or a comma list of endpoints, got ${JSON.stringify(raw)}`,
    );
  }
  return { all: false, endpoints: v.endpointList('ONECORE_HISTORY', raw) };
}

/**
 * Whether an endpoint keeps history: `"history": true|false` in the options file decides when
 * present (so `false` can exempt one endpoint from `ONECORE_HISTORY=all`), else ONECORE_HISTORY.
 */
export function historyEnabled(
  config: { history: HistorySetting; endpointOptions: Record<string, EndpointOptions> },
  endpoint: string,
): boolean {
  const name = endpoint.toLowerCase();
  const fromFile = config.endpointOptions[name]?.history;
  if (fromFile !== undefined) return fromFile;
  return config.history.all || config.history.endpoints.includes(name);
}
