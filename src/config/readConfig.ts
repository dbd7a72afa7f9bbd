import { readFileSync } from 'node:fs';
import { ConfigError } from './ConfigError.js';
import * as v from './validators.js';
import { isObject } from '../json/isObject.js';
import type { HistorySetting } from './history.js';
import * as setting from './settings.js';
import { LOG_LEVELS, readSetting, type Env, type Setting } from './settings.js';

export interface EndpointOptions {
  /** Record field that holds the key; matched case-insensitively. Default `id`. */
  keyField?: string;
  /** Name of the page's record array when the page has more than one array property. */
  recordsKey?: string;
  /** Query parameter that sets the page size, and the size to ask for. Sent only when both are set. */
  pageSizeParam?: string;
  pageSize?: number;
  /**
   * The listing's order. `newest-first`: new records appear on the first page, so incremental runs
   * walk from the start until a page holds nothing new. Detected when not set.
   */
  order?: 'oldest-first' | 'newest-first';
  /**
   * A per-parent list: `path` under /api/v2/ with one `{placeholder}` for the parent's key
   * (`ordershipments/{orderId}/list`), walked once per live record of `parent` (an endpoint synced
   * before it). Rows keep the parent's key in `parent_id`.
   */
  path?: string;
  parent?: string;
  /** Keep every version of every record in `onecore_history.<endpoint>` (overrides ONECORE_HISTORY). */
  history?: boolean;
}

export interface Config {
  baseUrl: string | undefined;
  refreshToken: string | undefined;
  endpoints: string[] | undefined;
  openapiUrl: string | undefined;
  maxRps: number;
  requestTimeoutMs: number;
  retries: number;
  /** Longest Retry-After a walk is parked for (ONECORE_MAX_RETRY_AFTER_MS); beyond it the run fails visibly. */
  maxRetryAfterMs: number;
  /** A walk that would read more pages than this fails (ONECORE_MAX_PAGES_PER_WALK). */
  maxPagesPerWalk: number;
  /** Largest HTTP response body accepted from the shop (ONECORE_MAX_RESPONSE_BYTES). */
  maxResponseBytes: number;
  databaseUrl: string | undefined;
  redisUrl: string;
  /** Where the BullMQ queue lives: Redis (`REDIS_URL`) or Postgres (`DATABASE_URL`, schema `onecore_queue`). */
  queueBackend: 'redis' | 'postgres';
  queuePrefix: string;
  /** SYNC_CONCURRENCY: walks at once, fixed. Unset: sized to fill the request budget (walkerCount.ts). */
  concurrency: number | undefined;
  /** SYNC_MAX_CONCURRENCY: the most walks at once when they are sized automatically. */
  maxConcurrency: number;
  incrementalCron: string;
  mirrorCron: string;
  tz: string;
  /** IANA zone of date-times the shop sends without an offset (ONECORE_NAIVE_TZ). */
  naiveTz: string;
  adminHost: string;
  adminPort: number;
  adminToken: string | undefined;
  logLevel: string;
  mirrorMaxDeleteShare: number;
  /** Finished sync_runs older than this many days are deleted by the worker; 0 keeps them all. */
  runsRetentionDays: number;
  shutdownGraceMs: number;
  endpointOptions: Record<string, EndpointOptions>;
  /** ONECORE_HISTORY (see src/config/history.ts). */
  history: HistorySetting;
  /** ONECORE_HISTORY_KEEP_DAYS: closed history versions older than this are dropped; undefined keeps all. */
  historyKeepDays: number | undefined;
}

export { LOG_LEVELS };

/**
 * Reads and validates every setting at once, so a bad value stops the process at start-up with
 * one line naming the variable, never half-way through a sync. Layers: environment, then the
 * optional per-endpoint options file (`ONECORE_CONFIG_FILE`), then defaults (src/config/settings.ts
 * declares each setting, its default and its validator).
 */
export function readConfig(env: Env = process.env): Config {
  const read = <T>(setting: Setting<T>): T => readSetting(setting, env);
  const tz = read(setting.SYNC_TZ);
  const baseUrl = read(setting.ONECORE_BASE_URL);
  const refreshToken = read(setting.ONECORE_REFRESH_TOKEN);
  const configFile = read(setting.ONECORE_CONFIG_FILE);
  const fileOptions =
    configFile !== undefined ? readEndpointOptionsFile(configFile) : { endpoints: undefined, options: {} };
  const endpoints = read(setting.ONECORE_ENDPOINTS) ?? fileOptions.endpoints;

  return {
    baseUrl,
    refreshToken,
    endpoints,
    openapiUrl: read(setting.ONECORE_OPENAPI_URL),
    maxRps: read(setting.ONECORE_MAX_RPS),
    requestTimeoutMs: read(setting.ONECORE_TIMEOUT_MS),
    maxResponseBytes: read(setting.ONECORE_MAX_RESPONSE_BYTES),
    maxRetryAfterMs: read(setting.ONECORE_MAX_RETRY_AFTER_MS),
    maxPagesPerWalk: read(setting.ONECORE_MAX_PAGES_PER_WALK),
    retries: read(setting.ONECORE_RETRIES),
    databaseUrl: read(setting.DATABASE_URL),
    redisUrl: read(setting.REDIS_URL),
    // Redis when the operator names one, else the queue lives in the Postgres we need anyway.
    queueBackend: read(setting.QUEUE_BACKEND),
    queuePrefix: read(setting.SYNC_QUEUE_PREFIX),
    concurrency: read(setting.SYNC_CONCURRENCY),
    maxConcurrency: read(setting.SYNC_MAX_CONCURRENCY),
    incrementalCron: read(setting.SYNC_INCREMENTAL_CRON),
    mirrorCron: read(setting.SYNC_MIRROR_CRON),
    tz,
    naiveTz: read(setting.ONECORE_NAIVE_TZ),
    adminHost: read(setting.ADMIN_HOST),
    adminPort: read(setting.ADMIN_PORT),
    adminToken: read(setting.ADMIN_TOKEN),
    logLevel: read(setting.LOG_LEVEL),
    mirrorMaxDeleteShare: read(setting.MIRROR_MAX_DELETE_SHARE),
    runsRetentionDays: read(setting.SYNC_RUNS_RETENTION_DAYS),
    shutdownGraceMs: read(setting.SHUTDOWN_GRACE_MS),
    endpointOptions: fileOptions.options,
    history: read(setting.ONECORE_HISTORY),
    historyKeepDays: read(setting.ONECORE_HISTORY_KEEP_DAYS),
  };
}

