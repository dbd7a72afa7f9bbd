import { inject } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { readConfig, type Config } from '../../src/config/readConfig.js';
import { createLogger, type Logger } from '../../src/log/createLogger.js';
import { createShopApi, type ShopApi } from '../../src/onecore/createShopApi.js';
import { walkEndpoint, type WalkResult } from '../../src/sync/walkEndpoint.js';
import { normalizeRecord } from '../../src/sync/normalizeDates.js';
import { readKey } from '../../src/sync/prepareRecords.js';
import { recordTable } from '../../src/db/quoteIdent.js';
import type { Mode } from '../../src/db/sql/checkpoints.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { canonicalJson } from './canonicalJson.js';
import { historyEnabled } from '../../src/config/history.js';

export interface Stack {
  sim: Simulator;
  db: TestDatabase;
  /** Environment for CLI children and `readConfig`. */
  env: Record<string, string>;
  config: Config;
  log: Logger;
  /** An in-process API client bound to this stack (opened on first use). */
  api(): ShopApi;
  walk(
    endpoint: string,
    mode: Mode,
    extra?: { from?: string | null; requestId?: string; maxDeleteShare?: number },
  ): Promise<WalkResult>;
  close(): Promise<void>;
}

/** A simulator and a fresh migrated database, wired together the way a user would configure them. */
export async function startStack(
  opts: { sim?: SimulatorOptions; env?: Record<string, string>; dbEncoding?: string } = {},
): Promise<Stack> {
  const sim = await startSimulator({ records: 250, ...opts.sim });
  const db = await createTestDatabase({ encoding: opts.dbEncoding });
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    REDIS_URL: inject('redisUrl'),
    ONECORE_BASE_URL: sim.url,
    ONECORE_REFRESH_TOKEN: sim.refreshToken,
    ONECORE_MAX_RPS: '0',
    LOG_LEVEL: 'warn',
    ...opts.env,
  };
  const config = readConfig(env);
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  let api: ShopApi | undefined;
  const stack: Stack = {
    sim,
    db,
    env,
    config,
    log,
    api() {
      api ??= createShopApi(config, db.pool, log);
      return api;
    },
    walk(endpoint, mode, extra = {}) {
      return walkEndpoint(
        {
          endpoint,
          mode,
          from: extra.from,
          requestId: extra.requestId,
          keyField: config.endpointOptions[endpoint]?.keyField,
          order: config.endpointOptions[endpoint]?.order,
          perParent: config.endpointOptions[endpoint]?.parent !== undefined,
          history: historyEnabled(config, endpoint),
        },
        {
          pool: db.pool,
          pages: stack.api().pages,
          log,
          maxDeleteShare: extra.maxDeleteShare ?? config.mirrorMaxDeleteShare,
          historyKeepDays: config.historyKeepDays,
          naiveTimeZone: config.naiveTz,
        },
      );
    },
    async close() {
      await api?.close();
      await sim.close();
      await db.drop();
    },
  };
  return stack;
}

/** The simulator's records for an endpoint as they should land: keyed, dates normalized. */
export function expectedRows(sim: Simulator, endpoint: string): Map<string, unknown> {
  const info = sim.endpoints.find((e) => e.name === endpoint)!;
  const out = new Map<string, unknown>();
  for (const r of sim.truth(endpoint)) {
    const key = readKey(r as Record<string, unknown>, info.keyField);
    if (key !== undefined) out.set(key, normalizeRecord(r).value);
  }
  return out;
}

export async function storedRows(
  db: TestDatabase,
  endpoint: string,
  opts: { live?: boolean } = { live: true },
): Promise<Map<string, unknown>> {
  const { rows } = await db.pool.query<{ id: string; data: unknown }>(
    `select id, data from ${recordTable(endpoint)} ${opts.live ? 'where deleted_at is null' : ''} order by id`,
  );
  return new Map(rows.map((r) => [r.id, r.data]));
}

/** Differences between Postgres and the simulator, record by record (empty when equal). */
export async function compareWithSimulator(stack: Stack, endpoint: string): Promise<string[]> {
  const expected = expectedRows(stack.sim, endpoint);
  const stored = await storedRows(stack.db, endpoint);
  const problems: string[] = [];
  for (const [id, data] of expected) {
    if (!stored.has(id)) problems.push(`${endpoint}/${id}: missing`);
    else if (canonicalJson(stored.get(id)) !== canonicalJson(data)) problems.push(`${endpoint}/${id}: differs`);
  }
  for (const id of stored.keys()) if (!expected.has(id)) problems.push(`${endpoint}/${id}: not upstream but live`);
  return problems;
}
