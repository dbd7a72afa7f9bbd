/**
 * Child process of the benchmark, step 4 (naive baseline): what a hand-made script does. Fetch a
 * page, then for each record one `insert … on conflict (id) do update`, each its own transaction
 * (autocommit), no read-ahead. Stops after LIMIT records. Same client, same normalization as the
 * engine, so only the writing differs. Prints one JSON line: records, pages, ms and cpuMs (this
 * process's CPU during the walk).
 *
 *   node --import tsx bench/lib/naiveChild.ts ENDPOINT LIMIT TABLE
 */
import { createContext } from '../../src/cli/context.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { createShopApi } from '../../src/onecore/createShopApi.js';
import { prepareRecords } from '../../src/sync/prepareRecords.js';

const endpoint = process.argv[2] ?? 'orders';
const limit = Number(process.argv[3] ?? 5000);
const table = process.argv[4] ?? 'public.naive_orders';
const ctx = createContext();
const pool = ctx.pool();
await migrateDatabase(pool);
await pool.query(`drop table if exists ${table}`);
await pool.query(
  `create table ${table} (id text primary key, data jsonb not null, synced_at timestamptz not null default now(), deleted_at timestamptz)`,
);
const api = createShopApi(ctx.config, pool, ctx.log);
const db = await pool.connect();
const abort = new AbortController();
const started = performance.now();
const cpu0 = process.cpuUsage();
let records = 0;
let pages = 0;
walk: for await (const page of api.pages(endpoint, null, abort.signal)) {
  pages += 1;
  const { ids, json } = prepareRecords(page.records, 'id');
  for (let i = 0; i < ids.length; i++) {
    await db.query(
      `insert into ${table} (id, data, synced_at, deleted_at) values ($1, $2::jsonb, now(), null)
       on conflict (id) do update set data = excluded.data, synced_at = now(), deleted_at = null`,
      [ids[i], json[i]],
    );
    if (++records >= limit) break walk;
  }
}
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
abort.abort();
db.release();
await api.close();
await ctx.close();
process.stdout.write(JSON.stringify({ records, pages, ms, cpuMs }) + '\n');
