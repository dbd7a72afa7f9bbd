/**
 * `npm run bench:remote`: only the remote-shop rows of the benchmark (see remoteShop.ts).
 *
 *   npm run bench:remote -- [--latencies 50,200,500] [--max-rps 10] [--repeat 3] [--compare-fixed 2|0] [--json PATH]
 *
 * Needs DATABASE_URL (a server where it may CREATE DATABASE; default
 * postgres://postgres@127.0.0.1:5432/postgres). Builds dist/ first: the sync runs as users run it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureRemoteShop, renderRemoteShop } from './remoteShop.js';

const { values: opts } = parseArgs({
  options: {
    latencies: { type: 'string', default: '50,200,500' },
    'max-rps': { type: 'string', default: '10' },
    repeat: { type: 'string', default: '3' },
    'compare-fixed': { type: 'string', default: '2' },
    json: { type: 'string', default: 'bench/results/remote.json' },
  },
});

function fail(message: string): never {
  process.stderr.write(`bench:remote: ${message}\n`);
  process.exit(2);
}
const latencies = opts.latencies!.split(',').map((x) => Number(x.trim()));
if (latencies.some((x) => !Number.isInteger(x) || x < 0 || x > 10_000))
  fail(
    `--latencies must be whole milliseconds from 0 to 10000, comma-separated, got ${JSON.stringify(opts.latencies)}`,
  );
const maxRps = Number(opts['max-rps']);
if (!(maxRps > 0 && maxRps <= 1000))
  fail(`--max-rps must be a number above 0, up to 1000, got ${JSON.stringify(opts['max-rps'])}`);
const repeat = Number(opts.repeat);
if (!Number.isInteger(repeat) || repeat < 1)
  fail(`--repeat must be a whole number from 1, got ${JSON.stringify(opts.repeat)}`);
const fixed = Number(opts['compare-fixed']);
if (!Number.isInteger(fixed) || fixed < 0 || fixed > 16)
  fail(`--compare-fixed must be a whole number from 0 (off) to 16, got ${JSON.stringify(opts['compare-fixed'])}`);

const t0 = Date.now();
const say = (line: string) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
execFileSync(
  process.execPath,
  [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'],
  { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: 'inherit' },
);
const rows = await measureRemoteShop({
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  latenciesMs: latencies,
  maxRps,
  repeat,
  compareFixed: fixed === 0 ? null : fixed,
  say,
});
mkdirSync(dirname(opts.json!), { recursive: true });
writeFileSync(opts.json!, JSON.stringify({ when: new Date().toISOString(), rows }, null, 2) + '\n');
process.stdout.write('\n' + renderRemoteShop(rows) + '\n');
