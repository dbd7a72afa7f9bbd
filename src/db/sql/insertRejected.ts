import type { Queryable } from './queryable.js';

export interface Rejection {
  reason: string;
  raw: string;
}

/** Keeps what could not be stored, verbatim, so nothing the API sent is silently dropped. */
export async function insertRejected(db: Queryable, endpoint: string, runId: number, rejections: Rejection[]): Promise<void> {
  if (rejections.length === 0) return;
  await db.query(
    `insert into onecore_sync.rejected_records (endpoint, run_id, reason, raw)
     select $1, $2, reason, raw from unnest($3::text[], $4::text[]) as r(reason, raw)`,
    [endpoint, runId, rejections.map((r) => r.reason), rejections.map((r) => r.raw)],
  );
}
