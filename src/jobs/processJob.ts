import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Config } from '../config/readConfig.js';
import type { Pool } from '../db/createPool.js';
import type { Logger } from '../log/createLogger.js';
import type { ShopApi } from '../onecore/createShopApi.js';
import { RateLimited } from '../onecore/errors.js';
import { resolveEndpoints } from '../sync/resolveEndpoints.js';
import { walkEndpoint, type WalkResult } from '../sync/walkEndpoint.js';
import { historyEnabled } from '../config/history.js';
import { longestFirst } from '../sync/longestFirst.js';
import { createViewRefresher, type ViewRefresher } from '../views/viewRefresher.js';
import { authPausedMessage } from './authPause.js';
import { recordAuthFailure } from '../db/sql/authFailure.js';
import { apiError, classifyFailure } from './classifyFailure.js';
import { enqueueWalk } from './enqueue.js';
import type { FanoutJobData, SyncJobData, WalkJobData } from './jobData.js';
import type { SyncQueue } from './queueStore.js';

export interface ProcessorDeps {
  config: Config;
  pool: Pool;
  shop: Pick<ShopApi, 'pages' | 'fetchJson'>;
  queue: SyncQueue;
  log: Logger;
  /** Aborts on shutdown: walks commit the page under way and stop. */
  signal: AbortSignal;
}

export type JobSummary =
  | { kind: 'fanout'; mode: string; endpoints: string[]; jobs: string[] }
  | {
      kind: 'walk';
      endpoint: string;
      mode: string;
      status: WalkResult['status'];
      runId: number;
      pages: number;
      records: number;
      inserted: number;
      updated: number;
      deleted: number;
      message?: string;
    };

/** The BullMQ processor: each job is a fanout (enqueue walks) or one endpoint walk. */
export function createProcessor(deps: ProcessorDeps) {
  // Typed views are refreshed behind the walk jobs, one at a time (see viewRefresher).
  const views = createViewRefresher({
    pool: deps.pool,
    config: deps.config,
    log: deps.log,
    fetchJson: deps.shop.fetchJson,
    signal: deps.signal,
  });
  return async (job: Job<SyncJobData>, token?: string): Promise<JobSummary> => {
    return job.data.kind === 'fanout' ? fanout(deps, job.data) : walk(deps, job as Job<WalkJobData>, token, views);
  };
}

async function fanout(deps: ProcessorDeps, data: FanoutJobData): Promise<JobSummary> {
  let endpoints: string[];
  try {
    ({ endpoints } = await resolveEndpoints({
      db: deps.pool,
      config: deps.config,
      log: deps.log,
      fetchJson: deps.shop.fetchJson,
    }));
  } catch (err) {
    // Discovery failed (the OpenAPI document, decided by the API error behind the wrapper). A
    // shop or network hiccup is retried; a definite answer is not, and refused credentials pause
    // the queue as they do for a walk.
    const kind = classifyFailure(err);
    if (kind === 'auth') await pauseForAuth(deps, deps.log, err);
    throw kind === 'auth' || kind === 'final' || kind === 'forbidden'
      ? new UnrecoverableError((err as Error).message)
      : err;
  }
  // Queued longest walk first, so it is taken first (see longestFirst).
  endpoints = await longestFirst(deps.pool, endpoints);
  const jobs: string[] = [];
  for (const endpoint of endpoints) {
    jobs.push(
      await enqueueWalk(deps.queue, {
        kind: 'walk',
        endpoint,
        mode: data.mode,
        ...(data.from !== undefined ? { from: data.from } : {}),
        ...(data.requestId ? { requestId: data.requestId } : {}),
      }),
    );
  }
  deps.log.debug({ mode: data.mode, endpoints, jobs }, 'fanout enqueued walks');
  return { kind: 'fanout', mode: data.mode, endpoints, jobs };
}

