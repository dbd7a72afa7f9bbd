import type { Queryable } from '../db/sql/queryable.js';
import type { SyncQueue } from './queueStore.js';
import { QUEUE_STATES } from './queueCounts.js';
import { readAuthFailure } from '../db/sql/authFailure.js';
import { lastRunDurations, runTotals, secondsSinceSuccess, type RunTotals } from '../db/sql/runMetrics.js';

/**
 * Prometheus text exposition, written by hand (a dozen series do not need a client library).
 * Counters come from `onecore_sync.sync_runs`, so they are the fleet's totals, survive restarts
 * and agree with `status`; the queue gauges come from the queue's store when it answers.
 */
export async function renderMetrics(db: Queryable, queue: SyncQueue | null): Promise<string> {
  const out = new Exposition();

  const runs = { rows: await runTotals(db) };
  out.family('onecore_sync_runs_total', 'counter', 'Endpoint walks by outcome (running = started, not finished).');
  for (const r of runs.rows)
    out.sample('onecore_sync_runs_total', { endpoint: r.endpoint, mode: r.mode, status: r.status }, r.runs);

  const sums = new Map<string, Omit<RunTotals, 'status' | 'runs'> & { errors: number }>();
  for (const r of runs.rows) {
    const key = `${r.endpoint}\u0000${r.mode}`;
    const s = sums.get(key) ?? {
      endpoint: r.endpoint,
      mode: r.mode,
      pages: 0,
      records: 0,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      rejected: 0,
      errors: 0,
    };
    s.pages += r.pages;
    s.records += r.records;
    s.inserted += r.inserted;
    s.updated += r.updated;
    s.unchanged += r.unchanged;
    s.deleted += r.deleted;
    s.rejected += r.rejected;
    if (r.status === 'failed') s.errors += r.runs;
    sums.set(key, s);
  }
  out.family('onecore_sync_pages_total', 'counter', 'Pages stored.');
  for (const s of sums.values())
    out.sample('onecore_sync_pages_total', { endpoint: s.endpoint, mode: s.mode }, s.pages);
  out.family('onecore_sync_records_total', 'counter', 'Records read from the API.');
  for (const s of sums.values())
    out.sample('onecore_sync_records_total', { endpoint: s.endpoint, mode: s.mode }, s.records);
  out.family('onecore_sync_record_changes_total', 'counter', 'What the records did to the mirror.');
  for (const s of sums.values()) {
    for (const change of ['inserted', 'updated', 'unchanged', 'deleted', 'rejected'] as const) {
      out.sample('onecore_sync_record_changes_total', { endpoint: s.endpoint, mode: s.mode, change }, s[change]);
    }
  }
  out.family('onecore_sync_errors_total', 'counter', 'Walks that failed (each is retried from its checkpoint).');
  for (const s of sums.values())
    out.sample('onecore_sync_errors_total', { endpoint: s.endpoint, mode: s.mode }, s.errors);

  const last = { rows: await lastRunDurations(db) };
  out.family('onecore_sync_last_run_duration_seconds', 'gauge', 'Duration of the latest finished walk.');
  for (const r of last.rows)
    out.sample('onecore_sync_last_run_duration_seconds', { endpoint: r.endpoint, mode: r.mode }, r.seconds);

  const lag = { rows: await secondsSinceSuccess(db) };
  out.family(
    'onecore_sync_seconds_since_last_success',
    'gauge',
    'Lag: seconds since the endpoint last finished a walk successfully (any mode).',
  );
  for (const r of lag.rows) out.sample('onecore_sync_seconds_since_last_success', { endpoint: r.endpoint }, r.seconds);

  const auth = await readAuthFailure(db);
  out.family('onecore_sync_auth_failed', 'gauge', '1 while the shop refuses our refresh token (the queue is paused).');
  out.sample('onecore_sync_auth_failed', {}, auth ? 1 : 0);

  if (queue) {
    try {
      // Raw states, one series each (dashboards may sum them); waiting-children too, which `status` counts as waiting.
      const counts = await queue.getJobCounts(...QUEUE_STATES);
      out.family('onecore_sync_queue_jobs', 'gauge', 'Jobs in the queue by state.');
      for (const [state, n] of Object.entries(counts)) out.sample('onecore_sync_queue_jobs', { state }, n);
      out.family('onecore_sync_queue_paused', 'gauge', '1 when the queue is paused.');
      out.sample('onecore_sync_queue_paused', {}, (await queue.isPaused()) ? 1 : 0);
      out.family(
        'onecore_sync_queue_up',
        'gauge',
        "Whether the queue's store (Redis, or Postgres with QUEUE_BACKEND=postgres) answered this scrape.",
      );
      out.sample('onecore_sync_queue_up', {}, 1);
    } catch {
      out.family(
        'onecore_sync_queue_up',
        'gauge',
        "Whether the queue's store (Redis, or Postgres with QUEUE_BACKEND=postgres) answered this scrape.",
      );
      out.sample('onecore_sync_queue_up', {}, 0);
    }
  }
  return out.text();
}

class Exposition {
  private lines: string[] = [];
  family(name: string, type: 'counter' | 'gauge', help: string): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  }
  sample(name: string, labels: Record<string, string>, value: number): void {
    const l = Object.entries(labels)
      .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
      .join(',');
    this.lines.push(`${name}${l ? `{${l}}` : ''} ${formatValue(value)}`);
  }
  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
