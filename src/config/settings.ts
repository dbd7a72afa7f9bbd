import { ConfigError } from './ConfigError.js';
import * as v from './validators.js';
import { parseHistorySetting, type HistorySetting } from './history.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../onecore/http.js';

/**
 * Every environment setting, declared once: its name, what it does and its default as the
 * README's configuration table shows them (test/settings.test.ts compares the two), the default
 * it takes, and the validator of a set value. `readConfig` and `readWorkerSettings` read through
 * these declarations. Dependencies between settings (a cron pattern is checked in `SYNC_TZ`, the
 * queue goes where `REDIS_URL` points) are expressed by reading the other declaration.
 */
export interface Setting<T> {
  /** The environment variable. */
  name: string;
  /** What it does: the README table's "meaning" column (Markdown). */
  description: string;
  /** The default as a user reads it: the README table's "default" column (Markdown). */
  defaultText: string;
  /** Read by every command (readConfig) or by the worker process alone (readWorkerSettings). */
  appliesTo: 'every command' | 'worker';
  /** The value when the variable is unset or blank; a function when it follows other settings. */
  default: T | ((env: Env) => T);
  /** A set value, validated; a bad one throws a ConfigError of one line naming the variable. */
  parse: (raw: string, env: Env) => T;
}

export type Env = Record<string, string | undefined>;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function isSet(env: Env, name: string): boolean {
  const raw = env[name];
  return raw !== undefined && raw.trim() !== '';
}

/** The setting's value in `env`: parsed when set (not blank), else its default. */
export function readSetting<T>(s: Setting<T>, env: Env): T {
  if (isSet(env, s.name)) return s.parse(env[s.name]!, env);
  return typeof s.default === 'function' ? (s.default as (env: Env) => T)(env) : s.default;
}

function refreshToken(raw: string): string {
  const value = raw.trim();
  if (/\s/.test(value)) throw new ConfigError('ONECORE_REFRESH_TOKEN must not contain white space');
  return value;
}

