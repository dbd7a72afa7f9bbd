import { spawn } from 'node:child_process';
import { CpuTracker, machineCpu, postgresCpuByPid, sampleProcess } from './procstat.js';

/** Child processes: wall time, peak RSS (VmHWM), CPU, and who used the machine meanwhile. */
export interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Peak resident set of the child (VmHWM, last sample before exit), MB. */
  peakRssMb: number;
  /** The child's own CPU time (user + system, start-up included), ms. */
  cpuMs: number;
  /** This process's CPU meanwhile (the simulator serving pages), ms. */
  simCpuMs: number;
  /** Postgres meanwhile: the database's backends and the server's WAL writer, checkpointer and background writer, ms. */
  pgCpuMs: number;
  /** CPU of the whole machine meanwhile (all cores, everything), ms; and of it, time stolen by the hypervisor. */
  machineBusyMs: number;
  stealMs: number;
}

export interface ChildSpec {
  /** A .ts script runs through tsx; a .js one under plain node. */
  script: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The database whose backends' CPU is counted as Postgres'. */
  database: string;
  nodeFlags?: string[];
}

export function runChild(spec: ChildSpec): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const pgCpu = new CpuTracker(() => postgresCpuByPid(spec.database));
    const cpu0 = process.cpuUsage();
    const m0 = machineCpu();
    const started = performance.now();
    const loader = spec.script.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const child = spawn(process.execPath, [...(spec.nodeFlags ?? []), ...loader, spec.script, ...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let peak = 0;
    let cpuMs = 0;
    const poll = () => {
      if (child.pid === undefined) return;
      const s = sampleProcess(child.pid);
      if (s) {
        peak = Math.max(peak, s.hwmMb);
        cpuMs = Math.max(cpuMs, s.cpuMs);
      }
    };
    // The child's own figures every 50 ms (VmHWM is a high-water mark: the last sample, at most
    // 50 ms before the exit, holds the peak); Postgres' every 500 ms, as scanning /proc costs CPU
    // that would be taken from what is measured.
    const timer = setInterval(poll, 50);
    const pgTimer = setInterval(() => pgCpu.poll(), 500);
    child.on('error', (err) => {
      clearInterval(timer);
      clearInterval(pgTimer);
      reject(err);
    });
    child.on('exit', (code) => {
      clearInterval(timer);
      clearInterval(pgTimer);
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpu0);
      const m1 = machineCpu();
      pgCpu.poll();
      resolve({
        code,
        stdout,
        stderr,
        wallMs,
        peakRssMb: peak,
        cpuMs,
        simCpuMs: (cpu.user + cpu.system) / 1000,
        pgCpuMs: pgCpu.totalMs(),
        machineBusyMs: m1.busyMs - m0.busyMs,
        stealMs: m1.stealMs - m0.stealMs,
      });
    });
  });
}

export function mustSucceed(what: string, r: ChildRun): ChildRun {
  if (r.code !== 0)
    throw new Error(`${what} exited with ${r.code}\n${r.stderr.slice(-4000)}\n${r.stdout.slice(-2000)}`);
  return r;
}
