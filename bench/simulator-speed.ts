/**
 * Simulator serving speed: walk N orders (default 100k) page by page over one keep-alive
 * connection, as a sync client would (fetch, JSON.parse, follow metadata.next).
 * Run: node --import tsx bench/simulator-speed.ts [records] [pageSize]
 */
import { startSimulator } from '../src/simulator/index.js';

const records = Number(process.argv[2] ?? 100_000);
const pageSize = Number(process.argv[3] ?? 100);

const t0 = performance.now();
const sim = await startSimulator({ records: { orders: records }, pageSize });
const r = await fetch(`${sim.url}/api/v2/tokens/renewtokens`, {
  method: 'POST',
  body: JSON.stringify({ refreshToken: sim.refreshToken }),
});
const { accessToken } = (await r.json()) as { accessToken: string };
const headers = { Authorization: `PublicApiV2 ${accessToken}` };
sim.count('orders'); // generate up front so the walk measures serving only
const tGen = performance.now();

async function walk(parse: boolean): Promise<{ count: number; bytes: number; ms: number }> {
  const start = performance.now();
  let link: string | null = null;
  let count = 0;
  let bytes = 0;
  for (;;) {
    const res = await fetch(`${sim.url}/api/v2/orders${link ? `?${link}` : ''}`, { headers });
    const text = await res.text();
    bytes += text.length;
    if (parse) {
      const page = JSON.parse(text) as { items: unknown[]; metadata: { next: string | null } };
      count += page.items.length;
      link = page.metadata.next;
    } else {
      // cheap link extraction: measure the server + transport, not JSON.parse
      const m = /"next":(null|"([^"]*)")/.exec(text.slice(-300));
      count += pageSize;
      link = m && m[2] ? m[2] : null;
    }
    if (!link) break;
  }
  return { count, bytes, ms: performance.now() - start };
}

const parsed = await walk(true);
const raw = await walk(false);
await sim.close();
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`generate ${fmt(records)} orders: ${fmt(tGen - t0)} ms`);
console.log(
  `walk with JSON.parse: ${fmt(parsed.count)} records, ${(parsed.bytes / 1e6).toFixed(1)} MB in ${fmt(parsed.ms)} ms → ${fmt((parsed.count / parsed.ms) * 1000)} records/s`,
);
console.log(
  `walk without parse:   ${fmt(Math.min(raw.count, records))} records in ${fmt(raw.ms)} ms → ${fmt((Math.min(raw.count, records) / raw.ms) * 1000)} records/s`,
);
