import { fmt } from './fmt.js';
import {
  API_DEFAULT_PAGE_SIZE,
  type CpuPerRecord,
  type CpuShare,
  type PageSizeFigures,
  type Result,
} from './figures.js';
import { renderRemoteShop } from '../remoteShop.js';

/** The Markdown report printed at the end (and pasted into the README). */
export function renderReport(r: Result): string {
  const w = r.writeCeiling.median;
  const n = r.naive.median;
  const sizes = r.bySize;
  const md = (head: string[], body: string[][]) =>
    [
      `| ${head.join(' | ')} |`,
      `| ${head.map(() => '---').join(' | ')} |`,
      ...body.map((x) => `| ${x.join(' | ')} |`),
    ].join('\n');
  const cores = (x: CpuShare) =>
    `sync ${fmt(x.syncCores, 2)} + sim ${fmt(x.simulatorCores, 2)} + pg ${fmt(x.postgresCores, 2)} + other ${fmt(x.otherCores, 2)} = ${fmt(x.machineCores, 2)}`;
  const cpuUs = (x: CpuPerRecord) =>
    `sync ${fmt(x.syncCpuUs, 1)} + sim ${fmt(x.simulatorCpuUs, 1)} + pg ${fmt(x.postgresCpuUs, 1)} = ${fmt(x.totalCpuUs, 1)}`;
  const rows: string[][] = [];
  for (const s of sizes) {
    const ps = `pageSize ${s.pageSize}`;
    const f = s.fetchCeiling.median;
    const m = s.firstMirror.median;
    const u = s.unchangedMirror.median;
    const inc = s.incrementalNothingNew.median;
    rows.push([
      `1. fetch ceiling: client + JSON.parse, nothing written`,
      ps,
      `${fmt(f.recordsPerSec)} rec/s`,
      `${fmt(f.pagesPerSec, 1)} pages/s`,
      cores(f),
      cpuUs(f),
    ]);
    if (s === sizes[0])
      rows.push([
        '2. write ceiling: COPY into a table with PK',
        'any',
        `${fmt(w.recordsPerSec)} rec/s`,
        '—',
        `bench ${fmt(w.syncCores, 2)} + pg ${fmt(w.postgresCores, 2)} + other ${fmt(w.otherCores, 2)} = ${fmt(w.machineCores, 2)}`,
        `bench ${fmt(w.syncCpuUs, 1)} + pg ${fmt(w.postgresCpuUs, 1)} = ${fmt(w.totalCpuUs, 1)}`,
      ]);
    rows.push([
      '3. first mirror, empty database',
      ps,
      `${fmt(m.recordsPerSec)} rec/s`,
      `${fmt(m.pagesPerSec, 1)} pages/s; ${fmt(m.usPerRecord, 1)} µs/rec; peak RSS ${fmt(m.peakRssMb, 1)} MB`,
      cores(m),
      cpuUs(m),
    ]);
    if (s === sizes[0])
      rows.push([
        `4. naive: autocommitted upsert per record (${fmt(n.records)} rec)`,
        ps,
        `${fmt(n.recordsPerSec)} rec/s`,
        `${fmt(n.usPerRecord)} µs/rec`,
        '—',
        `sync ${fmt(n.syncCpuUs, 1)}`,
      ]);
    rows.push([
      '5. unchanged re-mirror',
      ps,
      `${fmt(u.recordsPerSec)} rec/s`,
      `rows written: data ${fmt(u.dataRowsWritten)}, onecore_sync ${fmt(u.bookkeepingRowsWritten)} (${fmt(u.bookkeepingRowsWritten / Math.max(1, u.pages), 1)}/page); WAL ${fmt(u.walBytesPerRecord, 1)} B/rec (server-wide)`,
      cores(u),
      cpuUs(u),
    ]);
    rows.push([
      '6. incremental, nothing new',
      ps,
      `${fmt(inc.requests)} request(s)`,
      `${fmt(inc.recordsSeen)} records re-read; data rows written ${fmt(inc.dataRowsWritten)}; whole process ${fmt(inc.wallMs)} ms, peak RSS ${fmt(inc.peakRssMb, 1)} MB`,
      '—',
      '—',
    ]);
    if (s.scale4N) {
      const x = s.scale4N.median;
      rows.push([
        `7. first mirror at 4N = ${fmt(s.scale4N.records)}`,
        ps,
        `${fmt(x.recordsPerSec)} rec/s`,
        `${fmt(x.usPerRecord, 1)} µs/rec; peak RSS ${fmt(x.peakRssMb, 1)} MB`,
        cores(x),
        cpuUs(x),
      ]);
    }
    if (s.million) {
      const x = s.million;
      rows.push([
        'first mirror at 1,000,000',
        ps,
        `${fmt(x.recordsPerSec)} rec/s`,
        `${fmt(x.usPerRecord, 1)} µs/rec; peak RSS ${fmt(x.peakRssMb, 1)} MB`,
        cores(x),
        cpuUs(x),
      ]);
    }
  }
  const col = (fn: (s: PageSizeFigures) => string) => sizes.map(fn);
  const ratioRows: string[][] = [
    ['(3) / min(1, 2)', ...col((s) => fmt(s.ratios.mirrorVsCeiling, 2))],
    [
      `(3) / shared-machine ceiling 1/(1/(1) + 1/(2))`,
      ...col((s) => `${fmt(s.ratios.mirrorVsSharedCeiling, 2)} (ceiling ${fmt(s.ratios.sharedCeiling)} rec/s)`),
    ],
    ['(3) / (4)', ...col((s) => `${fmt(s.ratios.mirrorVsNaive, 1)}×`)],
    ['(5) / (3): unchanged speed-up', ...col((s) => `${fmt(s.ratios.unchangedSpeedup, 2)}×`)],
    [
      'cost per record 4N / N',
      ...col((s) => (s.ratios.costPerRecord4NvsN === null ? '—' : fmt(s.ratios.costPerRecord4NvsN, 3))),
    ],
    ['peak RSS 4N / N', ...col((s) => (s.ratios.peakRss4NvsN === null ? '—' : fmt(s.ratios.peakRss4NvsN, 3)))],
  ];
  const pct = (x: number) => `${fmt(x * 100)}%`;
  const boundRows: string[][] = [
    ['target for (3): 0.7 × min(1, 2)', ...col((s) => `${fmt(s.bounds.targetMirror)} rec/s`)],
    [
      `least CPU any mirror needs per record (µs): fetch + parse as in (1), sync + simulator; + Postgres storing as in (2), ${fmt(w.postgresCpuUs, 1)}; + prepare (key check, dates rewritten in the record's bytes), ${fmt(r.jsWorkPerRecord.prepareUs, 1)}`,
      ...col(
        (s) =>
          `${fmt(s.fetchCeiling.median.totalCpuUs, 1)} + ${fmt(w.postgresCpuUs, 1)} + ${fmt(r.jsWorkPerRecord.prepareUs, 1)} = ${fmt(s.bounds.floorCpuUs, 1)} µs`,
      ),
    ],
    [
      `… so ${r.machine.cpus} cores allow at most (the target needs this share of it)`,
      ...col(
        (s) => `${fmt(s.bounds.floorMachineMax)} rec/s (${pct(s.bounds.targetMirror / s.bounds.floorMachineMax)})`,
      ),
    ],
    [
      `one sync process must do all that (1)'s process does + prepare each record, so at most`,
      ...col(
        (s) => `${fmt(s.bounds.floorProcessMax)} rec/s (${pct(s.bounds.targetMirror / s.bounds.floorProcessMax)})`,
      ),
    ],
    [
      `(3) as measured: the sync process's CPU per record (start-up excluded) allows at most`,
      ...col(
        (s) =>
          `${fmt(s.bounds.syncProcessMax)} rec/s at ${fmt(s.firstMirror.median.syncCpuUs, 1)} µs (${pct(s.bounds.targetMirror / s.bounds.syncProcessMax)})`,
      ),
    ],
    [
      `(3) as measured: ${r.machine.cpus} cores ÷ CPU per record of all processes allow at most`,
      ...col(
        (s) =>
          `${fmt(s.bounds.machineMax)} rec/s at ${fmt(s.firstMirror.median.totalCpuUs, 1)} µs (${pct(s.bounds.targetMirror / s.bounds.machineMax)})`,
      ),
    ],
    [
      'targets 1 and 4 together need (5) ≥ 1.5 × 0.7 × min(1, 2); (5) must also fetch, parse and prepare every record (to compare it), so one process does at most',
      ...col(
        (s) =>
          `needs ${fmt(1.5 * s.bounds.targetMirror)}, at most ${fmt(s.bounds.floorProcessMax)} rec/s (${pct((1.5 * s.bounds.targetMirror) / s.bounds.floorProcessMax)})`,
      ),
    ],
  ];
  const targetRows: string[][] = sizes[0]!.targets.map((t, i) => [
    t.name,
    ...col((s) => {
      const x = s.targets[i]!;
      return x.pass === null
        ? `not run (${x.note ?? ''})`
        : `${fmt(x.value!, Number.isInteger(x.value) ? 0 : 2)} ${x.pass ? 'PASS' : 'FAIL'}`;
    }),
  ]);
  const pg = r.machine.postgres;
  const sizeHead = col((s) => `pageSize ${s.pageSize}${s.pageSize === API_DEFAULT_PAGE_SIZE ? ' (API default)' : ''}`);
  return [
    `Endpoint \`${r.config.endpoint}\` (the richest records, ~1.2 kB of JSON each), N = ${fmt(r.config.records)}; ONECORE_MAX_RPS=0; medians of ${r.config.repeat} runs (4N: ${r.config.scaleRepeat}). Page size ${API_DEFAULT_PAGE_SIZE} is the API's default; ${sizes.length > 1 ? `${sizes[1]!.pageSize} is asked for with ONECORE_CONFIG_FILE \`{"endpoints":{"${r.config.endpoint}":{"pageSizeParam":"pageSize","pageSize":${sizes[1]!.pageSize}}}}\`.` : ''}`,
    `Machine: ${r.machine.cpus} cores (${r.machine.cpuModel}), ${r.machine.memoryGb} GB RAM, node ${r.machine.node}, ${pg.version!.split(' on ')[0]} (shared_buffers ${pg.shared_buffers}, synchronous_commit ${pg.synchronous_commit}). The simulator (bench process), the sync (child process) and Postgres share the ${r.machine.cpus} cores; ${fmt(r.machine.busyCoresBeforeStart, 2)} cores were busy before the start. Bench took ${fmt(r.durationSec)} s.`,
    `A bare sync process (start-up, migration check, one page) takes ${fmt(r.startup.wallMs)} ms, ${fmt(r.startup.cpuMs)} ms CPU and ${fmt(r.startup.peakRssMb, 1)} MB peak RSS (the built dist/ under plain node, as users run it).`,
    '',
    md(['step', 'page size', 'result', 'details', `cores busy (of ${r.machine.cpus})`, 'CPU µs per record'], rows),
    '',
    md(['ratio', ...sizeHead], ratioRows),
    '',
    md(['target', ...sizeHead], targetRows),
    '',
    md(['why: bounds from the measurements', ...sizeHead], boundRows),
    ...(r.remoteShop.length > 0 ? ['', renderRemoteShop(r.remoteShop)] : []),
  ].join('\n');
}
