import type { WalkResult } from '../sync/walkEndpoint.js';
import { table } from './table.js';

/** The table `sync` and `demo` print at the end, plus one line per problem. */
export function renderSummary(results: WalkResult[], elapsedMs: number): string {
  const total = results.reduce((n, r) => n + r.recordsSeen, 0);
  const body = table(
    ['endpoint', 'mode', 'status', 'pages', 'records', 'inserted', 'updated', 'unchanged', 'deleted', 'rejected'],
    results.map((r) => [
      r.endpoint,
      r.mode,
      r.status,
      r.pages,
      r.recordsSeen,
      r.inserted,
      r.updated,
      r.unchanged,
      r.deleted,
      r.rejected,
    ]),
  );
  const notes = results.filter((r) => r.message).map((r) => `${r.endpoint}: ${r.message}`);
  const secs = elapsedMs / 1000;
  const footer = `${results.length} endpoint(s), ${total} records in ${secs.toFixed(1)} s (${Math.round(total / Math.max(secs, 0.001))} records/s)`;
  return body + (notes.length ? '\n' + notes.join('\n') + '\n' : '') + footer + '\n';
}