const OPTION_KEYS = new Set([
  'keyField',
  'recordsKey',
  'pageSizeParam',
  'pageSize',
  'order',
  'history',
  'path',
  'parent',
]);

/**
 * The options file: `{"endpoints": {"orders": {"keyField": "orderId"}, …}}`. Listing endpoints
 * there also selects them when `ONECORE_ENDPOINTS` is not set.
 */
export function readEndpointOptionsFile(path: string): {
  endpoints: string[] | undefined;
  options: Record<string, EndpointOptions>;
} {
  const where = `ONECORE_CONFIG_FILE (${path})`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${where} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${where} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(parsed) || !isObject(parsed.endpoints)) {
    throw new ConfigError(
      `${where} must be a JSON object with an "endpoints" object, e.g. {"endpoints": {"orders": {"keyField": "id"}}}`,
    );
  }
  for (const key of Object.keys(parsed)) {
    if (key !== 'endpoints') throw new ConfigError(`${where}: unknown key ${JSON.stringify(key)} (only "endpoints")`);
  }
  const options: Record<string, EndpointOptions> = {};
  for (const [rawName, rawOptions] of Object.entries(parsed.endpoints)) {
    const name = v.endpointName(where, rawName);
    if (!isObject(rawOptions)) throw new ConfigError(`${where}: endpoints.${rawName} must be an object`);
    for (const key of Object.keys(rawOptions)) {
      if (!OPTION_KEYS.has(key))
        throw new ConfigError(
          `${where}: endpoints.${rawName}.${key} is not an option (${[...OPTION_KEYS].join(', ')})`,
        );
    }
    const o: EndpointOptions = {};
    for (const key of ['keyField', 'recordsKey', 'pageSizeParam'] as const) {
      const value = rawOptions[key];
      if (value === undefined) continue;
      if (typeof value !== 'string' || value.trim() === '')
        throw new ConfigError(`${where}: endpoints.${rawName}.${key} must be a non-empty string`);
      o[key] = value.trim();
    }
    if (rawOptions.history !== undefined) {
      if (typeof rawOptions.history !== 'boolean')
        throw new ConfigError(`${where}: endpoints.${rawName}.history must be true or false`);
      o.history = rawOptions.history;
    }
    if (rawOptions.pageSize !== undefined) {
      o.pageSize = v.positiveInteger(`${where}: endpoints.${rawName}.pageSize`, String(rawOptions.pageSize), {
        max: 100000,
      });
    }
    if (rawOptions.order !== undefined) {
      if (rawOptions.order !== 'oldest-first' && rawOptions.order !== 'newest-first') {
        throw new ConfigError(
          `${where}: endpoints.${rawName}.order must be "oldest-first" or "newest-first", got ${JSON.stringify(rawOptions.order)}`,
        );
      }
      o.order = rawOptions.order;
    }
    if (rawOptions.path !== undefined || rawOptions.parent !== undefined) {
      const path = rawOptions.path;
      if (
        typeof path !== 'string' ||
        !/^[A-Za-z0-9_-]+(\/(?:[A-Za-z0-9_-]+|\{[A-Za-z_][A-Za-z0-9_]*\}))*$/.test(path.trim()) ||
        (path.match(/\{/g) ?? []).length !== 1
      ) {
        throw new ConfigError(
          `${where}: endpoints.${rawName}.path must be a path under /api/v2/ with one {placeholder} for the parent key, e.g. "ordershipments/{orderId}/list"`,
        );
      }
      if (typeof rawOptions.parent !== 'string')
        throw new ConfigError(`${where}: endpoints.${rawName}.parent must name the parent endpoint, e.g. "orders"`);
      const parent = v.endpointName(`${where}: endpoints.${rawName}.parent`, rawOptions.parent);
      if (parent === name) throw new ConfigError(`${where}: endpoints.${rawName}.parent cannot be the endpoint itself`);
      o.path = path.trim();
      o.parent = parent;
    }
    options[name] = o;
  }
  const names = Object.keys(options);
  return { endpoints: names.length > 0 ? names : undefined, options };
}

/** For commands that cannot run without a setting: one line that names it. */
export function required<K extends keyof Config>(
  config: Config,
  key: K,
  variable: string,
  why: string,
): NonNullable<Config[K]> {
  const value = config[key];
  if (value === undefined || value === null) throw new ConfigError(`${variable} is required ${why}`);
  return value as NonNullable<Config[K]>;
}
