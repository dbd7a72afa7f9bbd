import { defineCommand } from '../defineCommand.js';
import { createContext } from '../context.js';
import { required } from '../../config/readConfig.js';
import { ConfigError } from '../../config/ConfigError.js';
import { endpointName } from '../../config/validators.js';
import { createShopApi } from '../../onecore/createShopApi.js';
import { resolveEndpoints } from '../../sync/resolveEndpoints.js';
import { allSucceeded, runSync } from '../../sync/runSync.js';
import { walkersToFillBudget } from '../../sync/walkerCount.js';
import { createProgress } from '../progress.js';
import { lastCompleteWalkRecords } from '../../db/sql/lastCompleteWalk.js';
import { renderSummary } from '../summary.js';
import type { Mode } from '../../db/sql/checkpoints.js';
import { randomUUID } from 'node:crypto';
import { migrateDatabase } from '../../db/migrate.js';
import { historyEnabled } from '../../config/history.js';
import { refreshAfterWalks } from '../../views/refreshAfterWalks.js';

export const syncCommand = defineCommand({
  name: 'sync',
  summary: 'run once, in this process, without a queue',
  details:
    'Walks the endpoints now and prints a summary table. Live progress on a terminal (with an ETA when the last complete walk tells the total), plain lines otherwise. ' +
    'Exit 0 only if every endpoint succeeded or is forbidden (403 is reported, not a failure); 1 otherwise; 130 when interrupted (the page under way is committed first). Migrates first.',
  flags: {
    mode: {
      type: 'string',
      value: 'MODE',
      choices: ['incremental', 'mirror', 'backfill'],
      default: 'incremental',
      help: 'incremental: from the stored cursor; mirror: everything, then mark what disappeared as deleted; backfill: re-walk without moving the incremental cursor',
    },
    endpoint: { type: 'string', value: 'NAME', multiple: true, help: 'an endpoint to walk (default: every endpoint)' },
    from: { type: 'string', value: 'CURSOR', help: 'backfill only: start from this cursor' },
    concurrency: {
      type: 'integer',
      value: 'N',
      min: 1,
      max: 16,
      help: 'endpoints walked at once (default: sized by itself from the round trips, as SYNC_CONCURRENCY explains)',
    },
  },
  async run({ flags: values }) {
    const mode: Mode = values.mode;
    if (values.from !== undefined && mode !== 'backfill')
      throw new ConfigError('sync: --from only goes with --mode backfill');
    if (values.from !== undefined && values.from.trim() === '')
      throw new ConfigError('sync: --from needs a cursor value');
    const chosen = values.endpoint?.map((e) => endpointName('sync: --endpoint', e));
    const concurrency = values.concurrency;
    const ctx = createContext();
    required(ctx.config, 'baseUrl', 'ONECORE_BASE_URL', 'to sync (the shop URL, e.g. https://shop.example.com)');
    // An explicit count wins (flag, then SYNC_CONCURRENCY); otherwise it is sized as the walk goes.
    return runSyncCommand(ctx, {
      mode,
      endpoints: chosen,
      from: values.from ?? null,
      concurrency: concurrency ?? ctx.config.concurrency,
    });
  },
});

/** Shared by `sync` and `demo`: resolve endpoints, walk them with progress, print the summary. */
export async function runSyncCommand(
  ctx: ReturnType<typeof createContext>,
  req: { mode: Mode; endpoints?: string[]; from: string | null; concurrency: number | undefined },
): Promise<number> {
  const pool = ctx.pool();
  // Migrating is idempotent and locked, so `sync` works on a fresh database without a separate step.
  await migrateDatabase(pool);
  const api = createShopApi(ctx.config, pool, ctx.log);
  const stop = new AbortController();
  const onSignal = () => {
    process.stderr.write('stopping after the page under way (press again to force)\n');
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    stop.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const endpoints =
      req.endpoints ??
      (await resolveEndpoints({ db: pool, config: ctx.config, log: ctx.log, fetchJson: api.fetchJson })).endpoints;
    // A full walk (mirror, backfill from the start) reads about what the last complete one read.
    const totals =
      req.mode !== 'incremental' && req.from === null
        ? await lastCompleteWalkRecords(pool, endpoints).catch(() => new Map<string, number>())
        : new Map<string, number>();
    const progress = createProgress(process.stdout, endpoints, totals);
    const started = Date.now();
    // Each walker holds a connection; the rate limiter and the run bookkeeping borrow the rest.
    const poolRoom = Math.max(1, (pool.options.max ?? 10) - 2);
    const concurrency =
      req.concurrency ??
      ((running: number) =>
        walkersToFillBudget({
          maxRps: ctx.config.maxRps,
          roundTripMs: api.roundTrips.typicalMs(),
          max: Math.min(ctx.config.maxConcurrency, poolRoom),
          current: running,
          budgetBusy: api.roundTrips.budgetBusy(),
        }));
    let results;
    try {
      results = await runSync(
        {
          mode: req.mode,
          endpoints,
          from: req.from,
          requestId: req.mode === 'backfill' ? randomUUID() : null,
          endpointOptions: ctx.config.endpointOptions,
          concurrency,
          history: (e) => historyEnabled(ctx.config, e),
        },
        {
          pool,
          pages: api.pages,
          log: ctx.log,
          maxDeleteShare: ctx.config.mirrorMaxDeleteShare,
          historyKeepDays: ctx.config.historyKeepDays,
          naiveTimeZone: ctx.config.naiveTz,
          signal: stop.signal,
          onProgress: progress.update,
        },
        progress.finish,
      );
    } finally {
      progress.stop();
    }
    process.stdout.write('\n' + renderSummary(results, Date.now() - started));
    if (stop.signal.aborted) return 130;
    await refreshAfterWalks({ pool, config: ctx.config, log: ctx.log, fetchJson: api.fetchJson }, results);
    return allSucceeded(results) ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await api.close();
    await ctx.close();
  }
}
