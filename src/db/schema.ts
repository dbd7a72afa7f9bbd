import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  check,
  index,
  integer,
  json,
  pgSchema,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';

/**
 * `onecore` holds what users query: one relation per endpoint (`onecore.orders`, …), created by
 * the engine the first time an endpoint is synced (see src/db/sql/ensureRecordTable.ts), because endpoint
 * names are only known at run time. `onecore_sync` holds the state that must survive anything:
 * credentials, checkpoints, run history and rejected records.
 */
export const dataSchema = pgSchema('onecore');
export const syncSchema = pgSchema('onecore_sync');
/**
 * `onecore_history` holds, for endpoints with history mode on, every version of every record
 * (`onecore_history.<endpoint>`) and its as-of function, created by the engine at run time like
 * the `onecore` tables (see src/db/sql/historyTable.ts).
 */
export const historySchema = pgSchema('onecore_history');

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** One row: the shop's credentials. Renewal locks it (`for update`) so it happens once for all workers. */
export const credentials = syncSchema.table(
  'credentials',
  {
    id: smallint('id').primaryKey().default(1),
    refreshToken: text('refresh_token').notNull(),
    /** Kept after a rotation and tried once if the current one is refused. */
    previousRefreshToken: text('previous_refresh_token'),
    /** When the current refresh token was first stored (bootstrap, `token set` or rotation). */
    refreshTokenSince: ts('refresh_token_since').notNull().defaultNow(),
    rotatedAt: ts('rotated_at'),
    accessToken: text('access_token'),
    accessTokenExpiresAt: ts('access_token_expires_at'),
    renewedAt: ts('renewed_at'),
    renewCount: bigint('renew_count', { mode: 'number' }).notNull().default(0),
    /** sha-256 of the last ONECORE_REFRESH_TOKEN bootstrapped, to notice the operator changing it. */
    bootstrapSha256: text('bootstrap_sha256'),
    source: text('source').notNull(),
    /**
     * Set when the shop refused every refresh token we hold: scheduling pauses until an operator
     * stores a new one (`token set` clears it), instead of failing in a storm.
     */
    authFailedAt: ts('auth_failed_at'),
    authFailedReason: text('auth_failed_reason'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [check('credentials_single_row', sql`${t.id} = 1`)],
);

/**
 * Where each endpoint's walk stands, per mode. `cursor` is the `after` value of the next page to
 * fetch (NULL = from the beginning). Mirror and backfill walks carry a `walk_id` so a retried job
 * resumes its own walk; `completed_at` set means the next one starts afresh.
 */
export const checkpoints = syncSchema.table(
  'checkpoints',
  {
    endpoint: text('endpoint').notNull(),
    mode: text('mode').notNull(),
    cursor: text('cursor'),
    walkId: bigint('walk_id', { mode: 'number' }),
    walkStartedAt: ts('walk_started_at'),
    /** Identifies the request (e.g. one backfill) that started the walk, so its retries resume it. */
    requestId: text('request_id'),
    completedAt: ts('completed_at'),
    pages: integer('pages').notNull().default(0),
    records: bigint('records', { mode: 'number' }).notNull().default(0),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.endpoint, t.mode] })],
);

