/**
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`): self time by function and by source
 * file / package, so the hot path is visible without opening DevTools.
 *
 *   node --import tsx bench/lib/profileSummary.ts FILE.cpuprofile [top=25]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  functions: { name: string; where: string; selfMs: number; share: number }[];
  groups: { group: string; selfMs: number; share: number }[];
}

/** Where a frame's code lives: our module, a package, node internals, GC, idle. */
function groupOf(url: string, name: string): string {
  if (name === '(idle)') return '(idle)';
  if (name === '(garbage collector)') return '(garbage collector)';
  if (name === '(program)') return '(program: native / JIT)';
  if (url === '') return `(native) ${name}`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm:${nm[1]}`;
  if (url.startsWith('node:')) return url;
  const src = /\/(src|bench)\/(.*)$/.exec(url);
  if (src) return `${src[1]}/${src[2]}`;
  return url;
}

export function summarizeProfile(path: string, top = 25): ProfileSummary {
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt);
  }
  const fn = new Map<string, { name: string; where: string; selfMs: number }>();
  const groups = new Map<string, number>();
  let total = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    const name = functionName || '(anonymous)';
    const group = groupOf(url, name);
    const where = url ? `${group}:${lineNumber + 1}` : group;
    const key = `${name}@${where}`;
    const e = fn.get(key) ?? { name, where, selfMs: 0 };
    e.selfMs += ms;
    fn.set(key, e);
    groups.set(group, (groups.get(group) ?? 0) + ms);
    total += ms;
  }
  const share = (ms: number) => ms / total;
  return {
    totalMs: total,
    functions: [...fn.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map((f) => ({ ...f, share: share(f.selfMs) })),
    groups: [...groups]
      .map(([group, ms]) => ({ group, selfMs: ms, share: share(ms) }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top),
  };
}

export function renderProfile(s: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
  const lines = [`profile: ${(s.totalMs / 1000).toFixed(1)} s sampled`, 'self time by function:'];
  for (const f of s.functions)
    lines.push(`  ${pct(f.share)} ${f.selfMs.toFixed(0).padStart(7)} ms  ${f.name}  (${f.where})`);
  lines.push('self time by module / package:');
  for (const g of s.groups) lines.push(`  ${pct(g.share)} ${g.selfMs.toFixed(0).padStart(7)} ms  ${g.group}`);
  return lines.join('\n') + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/lib/profileSummary.ts FILE.cpuprofile [top]\n');
    process.exit(2);
  }
  process.stdout.write(renderProfile(summarizeProfile(file, Number(process.argv[3] ?? 25))));
}
