import cronParser from 'cron-parser';
import type { Config } from '../config/readConfig.js';
import type { Queryable } from '../db/sql/queryable.js';
import { readDailyRuns, type DailyRuns } from '../db/sql/dailyRuns.js';
import { readStatus, type EndpointStatusRow } from '../db/sql/readStatus.js';
import { readAuthFailure } from '../db/sql/authFailure.js';
import { listSchedules, type ScheduleInfo } from './schedules.js';
import { readQueueCounts } from './queueCounts.js';
import type { QueueStore, SyncQueue } from './queueStore.js';
import { formatDuration } from '../format/duration.js';
import { isoSeconds } from '../format/isoSeconds.js';

const DAYS = 30;
const REFRESH_SECONDS = 30;
const COLORS = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#9333ea',
  '#ea580c',
  '#0891b2',
  '#ca8a04',
  '#db2777',
  '#4b5563',
  '#65a30d',
  '#7c3aed',
  '#0d9488',
];

interface QueueView {
  backend: string;
  counts: Record<'waiting' | 'active' | 'delayed' | 'failed', number> | null;
  paused: boolean;
  schedules: ScheduleInfo[];
  error: string | null;
}

/**
 * The admin server's `GET /`: one server-rendered HTML page, no script or style from elsewhere
 * (users' servers often have no internet): per endpoint freshness, last run and counts, rows and
 * last error; the queue; and two inline SVG charts over 30 days. It reloads itself.
 */
