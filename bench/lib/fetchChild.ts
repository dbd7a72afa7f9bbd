/**
 * Child process of the benchmark, step 1 (fetch ceiling): walks every page of one endpoint with
 * the real client (auth, paging, JSON.parse, the engine's read-ahead) and writes nothing.
 * Configured like `sync` (DATABASE_URL holds the token; ONECORE_*). Prints one JSON line:
 * records, pages, ms and cpuMs (this process's CPU during the walk).
 *
 *   node --import tsx bench/lib/fetchChild.ts ENDPOINT
 */
import { createContext } from '../../src/cli/context.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { createShopApi } from '../../src/onecore/createShopApi.js';
import { readAhead } from '../../src/sync/readAhead.js';

const endpoint = process.argv[2] ?? 'orders';
const ctx = createContext();
const pool = ctx.pool();
await migrateDatabase(pool);
const api = createShopApi(ctx.config, pool, ctx.log);
const abort = new AbortController();
const started = performance.now();
const cpu0 = process.cpuUsage();
let records = 0;
let pages = 0;
for await (const page of readAhead(api.pages(endpoint, null, abort.signal))) {
  records += page.records.length;
  pages += 1;
}
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
abort.abort();
await api.close();
await ctx.close();
process.stdout.write(JSON.stringify({ records, pages, ms, cpuMs }) + '\n');
