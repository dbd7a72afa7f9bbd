import { defineCommand } from '../defineCommand.js';
import { createContext } from '../context.js';
import { readStatus, type EndpointStatusRow } from '../../db/sql/readStatus.js';
import { table } from '../table.js';
import { ConfigError } from '../../config/ConfigError.js';
import { readQueueStatus, type QueueStatus } from '../../jobs/readQueueStatus.js';
import { isoSeconds } from '../../format/isoSeconds.js';

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'per endpoint: mode, cursor, last run, counts, errors; the queue when its store answers (--json)',
  flags: { json: { type: 'boolean', help: 'print JSON instead of tables' } },
  async run({ flags: values }) {
    const ctx = createContext();
    try {
      const endpoints = await readStatus(ctx.pool()).catch((err: { code?: string }) => {
        if (err.code === '42P01' || err.code === '3F000')
          throw new ConfigError(
            'the database has no onecore-sync schema yet; run `onecore-sync migrate` (or `sync`) first',
          );
        throw err;
      });
      const queue = await readQueueStatus(ctx.config, ctx.pool()).catch((err: Error) => ({
        reachable: false as const,
        error: err.message,
      }));
      if (values.json) {
        process.stdout.write(JSON.stringify({ endpoints, queue }, null, 2) + '\n');
      } else {
        process.stdout.write(renderEndpoints(endpoints));
        process.stdout.write('\n' + renderQueue(queue, ctx.config.queueBackend));
      }
      return 0;
    } finally {
      await ctx.close();
    }
  },
});

function renderEndpoints(rows: EndpointStatusRow[]): string {
  if (rows.length === 0) return 'no endpoint has been synced yet; run `onecore-sync sync` or start the worker\n';
  return table(
    [
      'endpoint',
      'state',
      'incremental cursor',
      'mirror',
      'last run',
      'finished',
      'records',
      'live',
      'deleted',
      'rejected',
      'error',
    ],
    rows.map((r) => [
      r.endpoint,
      r.status,
      short(r.incrementalCursor ?? (r.incrementalUpdatedAt ? '(start)' : null)),
      r.mirrorWalk
        ? r.mirrorWalk.completedAt
          ? `done ${isoSeconds(r.mirrorWalk.completedAt)}`
          : `page ${r.mirrorWalk.pages}`
        : null,
      r.lastRun ? `${r.lastRun.mode} ${r.lastRun.status}` : null,
      r.lastRun?.finishedAt ? isoSeconds(r.lastRun.finishedAt) : r.lastRun ? 'running' : null,
      r.lastRun?.recordsSeen ?? null,
      r.rows?.live ?? null,
      r.rows?.deleted ?? null,
      r.rejectedTotal,
      r.lastRun?.error ? short(r.lastRun.error, 60) : null,
    ]),
  );
}

function renderQueue(q: QueueStatus | { reachable: false; error: string }, backend: 'redis' | 'postgres'): string {
  if (!q.reachable) return `queue: ${backend === 'redis' ? 'Redis' : 'Postgres'} not reachable (${q.error})\n`;
  const lines = [
    `queue ${q.name} (${q.backend}): ${q.counts.waiting} waiting, ${q.counts.active} active, ${q.counts.delayed} delayed, ${q.counts.failed} failed, ${q.counts.completed} completed`,
  ];
  if (q.paused) lines.push(`PAUSED: ${q.pauseReason ?? 'scheduling is paused'}`);
  for (const s of q.schedulers) lines.push(`schedule ${s.id}: ${s.pattern} (${s.tz}) next ${s.next ?? '-'}`);
  if (q.schedulers.length === 0) lines.push('no schedules (start `onecore-sync worker` to create them)');
  return lines.join('\n') + '\n';
}

function short(s: string | null, n = 24): string | null {
  if (s === null) return null;
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}
