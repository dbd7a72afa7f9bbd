import type { Queryable } from './queryable.js';
import type { Mode } from './checkpoints.js';
import type { syncRuns } from '../schema.js';

/** `incomplete`: a mirror whose pages were stored but whose deletions were refused (src/sync/mirrorSafety.ts). */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'forbidden' | 'skipped' | 'incomplete';

export type RunCounts = Pick<
  typeof syncRuns.$inferSelect,
  'pages' | 'recordsSeen' | 'inserted' | 'updated' | 'unchanged' | 'deleted' | 'rejected'
>;

export async function startRun(
  db: Queryable,
  run: {
    endpoint: string;
    mode: Mode;
    status?: RunStatus;
    walkId: number | null;
    jobId: string | null;
    cursorStart: string | null;
  },
): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `insert into onecore_sync.sync_runs (endpoint, mode, status, walk_id, job_id, cursor_start, cursor_end)
     values ($1, $2, $3, $4, $5, $6, $6) returning id::float8 as id`,
    [run.endpoint, run.mode, run.status ?? 'running', run.walkId, run.jobId, run.cursorStart],
  );
  return rows[0]!.id;
}

export async function finishRun(
  db: Queryable,
  runId: number,
  status: RunStatus,
  fields: { deleted?: number; error?: string | null; cursorEnd?: string | null } = {},
): Promise<void> {
  await db.query(
    `update onecore_sync.sync_runs
        set status = $2, finished_at = now(), deleted = deleted + $3, error = $4,
            cursor_end = case when $5::boolean then $6 else cursor_end end
      where id = $1`,
    [
      runId,
      status,
      fields.deleted ?? 0,
      fields.error ?? null,
      fields.cursorEnd !== undefined,
      fields.cursorEnd ?? null,
    ],
  );
}

/**
 * Runs left `running` by a process that died (SIGKILL, power loss) are closed as failed when the
 * endpoint's lock is next taken: whoever holds the lock knows no other walker is alive.
 */
export async function closeAbandonedRuns(db: Queryable, endpoint: string, currentRunId?: number): Promise<number> {
  const { rowCount } = await db.query(
    `update onecore_sync.sync_runs
        set status = 'failed', finished_at = now(), error = coalesce(error, 'the process running this walk stopped (crash or kill); resumed from its checkpoint by a later run')
      where endpoint = $1 and status = 'running' and id is distinct from $2`,
    [endpoint, currentRunId ?? null],
  );
  return rowCount ?? 0;
}
