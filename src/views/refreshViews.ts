import type { Logger } from 'pino';
import type { Pool, PoolClient } from '../db/createPool.js';
import { readEndpointSchema, readKeyField } from '../db/sql/endpointSchemas.js';
import { sampleFieldKinds } from '../db/sql/sampleFieldKinds.js';
import { listRecordTables, readTypedColumns, saveTypedColumns, type TypedColumnRow } from '../db/sql/typedColumns.js';
import { viewDependents } from '../db/sql/viewDependents.js';
import { describeError } from '../sync/describeError.js';
import { keyCandidates } from '../sync/detectKeyField.js';
import { mergeShapes } from './recordShape.js';
import { shapeFromKinds } from './shapeFromKinds.js';
import { shapeFromSchema } from './shapeFromSchema.js';
import {
  CHILD_COLUMNS,
  PARENT_COLUMNS,
  historyViewColumns,
  planView,
  wantedColumns,
  type ViewPlan,
} from './planView.js';
import { childViewSql, historyViewSql, parentViewSql, typedHistoryView, typedView } from './viewSql.js';
import { historyTable } from '../db/historyNames.js';
import { commentSql } from './viewComments.js';
import { withTransaction } from '../db/withTransaction.js';
import { relationExists } from '../db/sql/relationExists.js';
import { lockTypedViews } from '../db/sql/typedViewLock.js';
import { dropView } from '../db/sql/dropView.js';

export interface ViewReport {
  view: string;
  /** The view's qualified name, when it is not in `onecore_typed` (the typed history view). */
  relation?: string;
  /** Created by this refresh (it did not exist). */
  created: boolean;
  columns: number;
  added: string[];
  retyped: Array<{ column: string; from: string; to: string }>;
  /** What was not done because a user's view depends on this one (the view keeps its old shape). */
  conflicts: string[];
}

export interface EndpointViews {
  endpoint: string;
  /** Where the types came from. */
  source: 'openapi' | 'rows' | 'openapi+rows';
  views: ViewReport[];
  /** Set when the endpoint's views could not be refreshed at all (the sync is not affected). */
  error?: string;
}

export interface RefreshDeps {
  pool: Pool;
  log: Logger;
  /** The record field that holds the key (configured), if not the one remembered or `id`. */
  keyFieldOf?: (endpoint: string) => string | undefined;
}

/**
 * Creates or updates the typed views of the given endpoints (default: every endpoint with a table
 * in `onecore`). Never throws for one endpoint's trouble: its report carries the error.
 */
export async function refreshViews(deps: RefreshDeps, endpoints?: string[]): Promise<EndpointViews[]> {
  const tables = await listRecordTables(deps.pool);
  const chosen = endpoints ? endpoints.map((e) => e.toLowerCase()).filter((e) => tables.includes(e)) : tables;
  const out: EndpointViews[] = [];
  for (const endpoint of chosen) {
    try {
      out.push(await withTransaction(deps.pool, (tx) => refreshEndpointViews(tx, endpoint, deps)));
    } catch (err) {
      const error = describeError(err);
      deps.log.error({ endpoint, error }, 'typed views could not be refreshed');
      out.push({ endpoint, source: 'rows', views: [], error });
    }
  }
  return out;
}

/** In a transaction of its own (see refreshViews). */
async function refreshEndpointViews(db: PoolClient, endpoint: string, deps: RefreshDeps): Promise<EndpointViews> {
  // One refresher per endpoint at a time (a sync and a worker may finish together).
  await lockTypedViews(db, endpoint);
  const schema = await readEndpointSchema(db, endpoint);
  const declared = schema ? shapeFromSchema(schema).fields : [];
  const inferred = shapeFromKinds(await sampleFieldKinds(db, endpoint));
  const declaredKeys = new Set(declared.map((f) => f.key));
  const source =
    declared.length === 0 ? 'rows' : inferred.some((f) => !declaredKeys.has(f.key)) ? 'openapi+rows' : 'openapi';
  const fields = mergeShapes(declared, inferred);
  // The key is the `id` column; its field is not repeated. The same choice as the walk's: the
  // configured field, else `id`, else the endpoint's singular + Id (see detectKeyField).
  const has = (name: string) => fields.some((f) => f.key.toLowerCase() === name.toLowerCase());
  const keyField =
    deps.keyFieldOf?.(endpoint) ?? (await readKeyField(db, endpoint)) ?? keyCandidates(endpoint).find(has);

  const storedParent = await readTypedColumns(db, [endpoint]);
  const wanted = wantedColumns(fields, keyField);
  const parent = planView(endpoint, PARENT_COLUMNS, wanted, storedParent);

  // Child views: one per list of objects, now or before (a list that vanished keeps its view).
  const children: Array<{ plan: ViewPlan; listKey: string }> = [];
  const childNames = parent.columns.filter((c) => c.childView !== null).map((c) => c.childView!);
  const storedChildren = await readTypedColumns(db, childNames);
  for (const column of parent.columns) {
    if (column.path.length !== 1) continue;
    const items = wanted.find((w) => w.path.length === 1 && w.path[0] === column.path[0])?.items;
    if (!items && column.childView === null) continue;
    column.childView ??= childViewName(endpoint, column.column);
    const stored = storedChildren.filter((c) => c.view === column.childView);
    children.push({
      plan: planView(column.childView, CHILD_COLUMNS, wantedColumns(items ?? []), stored),
      listKey: column.path[0]!,
    });
  }

  const reports: ViewReport[] = [];
  reports.push(await applyView(db, parent, storedParent, (cols) => parentViewSql(endpoint, cols), deps.log));
  for (const { plan, listKey } of children) {
    const stored = storedChildren.filter((c) => c.view === plan.view);
    reports.push(
      await applyView(db, plan, stored, (cols) => childViewSql(endpoint, plan.view, listKey, cols), deps.log),
    );
  }
  const history = await applyHistoryView(db, endpoint, parent.columns, deps.log);
  if (history) reports.push(history);
  return { endpoint, source, views: reports };
}

