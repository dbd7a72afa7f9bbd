/**
 * `npm run bench:views`: what the typed views cost to query, next to the same query written by
 * hand against jsonb.
 *
 *   npm run bench:views -- [--records N] [--repeat R] [--json PATH] [--keep]
 *
 * Loads N simulator orders (normalized as the sync stores them) into `onecore.orders` of a scratch
 * database with COPY, builds the typed views from the simulator's OpenAPI document, then times,
 * alternately, R runs of each query, every result fetched to the client:
 *   typed:  select order_number, status, order_date, totals__gross, delivery_date
 *             from onecore_typed.orders where order_date >= $1
 *   by hand: select data->>'orderNumber', data->>'status', (data->>'orderDate')::timestamptz,
 *             (data->'totals'->>'gross')::numeric, (data->>'deliveryDate')::date
 *             from onecore.orders where (data->>'orderDate')::timestamptz >= $1
 * ($1 is the median order date: half the rows qualify), and the same with the filter on the date
 * column delivery_date. The target: typed ≤ 1.5 × by hand.
 * It also prints Postgres' own execution times (EXPLAIN ANALYZE) for both. The hand-written query
 * only works because these rows are clean: one bad date would make it fail, the view reads NULL.
 *
 * Needs DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres); Redis is not used.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator } from '../src/simulator/index.js';
import { prepareRecords } from '../src/sync/prepareRecords.js';
import { recordJsonText } from '../src/db/sql/upsertRecords.js';
import type { Pool } from '../src/db/createPool.js';
import { ensureRecordTable } from '../src/db/sql/ensureRecordTable.js';
import { createLogger } from '../src/log/createLogger.js';
import { refreshViews } from '../src/views/refreshViews.js';
import { storeRecordSchemas } from '../src/views/storeRecordSchemas.js';
import { readConfig } from '../src/config/readConfig.js';
import { createScratchDatabase } from '../test/helpers/scratchDatabase.js';
import { copyField, copyIn } from './lib/copyIn.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '80000' },
    repeat: { type: 'string', default: '7' },
    json: { type: 'string', default: 'bench/results/views.json' },
    keep: { type: 'boolean' },
  },
});
const N = Number(values.records);
const R = Number(values.repeat);
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const say = (s: string) => process.stdout.write(s + '\n');

/** Two filters: on a date-time column (timestamptz) and on a date column (date); half the rows qualify. */
const PAIRS = [
  {
    name: 'filter on order_date (timestamptz)',
    cutSql: `select percentile_disc(0.5) within group (order by (data->>'orderDate')::timestamptz)::text as cut from onecore.orders`,
    typed: `select order_number, status, order_date, totals__gross, delivery_date from onecore_typed.orders where order_date >= $1`,
    byHand: `select data->>'orderNumber' as order_number, data->>'status' as status, (data->>'orderDate')::timestamptz as order_date,
       (data->'totals'->>'gross')::numeric as totals__gross, (data->>'deliveryDate')::date as delivery_date
  from onecore.orders where (data->>'orderDate')::timestamptz >= $1`,
  },
  {
    name: 'filter on delivery_date (date)',
    cutSql: `select percentile_disc(0.5) within group (order by (data->>'deliveryDate')::date)::text as cut from onecore.orders`,
    typed: `select order_number, status, order_date, totals__gross, delivery_date from onecore_typed.orders where delivery_date >= $1`,
    byHand: `select data->>'orderNumber' as order_number, data->>'status' as status, (data->>'orderDate')::timestamptz as order_date,
       (data->'totals'->>'gross')::numeric as totals__gross, (data->>'deliveryDate')::date as delivery_date
  from onecore.orders where (data->>'deliveryDate')::date >= $1`,
  },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function main(): Promise<void> {
  const scratch = await createScratchDatabase(baseUrl, { prefix: 'ocs_bench', tag: 'views', poolSize: 2 });
  const { pool, name } = scratch;
  const sim = await startSimulator({ records: { orders: N }, seed: 1 });
  const log = createLogger('warn');
  try {
    await ensureRecordTable(pool, 'orders');
    const started = performance.now();
    const truth = sim.truth('orders');
    const chunks: Buffer[] = [];
    for (let i = 0; i < truth.length; i += 1000) {
      const { ids, json } = prepareRecords(truth.slice(i, i + 1000), 'id');
      chunks.push(
        Buffer.from(ids.map((id, j) => `${copyField(id)}\t${copyField(recordJsonText(json[j]!))}\n`).join('')),
      );
    }
    const client = await pool.connect();
    try {
      await copyIn(client, `copy onecore.orders (id, data) from stdin`, chunks);
    } finally {
      client.release();
    }
    await pool.query('vacuum analyze onecore.orders');
    say(`loaded ${N.toLocaleString('en-US')} orders in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const config = readConfig({ ONECORE_BASE_URL: sim.url });
    await storeRecordSchemas({ db: pool, config, log, fetchJson: async (u) => (await fetch(u)).json() }, ['orders']);
    const [report] = await refreshViews({ pool, log }, ['orders']);
    say(
      `typed views: ${report!.views.map((v) => `${v.view} (${v.columns} fields)`).join(', ')}; types from ${report!.source}`,
    );

    const results = [];
    say(
      `\n${N.toLocaleString('en-US')} orders; 5 typed columns (order_number, status, order_date, totals__gross, delivery_date); medians of ${R}:`,
    );
    say(
      '| query | rows | wall time, rows fetched: typed / by hand | ratio (target ≤ 1.5) | Postgres execution (EXPLAIN ANALYZE): typed / by hand | ratio |',
    );
    say('| --- | --- | --- | --- | --- | --- |');
    for (const pair of PAIRS) {
      const r = await measure(pool, pair, R);
      results.push({ name: pair.name, ...r });
      say(
        `| ${pair.name} | ${r.rows.toLocaleString('en-US')} | ${median(r.typedMs).toFixed(1)} / ${median(r.byHandMs).toFixed(1)} ms | ${r.ratio.toFixed(2)} ${r.ratio <= 1.5 ? 'PASS' : 'FAIL'} | ${median(r.typedServerMs).toFixed(1)} / ${median(r.byHandServerMs).toFixed(1)} ms | ${r.serverRatio.toFixed(2)} |`,
      );
    }
    mkdirSync(dirname(values.json!), { recursive: true });
    writeFileSync(values.json!, JSON.stringify({ records: N, repeat: R, results }, null, 2));
  } finally {
    await sim.close();
    if (values.keep) {
      await pool.end();
      say(`kept database ${name}`);
    } else await scratch.drop().catch(() => undefined);
  }
}

/** Times R alternating runs of each query of the pair (wall time with every row fetched, and Postgres' own). */
async function measure(pool: Pool, pair: (typeof PAIRS)[number], R: number) {
  const cut = (await pool.query<{ cut: string }>(pair.cutSql)).rows[0]?.cut;
  if (cut === undefined) throw new Error(`no cut value from ${pair.cutSql}`);
  const run = async (sql: string) => {
    const t0 = performance.now();
    const r = await pool.query(sql, [cut]);
    return { ms: performance.now() - t0, rows: r.rowCount ?? 0 };
  };
  const server = async (sql: string) => {
    const { rows } = await pool.query(`explain (analyze, timing off, format json) ${sql}`, [cut]);
    return (rows[0]['QUERY PLAN'] as Array<{ 'Execution Time': number }>)[0]!['Execution Time'];
  };
  // Warm-up: the table in shared buffers / the OS cache for both, the cast helpers compiled.
  await run(pair.typed);
  await run(pair.byHand);
  const typedMs: number[] = [];
  const byHandMs: number[] = [];
  const typedServerMs: number[] = [];
  const byHandServerMs: number[] = [];
  let rows = -1;
  for (let i = 0; i < R; i++) {
    // Alternate which goes first, so neither always runs on a cache the other warmed.
    for (const which of i % 2 === 0 ? ['typed', 'hand'] : ['hand', 'typed']) {
      const sql = which === 'typed' ? pair.typed : pair.byHand;
      const r = await run(sql);
      if (rows !== -1 && r.rows !== rows) throw new Error(`the queries disagree: ${r.rows} rows against ${rows}`);
      rows = r.rows;
      (which === 'typed' ? typedMs : byHandMs).push(r.ms);
      (which === 'typed' ? typedServerMs : byHandServerMs).push(await server(sql));
    }
  }
  return {
    rows,
    typedMs,
    byHandMs,
    typedServerMs,
    byHandServerMs,
    ratio: median(typedMs) / median(byHandMs),
    serverRatio: median(typedServerMs) / median(byHandServerMs),
  };
}

main().catch((err) => {
  process.stderr.write(`bench:views: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
