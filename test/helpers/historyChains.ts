import type { Pool } from '../../src/db/createPool.js';
import { historyTable } from '../../src/db/historyNames.js';
import { recordTable } from '../../src/db/quoteIdent.js';
import { canonicalJson } from './canonicalJson.js';

export interface Version {
  id: string;
  data: unknown;
  valid_from: Date;
  valid_to: Date | null;
  change: string;
  run_id: string | null;
  modified_at: Date | null;
}

/** Every key's versions, oldest first. */
export async function versionChains(pool: Pool, endpoint: string): Promise<Map<string, Version[]>> {
  const { rows } = await pool.query<Version>(
    `select * from ${historyTable(endpoint)} order by id, valid_from, valid_to nulls last`,
  );
  const out = new Map<string, Version[]>();
  for (const r of rows) {
    const chain = out.get(r.id) ?? [];
    chain.push(r);
    out.set(r.id, chain);
  }
  return out;
}

/**
 * What must hold between the history and the mirror after any sequence of walks and crashes
 * (empty when it holds): each key's versions follow each other without gap or overlap, exactly
 * one is current, the current one carries the mirror row's content, it is a deletion exactly when
 * the mirror row is marked deleted, and no version repeats its predecessor's content.
 */
export async function historyProblems(pool: Pool, endpoint: string): Promise<string[]> {
  const chains = await versionChains(pool, endpoint);
  const { rows } = await pool.query<{ id: string; data: unknown; deleted_at: Date | null }>(
    `select id, data, deleted_at from ${recordTable(endpoint)}`,
  );
  const problems: string[] = [];
  for (const row of rows) {
    const chain = chains.get(row.id);
    if (!chain) {
      problems.push(`${row.id}: no version`);
      continue;
    }
    const current = chain.filter((v) => v.valid_to === null);
    if (current.length !== 1) problems.push(`${row.id}: ${current.length} current versions`);
    const last = chain.at(-1)!;
    if (last.valid_to !== null) problems.push(`${row.id}: last version closed`);
    if (canonicalJson(last.data) !== canonicalJson(row.data))
      problems.push(`${row.id}: current version differs from the mirror`);
    if ((last.change === 'delete') !== (row.deleted_at !== null))
      problems.push(`${row.id}: current change ${last.change}, mirror deleted_at ${row.deleted_at}`);
    for (let i = 1; i < chain.length; i++) {
      const [a, b] = [chain[i - 1]!, chain[i]!];
      if (a.valid_to?.getTime() !== b.valid_from.getTime())
        problems.push(`${row.id}: gap or overlap between version ${i} and ${i + 1}`);
      const sameContent = canonicalJson(a.data) === canonicalJson(b.data);
      if (sameContent && a.change !== 'delete' && b.change !== 'delete')
        problems.push(`${row.id}: version ${i + 1} repeats version ${i}`);
      if (b.change === 'insert') problems.push(`${row.id}: insert after version ${i}`);
      if (b.change === 'undelete' && a.change !== 'delete') problems.push(`${row.id}: undelete after ${a.change}`);
    }
    if (chain[0]!.change !== 'insert') problems.push(`${row.id}: first version is ${chain[0]!.change}`);
  }
  const mirrored = new Set(rows.map((r) => r.id));
  for (const id of chains.keys()) if (!mirrored.has(id)) problems.push(`${id}: history without a mirror row`);
  return problems;
}
