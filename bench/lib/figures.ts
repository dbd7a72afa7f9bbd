/** What `npm run bench` measures, step by step (see bench/run.ts), and the JSON it writes. */
import type { ChildRun } from './runChild.js';
import type { TupleCounts } from './pgFigures.js';
import type { ProfileSummary } from './profileSummary.js';
import type { RemoteRow } from '../remoteShop.js';

export const API_DEFAULT_PAGE_SIZE = 100;

export interface Rate {
  records: number;
  pages: number;
  ms: number;
  recordsPerSec: number;
  pagesPerSec: number;
}
export const rate = (records: number, pages: number, ms: number): Rate => ({
  records,
  pages,
  ms,
  recordsPerSec: (records / ms) * 1000,
  pagesPerSec: (pages / ms) * 1000,
});

/**
 * Average cores busy over a child's life (both cores of a 2-core machine busy = 2.0), by who used
 * them. Whole process life, start-up included, so a little lower than during the walk itself.
 */
export interface CpuShare {
  /** The measured process (sync, fetch or naive child; for COPY this benchmark process). */
  syncCores: number;
  simulatorCores: number;
  postgresCores: number;
  /** Everything else on the machine (other work on a shared box, the kernel…). */
  otherCores: number;
  machineCores: number;
  /** Of machineCores, time the hypervisor gave to other guests. */
  stealCores: number;
}
export function cpuShare(r: ChildRun): CpuShare {
  const w = r.wallMs;
  return {
    syncCores: r.cpuMs / w,
    simulatorCores: r.simCpuMs / w,
    postgresCores: r.pgCpuMs / w,
    otherCores: Math.max(0, r.machineBusyMs - r.cpuMs - r.simCpuMs - r.pgCpuMs) / w,
    machineCores: r.machineBusyMs / w,
    stealCores: r.stealMs / w,
  };
}

/** CPU spent per record, µs, by whom (the process's start-up excluded where it is known). */
export interface CpuPerRecord {
  syncCpuUs: number;
  simulatorCpuUs: number;
  postgresCpuUs: number;
  totalCpuUs: number;
}

export interface FetchFigures extends Rate, CpuShare, CpuPerRecord {
  peakRssMb: number;
}

export type WriteFigures = Rate & CpuShare & CpuPerRecord;

export interface MirrorFigures extends Rate, CpuShare, CpuPerRecord {
  /** The child process from spawn to exit (start-up, migration check, walk, summary). */
  wallMs: number;
  peakRssMb: number;
  /** Walk time per record, µs (sync_runs.finished_at − started_at). */
  usPerRecord: number;
  inserted: number;
  updated: number;
  unchanged: number;
  dataRowsWritten: number;
  bookkeepingRowsWritten: number;
  /** WAL written meanwhile by the whole server (other databases' work included), bytes per record. */
  walBytesPerRecord: number;
  perTable: TupleCounts['perTable'];
}

export interface NaiveFigures {
  records: number;
  ms: number;
  recordsPerSec: number;
  usPerRecord: number;
  syncCpuUs: number;
}

export interface IncrementalFigures {
  requests: number;
  recordsSeen: number;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  dataRowsWritten: number;
}

export interface Target {
  name: string;
  value: number | null;
  pass: boolean | null;
  note?: string;
}

export interface Bounds {
  /** 0.7 × min(fetch ceiling, write ceiling), records/s. */
  targetMirror: number;
  /**
   * Least CPU any mirror needs per record, µs: what step 1 spends to fetch and parse (sync +
   * simulator), what step 2's Postgres spends to store (COPY, the cheapest write) and the
   * normalization and serialization timed in-process; and what the machine's cores allow at that cost.
   */
  floorCpuUs: number;
  floorMachineMax: number;
  /** The sync process must do all step 1's child does plus prepareRecords: one process's limit. */
  floorProcessMax: number;
  /** The sync's own CPU per record in the first mirror → one process's limit, records/s. */
  syncProcessMax: number;
  /** The machine's cores ÷ (sync + simulator + Postgres CPU per record of the first mirror), records/s. */
  machineMax: number;
}

/** Steps 1, 3, 5, 6 and 7 at one page size (2 and 4 do not depend on it). */
export interface PageSizeFigures {
  pageSize: number;
  note: string;
  fetchCeiling: { median: FetchFigures; reps: FetchFigures[] };
  firstMirror: { median: MirrorFigures; reps: MirrorFigures[] };
  unchangedMirror: { median: MirrorFigures; reps: MirrorFigures[] };
  incrementalNothingNew: { median: IncrementalFigures; reps: IncrementalFigures[] };
  scale4N: { records: number; median: MirrorFigures; reps: MirrorFigures[] } | null;
  million: MirrorFigures | null;
  ratios: {
    mirrorVsCeiling: number;
    sharedCeiling: number;
    mirrorVsSharedCeiling: number;
    mirrorVsNaive: number;
    unchangedSpeedup: number;
    costPerRecord4NvsN: number | null;
    peakRss4NvsN: number | null;
  };
  bounds: Bounds;
  targets: Target[];
}

export interface Result {
  when: string;
  durationSec: number;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGb: number;
    node: string;
    postgres: Record<string, string>;
    busyCoresBeforeStart: number;
    note: string;
  };
  config: {
    endpoint: string;
    records: number;
    repeat: number;
    scaleRepeat: number;
    naiveSlice: number;
    pageSizes: number[];
    seed: number;
    maxRps: number;
    checkpointBeforeRuns: boolean;
  };
  jsWorkPerRecord: { jsonParseUs: number; prepareUs: number };
  /** A bare sync process: start-up, migration check, one page (the incremental runs of step 6). */
  startup: { wallMs: number; cpuMs: number; peakRssMb: number };
  writeCeiling: { median: WriteFigures; reps: WriteFigures[] };
  naive: { median: NaiveFigures; reps: NaiveFigures[] };
  /** [API default page size, larger page size (when measured)]. */
  bySize: PageSizeFigures[];
  profile: (ProfileSummary & { file: string; recordsPerSec: number }) | null;
  /** A remote shop: every endpoint at each --latencies value, ONECORE_MAX_RPS=10, default settings. */
  remoteShop: RemoteRow[];
}