export async function renderStatusPage(
  deps: { db: Queryable; queue: SyncQueue; store: Pick<QueueStore, 'kind'>; config: Config },
  now = new Date(),
): Promise<string> {
  const [endpoints, daily, auth, queue] = await Promise.all([
    readStatus(deps.db),
    readDailyRuns(deps.db, DAYS),
    readAuthFailure(deps.db),
    readQueueView(deps.queue, deps.store.kind),
  ]);
  const allowedMs = scheduleAllowanceMs(deps.config, now);
  const days = lastDays(now, DAYS);
  const names = endpoints.map((e) => e.endpoint);
  const color = (name: string) => COLORS[names.indexOf(name) % COLORS.length]!;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="${REFRESH_SECONDS}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>onecore-sync status</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#111827;background:#f9fafb}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:24px 0 8px}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px #0001}
th,td{padding:6px 10px;border-bottom:1px solid #e5e7eb;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.stale td.fresh{background:#fee2e2;color:#991b1b;font-weight:600}
.err{color:#991b1b;max-width:420px;overflow-wrap:anywhere}
.banner{background:#991b1b;color:#fff;padding:10px 14px;margin:12px 0;font-weight:600}
.muted{color:#6b7280} .charts{display:flex;flex-wrap:wrap;gap:24px}
figure{margin:0;background:#fff;padding:8px;box-shadow:0 1px 2px #0001} figcaption{font-weight:600;margin-bottom:4px}
.legend span{display:inline-block;margin-right:12px} .legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
</style></head>
<body>
<h1>onecore-sync</h1>
<div class="muted">as of ${esc(isoSeconds(now))} · refreshes every ${REFRESH_SECONDS} s · stale when the last success is older than ${esc(formatDuration(allowedMs))} (two incremental intervals)</div>
${auth ? `<div class="banner" id="auth-pause">AUTHENTICATION FAILED, SYNC PAUSED since ${esc(isoSeconds(auth.at))}: ${esc(auth.reason)} — store a new token with <code>onecore-sync token set</code></div>` : ''}
<h2>Endpoints</h2>
${endpoints.length === 0 ? '<p>No endpoint has been synced yet.</p>' : endpointTable(endpoints, now, allowedMs)}
<h2>Queue</h2>
${queueSection(queue, auth !== null)}
<h2>Last ${DAYS} days</h2>
<div class="legend">${names.map((n) => `<span><i style="background:${color(n)}"></i>${esc(n)}</span>`).join('')}</div>
<div class="charts">
${chart('chart-records', 'Records synced per day', days, daily, names, color, (d) => d.records, formatCount)}
${chart(
  'chart-duration',
  'Mean walk duration per day',
  days,
  daily,
  names,
  color,
  (d) => d.seconds,
  (v) => formatDuration(v * 1000),
)}
</div>
</body></html>
`;
}

function endpointTable(rows: EndpointStatusRow[], now: Date, allowedMs: number): string {
  const body = rows.map((r) => {
    const age = r.lastSuccessAt ? now.getTime() - new Date(r.lastSuccessAt).getTime() : null;
    const stale = age === null || age > allowedMs;
    const run = r.lastRun;
    return `<tr class="endpoint${stale ? ' stale' : ''}" data-endpoint="${esc(r.endpoint)}">
<td>${esc(r.endpoint)}</td><td>${esc(r.status)}</td>
<td class="fresh">${age === null ? 'never succeeded' : `${esc(formatDuration(age))} ago`}</td>
<td>${run ? `${esc(run.mode)} ${esc(run.status)}<br><span class="muted">${esc(isoSeconds(run.startedAt))}${run.finishedAt ? ` · ${esc(formatDuration(new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime()))}` : ' · running'}</span>` : '-'}</td>
<td class="n">${run ? `${formatCount(run.recordsSeen)}<br><span class="muted">+${formatCount(run.inserted)} ~${formatCount(run.updated)} −${formatCount(run.deleted)}</span>` : '-'}</td>
<td class="n live">${r.rows ? formatCount(r.rows.live) : '-'}</td><td class="n">${r.rows ? formatCount(r.rows.deleted) : '-'}</td><td class="n">${formatCount(r.rejectedTotal)}</td>
<td class="err">${r.lastError ? esc(r.lastError) : ''}</td></tr>`;
  });
  return `<table id="endpoints"><thead><tr><th>endpoint</th><th>state</th><th>last success</th><th>last run</th><th>records (+new ~changed −deleted)</th><th>live</th><th>deleted</th><th>rejected</th><th>last error</th></tr></thead>
<tbody>${body.join('\n')}</tbody></table>`;
}

function queueSection(q: QueueView, authPaused: boolean): string {
  if (!q.counts)
    return `<p class="err" id="queue">The queue (${esc(q.backend)}) did not answer: ${esc(q.error ?? '')}</p>`;
  const cells = (['waiting', 'active', 'delayed', 'failed'] as const)
    .map((k) => `<td class="n" data-count="${k}">${q.counts![k]}</td>`)
    .join('');
  const schedules = q.schedules
    .map((s) => `<li>${esc(s.id)}: <code>${esc(s.pattern)}</code> (${esc(s.tz)}), next ${esc(s.next ?? '-')}</li>`)
    .join('');
  return `<table id="queue"><thead><tr><th>backend</th><th>waiting</th><th>active</th><th>delayed</th><th>failed</th><th>paused</th></tr></thead>
<tbody><tr><td>${esc(q.backend)}</td>${cells}<td>${q.paused || authPaused ? `<strong>yes</strong>${authPaused ? ' (authentication failed)' : ''}` : 'no'}</td></tr></tbody></table>
<p>Next scheduled runs:</p><ul id="schedules">${schedules || '<li>none (the worker that owns the schedules creates them)</li>'}</ul>`;
}

/** One SVG line chart: a line per endpoint over the days, a zero baseline and a max label. */
function chart(
  id: string,
  title: string,
  days: string[],
  data: DailyRuns[],
  names: string[],
  color: (n: string) => string,
  value: (d: DailyRuns) => number,
  label: (v: number) => string,
): string {
  const W = 560,
    H = 220,
    L = 56,
    R = 8,
    T = 10,
    B = 28;
  const byKey = new Map(data.map((d) => [`${d.endpoint} ${d.day}`, d]));
  const max = Math.max(0, ...data.map(value));
  const x = (i: number) => L + (days.length > 1 ? (i * (W - L - R)) / (days.length - 1) : 0);
  const y = (v: number) => T + (H - T - B) * (1 - (max > 0 ? v / max : 0));
  const lines = names.map((n) => {
    const pts = days.map((d, i) => {
      const row = byKey.get(`${n} ${d}`);
      return `${x(i).toFixed(1)},${y(row ? value(row) : 0).toFixed(1)}`;
    });
    return `<polyline class="series" data-endpoint="${esc(n)}" fill="none" stroke="${color(n)}" stroke-width="2" points="${pts.join(' ')}"/>`;
  });
  const ticks = [0, Math.floor(days.length / 2), days.length - 1].map(
    (i, k) =>
      `<text x="${x(i).toFixed(1)}" y="${H - 8}" font-size="11" text-anchor="${['start', 'middle', 'end'][k]}" fill="#6b7280">${esc(days[i]!.slice(5))}</text>`,
  );
  return `<figure><figcaption>${esc(title)}</figcaption>
<svg id="${id}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">
<line x1="${L}" y1="${y(0)}" x2="${W - R}" y2="${y(0)}" stroke="#9ca3af"/><line x1="${L}" y1="${T}" x2="${L}" y2="${y(0)}" stroke="#9ca3af"/>
<text x="${L - 4}" y="${T + 10}" font-size="11" text-anchor="end" fill="#6b7280">${esc(label(max))}</text><text x="${L - 4}" y="${y(0)}" font-size="11" text-anchor="end" fill="#6b7280">0</text>
${ticks.join('')}
${lines.join('\n')}
</svg></figure>`;
}

async function readQueueView(queue: SyncQueue, backend: string): Promise<QueueView> {
  try {
    return {
      backend,
      counts: await readQueueCounts(queue),
      paused: await queue.isPaused(),
      schedules: await listSchedules(queue),
      error: null,
    };
  } catch (err) {
    return { backend, counts: null, paused: false, schedules: [], error: (err as Error).message };
  }
}

/** How old a last success may be: two intervals of the incremental schedule (one missed tick), at least a minute. */
export function scheduleAllowanceMs(config: Pick<Config, 'incrementalCron' | 'tz'>, now: Date): number {
  try {
    const it = cronParser.parseExpression(config.incrementalCron, { tz: config.tz, currentDate: now });
    const a = it.next().getTime();
    const b = it.next().getTime();
    return Math.max(60_000, 2 * (b - a));
  } catch {
    return 60 * 60_000;
  }
}

function lastDays(now: Date, n: number): string[] {
  const out: string[] = [];
  for (let i = n - 1; i >= 0; i--) out.push(new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10));
  return out;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