/** What the engine knows of each endpoint: forbidden (403) ones are remembered and reported. */
export const endpoints = syncSchema.table('endpoints', {
  name: text('name').primaryKey(),
  status: text('status').notNull().default('active'),
  source: text('source').notNull(),
  keyField: text('key_field'),
  firstSeenAt: ts('first_seen_at').notNull().defaultNow(),
  lastSuccessAt: ts('last_success_at'),
  lastError: text('last_error'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** One row per endpoint walk (a resumed walk is a new run carrying the same walk_id). */
export const syncRuns = syncSchema.table(
  'sync_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    endpoint: text('endpoint').notNull(),
    mode: text('mode').notNull(),
    status: text('status').notNull(),
    walkId: bigint('walk_id', { mode: 'number' }),
    jobId: text('job_id'),
    startedAt: ts('started_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
    pages: integer('pages').notNull().default(0),
    recordsSeen: bigint('records_seen', { mode: 'number' }).notNull().default(0),
    inserted: bigint('inserted', { mode: 'number' }).notNull().default(0),
    updated: bigint('updated', { mode: 'number' }).notNull().default(0),
    unchanged: bigint('unchanged', { mode: 'number' }).notNull().default(0),
    deleted: bigint('deleted', { mode: 'number' }).notNull().default(0),
    rejected: bigint('rejected', { mode: 'number' }).notNull().default(0),
    cursorStart: text('cursor_start'),
    cursorEnd: text('cursor_end'),
    error: text('error'),
  },
  (t) => [
    index('sync_runs_endpoint_started').on(t.endpoint, t.startedAt),
    // The newest run per endpoint and mode (metrics, status) without sorting the history.
    index('sync_runs_endpoint_mode_id').on(t.endpoint, t.mode, t.id),
    // incomplete: a mirror whose pages were stored but whose deletions were refused (see mirrorSafety.ts).
    check(
      'sync_runs_status',
      sql`${t.status} in ('running', 'succeeded', 'failed', 'forbidden', 'skipped', 'incomplete')`,
    ),
  ],
);

/** Records the engine could not store, kept verbatim (as text: `jsonb` refuses some of them). */
export const rejectedRecords = syncSchema.table(
  'rejected_records',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    endpoint: text('endpoint').notNull(),
    runId: bigint('run_id', { mode: 'number' }).references(() => syncRuns.id, { onDelete: 'set null' }),
    reason: text('reason').notNull(),
    raw: text('raw').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** The record's key, when it had a readable one (a mirror counted it as seen). */
    recordKey: text('record_key'),
    /** Postgres' own message, when Postgres refused the record. */
    detail: text('detail'),
    /** Last time a walk met this same record again (it is stored once per endpoint and raw text). */
    lastSeenAt: ts('last_seen_at'),
  },
  (t) => [
    index('rejected_records_endpoint').on(t.endpoint, t.createdAt),
    // run_id: deleting old runs (retention) sets it NULL here; without the index every deleted run
    // would scan this table.
    index('rejected_records_run').on(t.runId),
    // A page re-read meets its rejected records again: they are recognized by their raw text.
    index('rejected_records_raw').on(t.endpoint, sql`md5(${t.raw})`),
  ],
);

/**
 * The keys a mirror walk has seen, one row per page (an array of keys), so that deletions can be
 * marked after the walk completes without keeping millions of keys in memory. Rows are removed
 * when the walk finishes.
 */
export const mirrorSeen = syncSchema.table(
  'mirror_seen',
  {
    walkId: bigint('walk_id', { mode: 'number' }).notNull(),
    page: integer('page').notNull(),
    ids: text('ids').array().notNull(),
  },
  (t) => [primaryKey({ columns: [t.walkId, t.page] })],
);

/**
 * What earlier walks of an endpoint established, against which a mirror's deletions are checked
 * (src/sync/mirrorSafety.ts): the most live records an accepted mirror has left (the cap holds
 * against it across runs, so repeated short listings cannot ratchet the table down), and the keys
 * of the last records the last complete walk reached (a listing that ends before them ended early).
 */
export const mirrorBaselines = syncSchema.table('mirror_baselines', {
  endpoint: text('endpoint').primaryKey(),
  liveHighWater: bigint('live_high_water', { mode: 'number' }),
  lastKeys: text('last_keys').array(),
  lastKeysAt: ts('last_keys_at'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Shop-wide request pacing shared by every process (see src/onecore/rateLimiter.ts). */
export const rateLimits = syncSchema.table('rate_limits', {
  key: text('key').primaryKey(),
  nextAt: ts('next_at').notNull(),
});

export const walkIds = syncSchema.sequence('walk_ids');

/**
 * Endpoints whose history is being kept. A row means the history table holds a current version
 * for every mirror row (seeded once when history was first turned on); `paused_at` is set when a
 * walk ran with history off, so the next walk with history on reconciles what it missed.
 */
export const historyEndpoints = syncSchema.table('history_endpoints', {
  endpoint: text('endpoint').primaryKey(),
  enabledAt: ts('enabled_at').notNull().defaultNow(),
  reconciledAt: ts('reconciled_at').notNull().defaultNow(),
  pausedAt: ts('paused_at'),
});

/**
 * The column each API field got in a typed view (`onecore_typed.<view>`, see src/views). Kept so
 * that a name never changes between runs (collisions are resolved once, first come first served),
 * a field that vanished upstream keeps its column, and a column keeps its place and its type.
 */
export const typedColumns = syncSchema.table(
  'typed_columns',
  {
    /** The view's name in `onecore_typed`: the endpoint, or `<endpoint>__<field>` for a child view. */
    view: text('view').notNull(),
    /** Where the value sits in the record (or in the list element): one key, or a key and a sub key. */
    path: text('path').array().notNull(),
    column: text('column').notNull(),
    /** bigint, numeric, boolean, timestamptz, date, text or jsonb. */
    type: text('type').notNull(),
    position: integer('position').notNull(),
    /** From the shop's OpenAPI document, when it has one. */
    description: text('description'),
    /** For a list of objects: the child view that holds its elements (`<endpoint>__<column>`). */
    childView: text('child_view'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.view, t.path] }), unique('typed_columns_view_column').on(t.view, t.column)],
);

/** The record schema the shop's OpenAPI document gives for each endpoint (refreshed with the views). */
export const endpointSchemas = syncSchema.table('endpoint_schemas', {
  endpoint: text('endpoint').primaryKey(),
  /** json, not jsonb: the order of the properties is the order of the columns. */
  schema: json('schema').notNull(),
  fetchedAt: ts('fetched_at').notNull().defaultNow(),
});
