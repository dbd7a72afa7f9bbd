/**
 * Operator mistakes and surroundings (issue #12, item 11): a token on the command line, log lines
 * that must stay one JSON object each, a Redis whose eviction policy cannot be read.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { warnUnlessNoEviction } from '../src/jobs/redis.js';
import { ROOT, runCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { sleepUntil } from './helpers/sleepUntil.js';
import { freePort } from './helpers/freePort.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/warnings.ts', import.meta.url));
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('operator surroundings', () => {
  it('token set with the token as an argument warns (shell history, ps); from standard input it does not', async () => {
    const env = { DATABASE_URL: db.url };
    const arg = await runCli(['token', 'set', 'operator-token-on-the-command-line-0001'], env);
    expect(arg.code).toBe(0);
    expect(arg.stderr).toMatch(
      /warning: a token given as an argument can stay in your shell history and is visible to other users in `ps`/,
    );
    expect(arg.stderr).not.toContain('operator-token-on-the-command-line-0001');
    const stdin = await runCli(['token', 'set'], env, { input: 'operator-token-from-stdin-0002\n' });
    expect(stdin.code).toBe(0);
    expect(stdin.stderr).not.toMatch(/warning/);
  });

  it('process warnings and console output of libraries become one-line JSON log lines', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const lines = stderr.trim().split('\n');
    expect(lines.length).toBe(2);
    const parsed = lines.map(
      (l) => JSON.parse(l) as { level: number; msg: string; warning?: { name: string; code: string } },
    );
    expect(parsed.find((l) => l.warning)).toMatchObject({
      level: 40,
      msg: 'a driver deprecation spread over three lines',
      warning: { name: 'DeprecationWarning', code: 'DEP_TEST' },
    });
    expect(parsed.find((l) => !l.warning)?.msg).toMatch(/^IMPORTANT! something a library prints/);
  });

  it('a Redis that refuses CONFIG: the worker says the eviction policy could not be checked', async () => {
    const port = await freePort();
    // A private Redis (never the shared one) with CONFIG disabled, as managed Redis often has it.
    const server = spawn(
      'redis-server',
      ['--port', String(port), '--save', '', '--appendonly', 'no', '--rename-command', 'CONFIG', ''],
      { stdio: 'ignore' },
    );
    const redis = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      retryStrategy: () => 100,
    });
    redis.on('error', () => undefined);
    try {
      await sleepUntil(async () => (await redis.ping().catch(() => '')) === 'PONG', { what: 'the private redis' });
      const lines: Array<{ level: number; msg: string }> = [];
      const log = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
      await warnUnlessNoEviction(redis, log);
      expect(lines.find((l) => l.level === 40)?.msg).toMatch(
        /could not check the Redis maxmemory-policy.*make sure it is noeviction/,
      );
    } finally {
      redis.disconnect();
      server.kill('SIGKILL');
    }
  });
});
