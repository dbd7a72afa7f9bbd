import { readFileSync } from 'node:fs';
import { ConfigError } from './ConfigError.js';
import * as v from './validators.js';
import { isObject } from '../json/isObject.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../onecore/http.js';
import { parseHistorySetting, type HistorySetting } from './history.js';

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

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

type Env = Record<string, string | undefined>;

function get(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw;
}

/**
 * Reads and validates every setting at once, so a bad value stops the process at start-up with
 * one line naming the variable, never half-way through a sync. Layers: environment, then the
 * optional per-endpoint options file (`ONECORE_CONFIG_FILE`), then defaults.
 */
export function readConfig(env: Env = process.env): Config {
  const tz = get(env, 'SYNC_TZ') !== undefined ? v.timeZone('SYNC_TZ', env.SYNC_TZ!) : 'UTC';
  const baseUrl =
    get(env, 'ONECORE_BASE_URL') !== undefined ? v.httpUrl('ONECORE_BASE_URL', env.ONECORE_BASE_URL!) : undefined;
  const refreshToken = get(env, 'ONECORE_REFRESH_TOKEN')?.trim();
  if (refreshToken !== undefined && /\s/.test(refreshToken)) {
    throw new ConfigError('ONECORE_REFRESH_TOKEN must not contain white space');
  }
  const configFile = get(env, 'ONECORE_CONFIG_FILE');
  const fileOptions =
    configFile !== undefined ? readEndpointOptionsFile(configFile) : { endpoints: undefined, options: {} };
  const endpoints =
    get(env, 'ONECORE_ENDPOINTS') !== undefined
      ? v.endpointList('ONECORE_ENDPOINTS', env.ONECORE_ENDPOINTS!)
      : fileOptions.endpoints;

  return {
    baseUrl,
    refreshToken,
    endpoints,
    openapiUrl:
      get(env, 'ONECORE_OPENAPI_URL') !== undefined
        ? v.httpUrl('ONECORE_OPENAPI_URL', env.ONECORE_OPENAPI_URL!)
        : undefined,
    maxRps:
      get(env, 'ONECORE_MAX_RPS') !== undefined
        ? v.positiveNumber('ONECORE_MAX_RPS', env.ONECORE_MAX_RPS!, { allowZero: true, max: 100000 })
        : 10,
    requestTimeoutMs:
      get(env, 'ONECORE_TIMEOUT_MS') !== undefined
        ? v.positiveInteger('ONECORE_TIMEOUT_MS', env.ONECORE_TIMEOUT_MS!, { max: 600000 })
        : 30000,
    maxResponseBytes:
      get(env, 'ONECORE_MAX_RESPONSE_BYTES') !== undefined
        ? v.positiveInteger('ONECORE_MAX_RESPONSE_BYTES', env.ONECORE_MAX_RESPONSE_BYTES!, { max: 2 ** 31 - 1 })
        : DEFAULT_MAX_RESPONSE_BYTES,
    maxRetryAfterMs:
      get(env, 'ONECORE_MAX_RETRY_AFTER_MS') !== undefined
        ? v.positiveInteger('ONECORE_MAX_RETRY_AFTER_MS', env.ONECORE_MAX_RETRY_AFTER_MS!, { max: 7 * 24 * 3_600_000 })
        : 15 * 60_000,
    maxPagesPerWalk:
      get(env, 'ONECORE_MAX_PAGES_PER_WALK') !== undefined
        ? v.positiveInteger('ONECORE_MAX_PAGES_PER_WALK', env.ONECORE_MAX_PAGES_PER_WALK!, { max: 1_000_000_000 })
        : 1_000_000,
    retries:
      get(env, 'ONECORE_RETRIES') !== undefined
        ? v.positiveInteger('ONECORE_RETRIES', env.ONECORE_RETRIES!, { allowZero: true, max: 20 })
        : 6,
    databaseUrl:
      get(env, 'DATABASE_URL') !== undefined
        ? v.connectionUrl('DATABASE_URL', env.DATABASE_URL!, ['postgres:', 'postgresql:'])
        : undefined,
    redisUrl:
      get(env, 'REDIS_URL') !== undefined
        ? v.connectionUrl('REDIS_URL', env.REDIS_URL!, ['redis:', 'rediss:'])
        : 'redis://127.0.0.1:6379',
    // Redis when the operator names one, else the queue lives in the Postgres we need anyway.
    queueBackend:
      get(env, 'QUEUE_BACKEND') !== undefined
        ? v.oneOf('QUEUE_BACKEND', env.QUEUE_BACKEND!.trim(), ['redis', 'postgres'] as const)
        : get(env, 'REDIS_URL') !== undefined
          ? 'redis'
          : 'postgres',
    queuePrefix: get(env, 'SYNC_QUEUE_PREFIX') !== undefined ? queuePrefix(env.SYNC_QUEUE_PREFIX!) : 'onecore-sync',
    concurrency:
      get(env, 'SYNC_CONCURRENCY') !== undefined
        ? v.positiveInteger('SYNC_CONCURRENCY', env.SYNC_CONCURRENCY!, { max: 64 })
        : undefined,
    maxConcurrency:
      get(env, 'SYNC_MAX_CONCURRENCY') !== undefined
        ? v.positiveInteger('SYNC_MAX_CONCURRENCY', env.SYNC_MAX_CONCURRENCY!, { max: 64 })
        : 8,
    incrementalCron: v.cron('SYNC_INCREMENTAL_CRON', get(env, 'SYNC_INCREMENTAL_CRON') ?? '*/15 * * * *', tz),
    mirrorCron: v.cron('SYNC_MIRROR_CRON', get(env, 'SYNC_MIRROR_CRON') ?? '0 2 * * *', tz),
    tz,
    naiveTz: get(env, 'ONECORE_NAIVE_TZ') !== undefined ? v.timeZone('ONECORE_NAIVE_TZ', env.ONECORE_NAIVE_TZ!) : 'UTC',
    adminHost: get(env, 'ADMIN_HOST') !== undefined ? v.host('ADMIN_HOST', env.ADMIN_HOST!) : '127.0.0.1',
    adminPort: get(env, 'ADMIN_PORT') !== undefined ? v.port('ADMIN_PORT', env.ADMIN_PORT!) : 9464,
    adminToken: adminToken(get(env, 'ADMIN_TOKEN')),
    logLevel: get(env, 'LOG_LEVEL') !== undefined ? v.oneOf('LOG_LEVEL', env.LOG_LEVEL!, LOG_LEVELS) : 'info',
    mirrorMaxDeleteShare:
      get(env, 'MIRROR_MAX_DELETE_SHARE') !== undefined
        ? v.share('MIRROR_MAX_DELETE_SHARE', env.MIRROR_MAX_DELETE_SHARE!)
        : 0.5,
    runsRetentionDays:
      get(env, 'SYNC_RUNS_RETENTION_DAYS') !== undefined
        ? v.positiveInteger('SYNC_RUNS_RETENTION_DAYS', env.SYNC_RUNS_RETENTION_DAYS!, { allowZero: true, max: 36500 })
        : 90,
    shutdownGraceMs:
      get(env, 'SHUTDOWN_GRACE_MS') !== undefined
        ? v.positiveInteger('SHUTDOWN_GRACE_MS', env.SHUTDOWN_GRACE_MS!, { max: 3600000 })
        : 30000,
    endpointOptions: fileOptions.options,
    history: parseHistorySetting(get(env, 'ONECORE_HISTORY')),
    historyKeepDays:
      get(env, 'ONECORE_HISTORY_KEEP_DAYS') !== undefined
        ? v.positiveInteger('ONECORE_HISTORY_KEEP_DAYS', env.ONECORE_HISTORY_KEEP_DAYS!, { max: 36500 })
        : undefined,
  };
}

function queuePrefix(raw: string): string {
  const value = raw.trim();
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(value)) {
    throw new ConfigError(`SYNC_QUEUE_PREFIX must be 1 to 64 letters, digits, _ . : or -, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function adminToken(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  // A short bearer token on an HTTP port is guessable; refuse it rather than run exposed.
  if (raw.trim().length < 16) throw new ConfigError('ADMIN_TOKEN must be at least 16 characters long');
  return raw.trim();
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
