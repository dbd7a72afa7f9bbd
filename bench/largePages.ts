/**
 * `npm run bench:large-pages`: the sync's peak memory (VmHWM) when the shop answers with very large
 * pages (issue #12, item 7), and what ONECORE_MAX_RESPONSE_BYTES does about it.
 *
 * A small server in front of the simulator answers the `orders` list with three pages of the
 * given size (records of ~1.2 kB, as real orders are); `sync --endpoint orders` runs as a child
 * process (the built dist/, as users run it) and its peak RSS is sampled from /proc every 20 ms.
 * Needs DATABASE_URL (a server where it may CREATE DATABASE); each run gets a scratch database,
 * dropped afterwards. Options: --sizes 1,16,48,120 (MB per page), --json PATH.
 */
import { spawn, execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startSimulator } from '../src/simulator/index.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../src/onecore/http.js';
import { startHostileServer } from '../test/helpers/hostileServer.js';
import { createScratchDatabase } from '../test/helpers/scratchDatabase.js';
import { sampleProcess } from './lib/procstat.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1,16,48,120' },
    json: { type: 'string', default: 'bench/results/large-pages.json' },
  },
});
const sizes = values.sizes!.split(',').map(Number);
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PAGES = 3;

/** One page of about `mb` megabytes: ~1.2 kB records with a cursor to the next page. */
function pageBody(mb: number, page: number): Buffer {
  const filler = 'x'.repeat(1000);
  const perPage = Math.max(1, Math.round((mb * 1024 * 1024) / 1200));
  const records: string[] = [];
  for (let i = 0; i < perPage; i++) {
    records.push(
      JSON.stringify({
        id: `p${page}-${i}`,
        orderNumber: `SO-${page}-${i}`,
        created: '2024-03-01T10:00:00+01:00',
        total: 123.45,
        note: filler,
      }),
    );
  }
  const next = page + 1 < PAGES ? `"after=page${page + 1}"` : 'null';
  return Buffer.from(`{"items":[${records.join(',')}],"metadata":{"hasNext":${page + 1 < PAGES},"next":${next}}}`);
}

async function measure(
  mb: number,
  maxBytes: number | undefined,
): Promise<{ mb: number; maxBytes: number; code: number | null; peakRssMb: number; records: number; line: string }> {
  const sim = await startSimulator({ records: 10 });
  const hostile = await startHostileServer(sim.url);
  const bodies = Array.from({ length: PAGES }, (_, p) => pageBody(mb, p));
  hostile.always('/api/v2/orders', {
    handle: (req, res) => {
      const after = new URL(req.url ?? '/', 'http://x').searchParams.get('after');
      const page = after === null ? 0 : Number(after.replace('page', ''));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bodies[page]!.length) });
      res.end(bodies[page]);
    },
  });
  const scratch = await createScratchDatabase(baseUrl, { prefix: 'ocs_bench_large', migrate: false });
  try {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      DATABASE_URL: scratch.url,
      ONECORE_BASE_URL: hostile.url,
      ONECORE_REFRESH_TOKEN: sim.refreshToken,
      ONECORE_MAX_RPS: '0',
      ONECORE_ENDPOINTS: 'orders',
      LOG_LEVEL: 'warn',
      ...(maxBytes !== undefined ? { ONECORE_MAX_RESPONSE_BYTES: String(maxBytes) } : {}),
    };
    const child = spawn(process.execPath, ['dist/cli/main.js', 'sync', '--endpoint', 'orders'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    let peak = 0;
    const timer = setInterval(() => {
      const s = child.pid !== undefined ? sampleProcess(child.pid) : undefined;
      if (s) peak = Math.max(peak, s.hwmMb);
    }, 20);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(timer);
    const db = new pg.Client({ connectionString: scratch.url });
    await db.connect();
    const n = await db.query(`select count(*)::int as n from onecore.orders`).then(
      (r) => r.rows[0].n as number,
      () => 0,
    );
    await db.end();
    const line = out.split('\n').find((l) => /^orders: /.test(l)) ?? '';
    return {
      mb,
      maxBytes: maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      code,
      peakRssMb: Math.round(peak * 10) / 10,
      records: n,
      line,
    };
  } finally {
    await scratch.drop();
    await hostile.close();
    await sim.close();
  }
}

async function main(): Promise<void> {
  process.stdout.write('building dist/ …\n');
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const results = [];
  for (const mb of sizes) {
    // Each size under the default limit; a size above it once more with a limit that lets it in.
    results.push(await measure(mb, undefined));
    if (mb * 1024 * 1024 > DEFAULT_MAX_RESPONSE_BYTES)
      results.push(await measure(mb, Math.ceil(mb * 1.1) * 1024 * 1024));
  }
  process.stdout.write(
    '\n| page size | ONECORE_MAX_RESPONSE_BYTES | exit | records stored | peak RSS (VmHWM) | note |\n| --- | --- | --- | --- | --- | --- |\n',
  );
  for (const r of results) {
    process.stdout.write(
      `| ${r.mb} MB × ${PAGES} pages | ${Math.round(r.maxBytes / 1024 / 1024)} MiB | ${r.code} | ${r.records} | ${r.peakRssMb} MB | ${r.line.replace(/\|/g, '/').slice(0, 140)} |\n`,
    );
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(values.json!, JSON.stringify(results, null, 2) + '\n');
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench:large-pages: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
