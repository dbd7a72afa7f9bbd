import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From the last output the process wrote to its exit: a process that hangs after its last line shows here. */
  quietBeforeExitMs: number;
}

/** The env a CLI child gets: only what the test passes plus PATH, so the developer's shell cannot leak in. */
export function cliEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn' };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Starts the real command line (TypeScript through tsx, so tests always run the current source). */
export function spawnCli(args: string[], env: Record<string, string | undefined>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: cliEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    let lastOutputAt = Date.now();
    child.stdout!.on('data', (d) => {
      stdout += d;
      lastOutputAt = Date.now();
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
      lastOutputAt = Date.now();
    });
    // A safety net, not a speed limit: several CLIs compiling TypeScript at once on a loaded
    // 2-core machine can take a minute each; the test's own timeout (180 s) is the outer bound.
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 150_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, quietBeforeExitMs: Date.now() - lastOutputAt });
    });
    child.stdin!.end(opts.input ?? '');
  });
}