async function walk(
  deps: ProcessorDeps,
  job: Job<WalkJobData>,
  token: string | undefined,
  views: ViewRefresher,
): Promise<JobSummary> {
  const { endpoint, mode, from, requestId } = job.data;
  const log = deps.log.child({ jobId: job.id });
  let result: WalkResult;
  try {
    result = await walkEndpoint(
      {
        endpoint,
        mode,
        from: from ?? null,
        requestId: requestId ?? null,
        keyField: deps.config.endpointOptions[endpoint]?.keyField,
        order: deps.config.endpointOptions[endpoint]?.order,
        perParent: deps.config.endpointOptions[endpoint]?.parent !== undefined,
        jobId: job.id ?? null,
        history: historyEnabled(deps.config, endpoint),
      },
      {
        pool: deps.pool,
        pages: deps.shop.pages,
        log,
        maxDeleteShare: deps.config.mirrorMaxDeleteShare,
        historyKeepDays: deps.config.historyKeepDays,
        naiveTimeZone: deps.config.naiveTz,
        signal: deps.signal,
      },
    );
  } catch (err) {
    if (deps.signal.aborted) {
      // Shutdown: the engine committed the page under way. Hand the job straight back to the
      // queue (no attempt used) so this or another worker resumes it from the checkpoint.
      log.info('walk stopped for shutdown; job handed back to the queue, resumes from the checkpoint');
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    // Postgres trouble before or after the pages (lock, bookkeeping): retried with backoff.
    throw err;
  }

  const summary: JobSummary = {
    kind: 'walk',
    endpoint,
    mode,
    status: result.status,
    runId: result.runId,
    pages: result.pages,
    records: result.recordsSeen,
    inserted: result.inserted,
    updated: result.updated,
    deleted: result.deleted,
    ...(result.message ? { message: result.message } : {}),
  };
  if (result.status === 'succeeded' || result.status === 'incomplete') views.after([result]);
  if (result.status === 'succeeded' || result.status === 'forbidden') return summary;
  // Pages stored, deletions refused (the engine logged why): retrying at once would only walk
  // the same listing again; the next scheduled mirror tries, and `status` shows the reason.
  if (result.status === 'incomplete') return summary;

  if (result.status === 'skipped') {
    // Another process holds the endpoint. An incremental run is covered by the next tick; a
    // mirror or backfill must not be lost (the nightly mirror colliding with an incremental
    // walk), so it waits and tries again.
    if (mode === 'incremental') return summary;
    // 2 s, 4 s, 8 s … up to a minute: quick after a short incremental walk, not a row in
    // sync_runs every few seconds while a long mirror holds the endpoint.
    const busy = job.data.busy ?? 0;
    const delay = Math.min(60_000, 2_000 * 2 ** busy);
    log.info({ retryInMs: delay }, 'endpoint busy with another walk; trying again later');
    await job.updateData({ ...job.data, busy: busy + 1 });
    await job.moveToDelayed(Date.now() + delay, token);
    throw new DelayedError();
  }

  const err = result.error;
  const message = result.message ?? 'walk failed';
  switch (classifyFailure(err)) {
    case 'auth':
      await pauseForAuth(deps, log, err);
      throw new UnrecoverableError(message);
    case 'rateLimited': {
      // The client already retried; the shop still says wait. Checkpointed pages stay; the job
      // comes back after Retry-After instead of failing (no attempt used).
      const limited = err as RateLimited;
      if (limited.beyondCap || limited.retryAfterMs > deps.config.maxRetryAfterMs) {
        // Not parked for years behind a deduplication key that would swallow every new trigger:
        // the run is failed, visibly, with the shop's request in its error; the next scheduled
        // tick tries again.
        log.error({ retryAfterMs: limited.retryAfterMs, capMs: deps.config.maxRetryAfterMs }, message);
        throw new UnrecoverableError(message);
      }
      const waitMs = Math.max(1_000, limited.retryAfterMs);
      log.warn({ retryInMs: waitMs }, 'rate limited by the shop; job rescheduled after Retry-After');
      await job.moveToDelayed(Date.now() + waitMs, token);
      throw new DelayedError();
    }
    case 'forbidden':
      return summary;
    case 'retry':
      // BullMQ retries with exponential backoff; the retry resumes from the checkpoint.
      throw new Error(message);
    case 'final':
      throw new UnrecoverableError(message);
  }
}

/**
 * Refused credentials: not a storm of retries. Remember it for the whole fleet, stop every worker
 * from taking jobs, and tell the operator exactly what to do. The auth watch resumes the queue.
 */
async function pauseForAuth(deps: ProcessorDeps, log: Logger, err: unknown): Promise<void> {
  const reason = (apiError(err) ?? (err as Error)).message;
  await recordAuthFailure(deps.pool, reason).catch((e: Error) =>
    log.error({ err: e.message }, 'could not record the authentication failure'),
  );
  await deps.queue.pause().catch((e: Error) => log.error({ err: e.message }, 'could not pause the queue'));
  log.error({ reason }, authPausedMessage(reason));
}
