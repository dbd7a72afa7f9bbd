/**
 * Process and machine figures read from /proc (Linux): a child's peak RSS (VmHWM) and CPU time,
 * and the machine's busy time, so the benchmark can say where the cores went.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** kB → MB */
const mb = (kb: number) => kb / 1024;

export interface ProcSample {
  /** Peak resident set (VmHWM), MB. */
  hwmMb: number;
  /** Current resident set, MB. */
  rssMb: number;
  /** utime + stime, ms. */
  cpuMs: number;
}

export function sampleProcess(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    // Fields after the command (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return { hwmMb: mb(Number(hwm?.[1] ?? 0)), rssMb: mb(Number(rss?.[1] ?? 0)), cpuMs: (utime + stime) * TICK_MS };
  } catch {
    return undefined; // exited
  }
}

/**
 * Busy and total CPU time of the whole machine (all cores), ms. `stealMs` (inside `busyMs`) is
 * time the hypervisor gave our virtual cores to someone else: a noisy host shows up there.
 */
export function machineCpu(): { busyMs: number; totalMs: number; stealMs: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest is included in user)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = v as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const busy = user + nice + system + irq + softirq + steal;
  return { busyMs: busy * TICK_MS, totalMs: (busy + idle + iowait) * TICK_MS, stealMs: steal * TICK_MS };
}

/**
 * CPU time (ms) of the Postgres processes that work for one database: its backends (their process
 * title names the database) and the server-wide writers (WAL writer, checkpointer, background
 * writer), by pid. Backends of other databases — other people's work on a shared server — are
 * left out.
 */
export function postgresCpuByPid(database: string): Map<number, number> {
  const out = new Map<number, number>();
  const mine = new RegExp(` ${database}(?:[ \\0]|$)`);
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.charCodeAt(0) < 48 || e.charCodeAt(0) > 57) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm !== 'postgres') continue;
      const cmdline = readFileSync(`/proc/${e}/cmdline`, 'utf8');
      if (!mine.test(cmdline) && !/postgres: (?:\S+: )?(?:walwriter|checkpointer|background writer)/.test(cmdline))
        continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(e), (Number(fields[11]) + Number(fields[12])) * TICK_MS);
    } catch {
      // gone
    }
  }
  return out;
}

/** Accumulates the CPU of a changing set of processes between a start and the last sample. */
export class CpuTracker {
  private readonly base = new Map<number, number>();
  private readonly last = new Map<number, number>();
  constructor(private readonly sample: () => Map<number, number>) {
    for (const [pid, ms] of sample()) this.base.set(pid, ms);
  }
  poll(): void {
    for (const [pid, ms] of this.sample()) {
      if (!this.base.has(pid)) this.base.set(pid, 0); // started after us: all of its time counts
      this.last.set(pid, ms);
    }
  }
  totalMs(): number {
    let t = 0;
    for (const [pid, ms] of this.last) t += ms - (this.base.get(pid) ?? 0);
    return t;
  }
}