/**
 * Brings one view to its plan. Adding columns at the end is what `create or replace view` allows
 * under dependent views; changing a column's type needs the view dropped and created again, which
 * is done only when no view of a user depends on it. Otherwise the column keeps its type (a value
 * that does not fit reads as NULL) and the conflict is reported, every run, until resolved.
 */
async function applyView(
  db: PoolClient,
  plan: ViewPlan,
  stored: TypedColumnRow[],
  sqlFor: (columns: TypedColumnRow[]) => string,
  log: Logger,
): Promise<ViewReport> {
  const relation = typedView(plan.view);
  const exists = await relationExists(db, relation);
  const report: ViewReport = {
    view: plan.view,
    created: !exists,
    columns: plan.columns.length,
    added: plan.added,
    retyped: [],
    conflicts: [],
  };
  let mustDrop = false;
  if (exists && plan.retyped.length > 0) {
    const dependents = await viewDependents(db, relation);
    if (dependents.length > 0) {
      for (const r of plan.retyped) {
        plan.columns.find((c) => c.column === r.column)!.type = stored.find((s) => s.column === r.column)!.type;
        report.conflicts.push(
          `column ${r.column} should change from ${r.from} to ${r.to}, but ${dependents.join(', ')} depend${dependents.length === 1 ? 's' : ''} on ${relation}; it keeps ${r.from} (drop or adapt the dependent view, then run \`onecore-sync views\`)`,
        );
      }
    } else {
      mustDrop = true;
      report.retyped = plan.retyped;
    }
  }
  const sql = sqlFor(plan.columns);
  await db.query('savepoint view_refresh');
  try {
    if (mustDrop) await dropView(db, relation);
    await db.query(sql);
  } catch (err) {
    // The view is not what we left (changed by hand, or its bookkeeping was lost): rebuild it if
    // nothing depends on it, else leave it and say why.
    await db.query('rollback to savepoint view_refresh');
    const dependents = exists ? await viewDependents(db, relation) : [];
    if (!exists || dependents.length > 0) {
      report.conflicts.push(
        `${relation} was left as it is: ${describeError(err)}${dependents.length > 0 ? ` (${dependents.join(', ')} depend on it)` : ''}`,
      );
      for (const c of report.conflicts) log.warn({ view: plan.view }, c);
      return { ...report, added: [], retyped: [] };
    }
    await dropView(db, relation);
    await db.query(sql);
  }
  for (const statement of commentSql(relation, plan.columns)) await db.query(statement);
  await saveTypedColumns(db, plan.columns);
  for (const c of report.conflicts) log.warn({ view: plan.view }, c);
  return report;
}

/**
 * The typed history view of an endpoint that keeps history (its `onecore_history` table exists),
 * with the columns the typed view has just been given (a type kept for a conflict stays kept here
 * too). It has no bookkeeping of its own: its columns follow the typed view's. A column whose type
 * changed needs the view dropped and created again, done only when no view of a user depends on it.
 */
async function applyHistoryView(
  db: PoolClient,
  endpoint: string,
  columns: TypedColumnRow[],
  log: Logger,
): Promise<ViewReport | undefined> {
  if (!(await relationExists(db, historyTable(endpoint)))) return undefined;
  const relation = typedHistoryView(endpoint);
  const exists = await relationExists(db, relation);
  const viewColumns = historyViewColumns(columns);
  const report: ViewReport = {
    view: endpoint,
    relation,
    created: !exists,
    columns: viewColumns.length,
    added: [],
    retyped: [],
    conflicts: [],
  };
  const sql = historyViewSql(endpoint, viewColumns);
  await db.query('savepoint history_view_refresh');
  try {
    await db.query(sql);
  } catch (err) {
    await db.query('rollback to savepoint history_view_refresh');
    const dependents = exists ? await viewDependents(db, relation) : [];
    if (!exists || dependents.length > 0) {
      report.conflicts.push(
        `${relation} was left as it is: ${describeError(err)}${dependents.length > 0 ? ` (${dependents.join(', ')} depend on it)` : ''}`,
      );
      for (const c of report.conflicts) log.warn({ view: relation }, c);
      return report;
    }
    await dropView(db, relation);
    await db.query(sql);
  }
  for (const statement of commentSql(relation, viewColumns)) await db.query(statement);
  return report;
}

function childViewName(endpoint: string, column: string): string {
  const name = `${endpoint}__${column}`;
  return Buffer.byteLength(name) <= 63
    ? name
    : Buffer.from(name)
        .subarray(0, 63)
        .toString()
        .replace(/\uFFFD+$/, '');
}