function queuePrefix(raw: string): string {
  const value = raw.trim();
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(value)) {
    throw new ConfigError(`SYNC_QUEUE_PREFIX must be 1 to 64 letters, digits, _ . : or -, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function adminToken(raw: string): string {
  // A short bearer token on an HTTP port is guessable; refuse it rather than run exposed.
  if (raw.trim().length < 16) throw new ConfigError('ADMIN_TOKEN must be at least 16 characters long');
  return raw.trim();
}

/** The worker's timing knobs: whole milliseconds, at most an hour, at least `min`. */
function milliseconds(name: string, min: number): (raw: string) => number {
  return (raw) => {
    const value = v.positiveInteger(name, raw, { max: 3_600_000 });
    if (value < min) throw new ConfigError(`${name} must be at least ${min} (milliseconds), got ${raw}`);
    return value;
  };
}

// In the README table's order.
export const ONECORE_BASE_URL: Setting<string | undefined> = {
  name: 'ONECORE_BASE_URL',
  description: 'the shop URL, e.g. `https://shop.example.com`',
  defaultText: 'required (not for `demo`/`simulate`)',
  appliesTo: 'every command',
  default: undefined,
  parse: (raw) => v.httpUrl('ONECORE_BASE_URL', raw),
};

export const ONECORE_REFRESH_TOKEN: Setting<string | undefined> = {
  name: 'ONECORE_REFRESH_TOKEN',
  description:
    'bootstrap refresh token: stored when the database holds none, or when it differs from the last one bootstrapped (you replaced it). After that the database holds the current (rotated) token.',
  defaultText: '—',
  appliesTo: 'every command',
  default: undefined,
  parse: refreshToken,
};

export const ONECORE_ENDPOINTS: Setting<string[] | undefined> = {
  name: 'ONECORE_ENDPOINTS',
  description: 'comma list of list endpoints (`orders,quotations`), case-insensitive; letters, digits, `_`, `-`',
  defaultText: 'discovered from the OpenAPI document',
  appliesTo: 'every command',
  default: undefined,
  parse: (raw) => v.endpointList('ONECORE_ENDPOINTS', raw),
};

export const ONECORE_OPENAPI_URL: Setting<string | undefined> = {
  name: 'ONECORE_OPENAPI_URL',
  description: "the shop's machine-readable Swagger/OpenAPI document",
  defaultText: '`{base}/swagger/v2/swagger.json`',
  appliesTo: 'every command',
  default: undefined,
  parse: (raw) => v.httpUrl('ONECORE_OPENAPI_URL', raw),
};

export const ONECORE_CONFIG_FILE: Setting<string | undefined> = {
  name: 'ONECORE_CONFIG_FILE',
  description: 'JSON file with per-endpoint options (below)',
  defaultText: '—',
  appliesTo: 'every command',
  default: undefined,
  parse: (raw) => raw,
};

export const ONECORE_NAIVE_TZ: Setting<string> = {
  name: 'ONECORE_NAIVE_TZ',
  description:
    'IANA time zone of date-times the shop sends without an offset (`2024-03-01T10:00:00`); they are stored as that wall-clock time in this zone, in UTC. The vendor documents "no offset means UTC" only for request bodies, so check a few records against the shop\'s admin (see `inspect`)',
  defaultText: '`UTC`',
  appliesTo: 'every command',
  default: 'UTC',
  parse: (raw) => v.timeZone('ONECORE_NAIVE_TZ', raw),
};

export const ONECORE_MAX_RPS: Setting<number> = {
  name: 'ONECORE_MAX_RPS',
  description: 'request-rate cap for the whole shop, shared by all processes (kept in Postgres); `0` = no cap',
  defaultText: '`10`',
  appliesTo: 'every command',
  default: 10,
  parse: (raw) => v.positiveNumber('ONECORE_MAX_RPS', raw, { allowZero: true, max: 100000 }),
};

export const ONECORE_TIMEOUT_MS: Setting<number> = {
  name: 'ONECORE_TIMEOUT_MS',
  description: 'per-request timeout',
  defaultText: '`30000`',
  appliesTo: 'every command',
  default: 30000,
  parse: (raw) => v.positiveInteger('ONECORE_TIMEOUT_MS', raw, { max: 600000 }),
};

export const ONECORE_MAX_RESPONSE_BYTES: Setting<number> = {
  name: 'ONECORE_MAX_RESPONSE_BYTES',
  description:
    'largest response body accepted from the shop; a larger one fails its walk with a line naming this setting (not retried: it will not shrink), and is refused before it is read when `Content-Length` says so',
  defaultText: '`33554432` (32 MiB)',
  appliesTo: 'every command',
  default: DEFAULT_MAX_RESPONSE_BYTES,
  parse: (raw) => v.positiveInteger('ONECORE_MAX_RESPONSE_BYTES', raw, { max: 2 ** 31 - 1 }),
};

export const ONECORE_MAX_RETRY_AFTER_MS: Setting<number> = {
  name: 'ONECORE_MAX_RETRY_AFTER_MS',
  description:
    'longest `Retry-After` a walk job is parked for; a shop asking for longer fails the run, naming its request and this setting, and the next scheduled run tries again',
  defaultText: '`900000` (15 min)',
  appliesTo: 'every command',
  default: 15 * 60_000,
  parse: (raw) => v.positiveInteger('ONECORE_MAX_RETRY_AFTER_MS', raw, { max: 7 * 24 * 3_600_000 }),
};

export const ONECORE_MAX_PAGES_PER_WALK: Setting<number> = {
  name: 'ONECORE_MAX_PAGES_PER_WALK',
  description:
    'a walk whose API still links to a next page after this many pages fails (`PagingLimit`) and releases the endpoint',
  defaultText: '`1000000`',
  appliesTo: 'every command',
  default: 1_000_000,
  parse: (raw) => v.positiveInteger('ONECORE_MAX_PAGES_PER_WALK', raw, { max: 1_000_000_000 }),
};

export const ONECORE_RETRIES: Setting<number> = {
  name: 'ONECORE_RETRIES',
  description:
    'retries of a request that failed transiently (429, 5xx, network, unreadable body), with exponential backoff and full jitter from 250 ms up to 10 s, `Retry-After` honoured up to 60 s',
  defaultText: '`6`',
  appliesTo: 'every command',
  default: 6,
  parse: (raw) => v.positiveInteger('ONECORE_RETRIES', raw, { allowZero: true, max: 20 }),
};

export const DATABASE_URL: Setting<string | undefined> = {
  name: 'DATABASE_URL',
  description: 'Postgres connection string',
  defaultText: 'required (demo: embedded)',
  appliesTo: 'every command',
  default: undefined,
  parse: (raw) => v.connectionUrl('DATABASE_URL', raw, ['postgres:', 'postgresql:']),
};

export const REDIS_URL: Setting<string> = {
  name: 'REDIS_URL',
  description: 'Redis for BullMQ; setting it puts the queue in Redis (unless `QUEUE_BACKEND` says otherwise)',
  defaultText: '`redis://127.0.0.1:6379` when `QUEUE_BACKEND=redis`',
  appliesTo: 'every command',
  default: 'redis://127.0.0.1:6379',
  parse: (raw) => v.connectionUrl('REDIS_URL', raw, ['redis:', 'rediss:']),
};

export const SYNC_INCREMENTAL_CRON: Setting<string> = {
  name: 'SYNC_INCREMENTAL_CRON',
  description: 'incremental schedule (cron, 5 fields, or 6 with leading seconds)',
  defaultText: '`*/15 * * * *`',
  appliesTo: 'every command',
  default: '*/15 * * * *',
  parse: (raw, env) => v.cron('SYNC_INCREMENTAL_CRON', raw, readSetting(SYNC_TZ, env)),
};

export const SYNC_MIRROR_CRON: Setting<string> = {
  name: 'SYNC_MIRROR_CRON',
  description: 'mirror schedule',
  defaultText: '`0 2 * * *`',
  appliesTo: 'every command',
  default: '0 2 * * *',
  parse: (raw, env) => v.cron('SYNC_MIRROR_CRON', raw, readSetting(SYNC_TZ, env)),
};

export const SYNC_TZ: Setting<string> = {
  name: 'SYNC_TZ',
  description: 'IANA time zone of the schedules',
  defaultText: '`UTC`',
  appliesTo: 'every command',
  default: 'UTC',
  parse: (raw) => v.timeZone('SYNC_TZ', raw),
};

export const SYNC_QUEUE_PREFIX: Setting<string> = {
  name: 'SYNC_QUEUE_PREFIX',
  description: 'BullMQ key prefix (Redis queue only: several installations can share one Redis)',
  defaultText: '`onecore-sync`',
  appliesTo: 'every command',
  default: 'onecore-sync',
  parse: queuePrefix,
};

export const QUEUE_BACKEND: Setting<'redis' | 'postgres'> = {
  name: 'QUEUE_BACKEND',
  description:
    "where the BullMQ queue lives: `redis` (`REDIS_URL`) or `postgres` (BullMQ 6's PostgreSQL backend in the `DATABASE_URL` database, its tables in the schema `onecore_queue`)",
  defaultText: '`redis` when `REDIS_URL` is set, else `postgres`',
  appliesTo: 'every command',
  default: (env) => (isSet(env, 'REDIS_URL') ? 'redis' : 'postgres'),
  parse: (raw) => v.oneOf('QUEUE_BACKEND', raw.trim(), ['redis', 'postgres'] as const),
};

export const SYNC_CONCURRENCY: Setting<number | undefined> = {
  name: 'SYNC_CONCURRENCY',
  description:
    'walks a worker process (or `sync`) runs at once, fixed. Unset: sized by itself from the round trips it measures (a walk waits for each answer: its next cursor is in it), to fill the `ONECORE_MAX_RPS` budget and no more — ⌈rps × round trip⌉, at least 2, at most `SYNC_MAX_CONCURRENCY`, no more than the endpoints (and for `sync`, its 10 connections less 2); without a cap (`ONECORE_MAX_RPS=0`) it stays at 2',
  defaultText: 'sized automatically',
  appliesTo: 'every command',
  default: undefined,
  parse: (raw) => v.positiveInteger('SYNC_CONCURRENCY', raw, { max: 64 }),
};

export const SYNC_MAX_CONCURRENCY: Setting<number> = {
  name: 'SYNC_MAX_CONCURRENCY',
  description:
    "the most walks at once when sized automatically (each holds a Postgres connection; a worker's pool is 2 × this + 4)",
  defaultText: '`8`',
  appliesTo: 'every command',
  default: 8,
  parse: (raw) => v.positiveInteger('SYNC_MAX_CONCURRENCY', raw, { max: 64 }),
};

export const MIRROR_MAX_DELETE_SHARE: Setting<number> = {
  name: 'MIRROR_MAX_DELETE_SHARE',
  description:
    "a mirror that would leave fewer than (1 − this share) of an endpoint's live records — counted against the most live records an accepted mirror has left, so the cap holds across runs — marks none deleted and reports why (run `incomplete`); `1` accepts whatever one mirror found (after a real mass deletion upstream)",
  defaultText: '`0.5`',
  appliesTo: 'every command',
  default: 0.5,
  parse: (raw) => v.share('MIRROR_MAX_DELETE_SHARE', raw),
};

export const SYNC_RUNS_RETENTION_DAYS: Setting<number> = {
  name: 'SYNC_RUNS_RETENTION_DAYS',
  description:
    'the worker deletes finished `sync_runs` rows older than this, at start and hourly (one worker at a time); `0` keeps them all',
  defaultText: '`90`',
  appliesTo: 'every command',
  default: 90,
  parse: (raw) => v.positiveInteger('SYNC_RUNS_RETENTION_DAYS', raw, { allowZero: true, max: 36500 }),
};

export const SHUTDOWN_GRACE_MS: Setting<number> = {
  name: 'SHUTDOWN_GRACE_MS',
  description: 'how long SIGTERM waits for the page under way',
  defaultText: '`30000`',
  appliesTo: 'every command',
  default: 30000,
  parse: (raw) => v.positiveInteger('SHUTDOWN_GRACE_MS', raw, { max: 3600000 }),
};

export const SYNC_LOCK_MS: Setting<number> = {
  name: 'SYNC_LOCK_MS',
  description:
    'BullMQ job lock: a job whose worker stops renewing it this long (killed, frozen) is taken over by another worker',
  defaultText: '`30000`',
  appliesTo: 'worker',
  default: 30_000,
  parse: milliseconds('SYNC_LOCK_MS', 1_000),
};

export const SYNC_STALLED_INTERVAL_MS: Setting<number> = {
  name: 'SYNC_STALLED_INTERVAL_MS',
  description: 'how often workers look for such stalled jobs',
  defaultText: '`SYNC_LOCK_MS`',
  appliesTo: 'worker',
  default: (env) => readSetting(SYNC_LOCK_MS, env),
  parse: milliseconds('SYNC_STALLED_INTERVAL_MS', 500),
};

export const SYNC_SCHEDULE_CHECK_MS: Setting<number> = {
  name: 'SYNC_SCHEDULE_CHECK_MS',
  description:
    'how often the schedule owner re-checks the schedulers (they come back by themselves after Redis is wiped)',
  defaultText: '`30000`',
  appliesTo: 'worker',
  default: 30_000,
  parse: milliseconds('SYNC_SCHEDULE_CHECK_MS', 500),
};

export const SYNC_AUTH_CHECK_MS: Setting<number> = {
  name: 'SYNC_AUTH_CHECK_MS',
  description: "how often a worker matches the queue's pause to the authentication state in Postgres",
  defaultText: '`5000`',
  appliesTo: 'worker',
  default: 5_000,
  parse: milliseconds('SYNC_AUTH_CHECK_MS', 200),
};

export const SYNC_AUTH_RETRY_MS: Setting<number> = {
  name: 'SYNC_AUTH_RETRY_MS',
  description:
    'while paused by an authentication failure: how often the fleet (one worker at a time, paced in Postgres) tries the refresh tokens it holds again',
  defaultText: '`600000` (10 min)',
  appliesTo: 'worker',
  default: 600_000,
  parse: milliseconds('SYNC_AUTH_RETRY_MS', 1_000),
};

export const ADMIN_HOST: Setting<string> = {
  name: 'ADMIN_HOST',
  description: "the host the worker's admin HTTP server (`/healthz`, `/metrics`, trigger routes, `/queues`) listens on",
  defaultText: '`127.0.0.1`',
  appliesTo: 'every command',
  default: '127.0.0.1',
  parse: (raw) => v.host('ADMIN_HOST', raw),
};

export const ADMIN_PORT: Setting<number> = {
  name: 'ADMIN_PORT',
  description: "the port of the worker's admin HTTP server",
  defaultText: '`9464`',
  appliesTo: 'every command',
  default: 9464,
  parse: (raw) => v.port('ADMIN_PORT', raw),
};

export const ADMIN_TOKEN: Setting<string | undefined> = {
  name: 'ADMIN_TOKEN',
  description:
    'bearer token for the admin trigger routes and bull-board at `/queues` (16+ characters); without it they are off',
  defaultText: '—',
  appliesTo: 'every command',
  default: undefined,
  parse: adminToken,
};

export const LOG_LEVEL: Setting<string> = {
  name: 'LOG_LEVEL',
  description:
    "`fatal` `error` `warn` `info` `debug` `trace` `silent` (pino, JSON on stderr; tokens are redacted by the logger's configuration)",
  defaultText: '`info`',
  appliesTo: 'every command',
  default: 'info',
  parse: (raw) => v.oneOf('LOG_LEVEL', raw, LOG_LEVELS),
};

export const ONECORE_HISTORY: Setting<HistorySetting> = {
  name: 'ONECORE_HISTORY',
  description:
    'endpoints that keep every version of every record in `onecore_history.<endpoint>` (see [History mode](#history-mode)): a comma list (`orders,quotations`) or `all`',
  defaultText: '— (none)',
  appliesTo: 'every command',
  default: { all: false, endpoints: [] },
  parse: (raw) => parseHistorySetting(raw),
};

export const ONECORE_HISTORY_KEEP_DAYS: Setting<number | undefined> = {
  name: 'ONECORE_HISTORY_KEEP_DAYS',
  description:
    'after each mirror, drop history versions that ended more than this many days ago (current versions are always kept)',
  defaultText: '— (keep all)',
  appliesTo: 'every command',
  default: undefined,
  parse: (raw) => v.positiveInteger('ONECORE_HISTORY_KEEP_DAYS', raw, { max: 36500 }),
};

/** Every setting, in the README table's order. */
export const settings: readonly Setting<unknown>[] = [
  ONECORE_BASE_URL,
  ONECORE_REFRESH_TOKEN,
  ONECORE_ENDPOINTS,
  ONECORE_OPENAPI_URL,
  ONECORE_CONFIG_FILE,
  ONECORE_NAIVE_TZ,
  ONECORE_MAX_RPS,
  ONECORE_TIMEOUT_MS,
  ONECORE_MAX_RESPONSE_BYTES,
  ONECORE_MAX_RETRY_AFTER_MS,
  ONECORE_MAX_PAGES_PER_WALK,
  ONECORE_RETRIES,
  DATABASE_URL,
  REDIS_URL,
  SYNC_INCREMENTAL_CRON,
  SYNC_MIRROR_CRON,
  SYNC_TZ,
  SYNC_QUEUE_PREFIX,
  QUEUE_BACKEND,
  SYNC_CONCURRENCY,
  SYNC_MAX_CONCURRENCY,
  MIRROR_MAX_DELETE_SHARE,
  SYNC_RUNS_RETENTION_DAYS,
  SHUTDOWN_GRACE_MS,
  SYNC_LOCK_MS,
  SYNC_STALLED_INTERVAL_MS,
  SYNC_SCHEDULE_CHECK_MS,
  SYNC_AUTH_CHECK_MS,
  SYNC_AUTH_RETRY_MS,
  ADMIN_HOST,
  ADMIN_PORT,
  ADMIN_TOKEN,
  LOG_LEVEL,
  ONECORE_HISTORY,
  ONECORE_HISTORY_KEEP_DAYS,
];
