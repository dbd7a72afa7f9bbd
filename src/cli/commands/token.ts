import { defineCommand } from '../defineCommand.js';
import { createContext } from '../context.js';
import { ConfigError } from '../../config/ConfigError.js';
import { migrateDatabase } from '../../db/migrate.js';
import { readTokenStatus, storeRefreshToken, type TokenStatus } from '../../db/sql/credentials.js';
import { sha256 } from '../../onecore/sha256.js';
import { registerSecret } from '../../onecore/secrets.js';
import { formatDuration } from '../../format/duration.js';
import { isoSeconds } from '../../format/isoSeconds.js';

/**
 * `token set [TOKEN|-]` stores a refresh token; `token status [--json]` shows its age, the last
 * rotation and the access token's expiry. Neither ever prints a token: the terminal scroll-back,
 * CI logs and support tickets are where tokens leak.
 */
export const tokenSetCommand = defineCommand({
  name: 'token set',
  summary: 'store a refresh token (argument, or standard input); clears an authentication pause',
  args: {
    usage: '[TOKEN|-]',
    max: 1,
    help: 'the refresh token; `-` or nothing reads it from standard input (keeps it out of the shell history)',
  },
  flags: {},
  run: ({ args }) => setToken(args),
});

export const tokenStatusCommand = defineCommand({
  name: 'token status',
  summary: 'refresh-token age, last rotation, access-token expiry, renewals; never a token',
  flags: { json: { type: 'boolean', help: 'print JSON' } },
  run: ({ flags }) => showStatus(flags.json),
});

async function setToken(positionals: string[]): Promise<number> {
  const arg = positionals[0];
  // Stdin keeps the token out of the shell history and the process list.
  if (arg !== undefined && arg !== '-') {
    process.stderr.write(
      'warning: a token given as an argument can stay in your shell history and is visible to other users in `ps`; prefer `onecore-sync token set` and paste it (standard input)\n',
    );
  }
  const raw = arg === undefined || arg === '-' ? await readStdin() : arg;
  const token = raw.trim();
  if (token === '') throw new ConfigError('token set: no token given (pass it as the argument, or on stdin with `-`)');
  if (/\s/.test(token)) throw new ConfigError('token set: the token must not contain white space');
  if (token.length > 8192)
    throw new ConfigError('token set: the token is longer than 8192 characters; is it the right value?');
  // Redacted from here on, should any error echo it.
  registerSecret(token);
  const ctx = createContext();
  try {
    await migrateDatabase(ctx.pool());
    // Recording the environment's token as already bootstrapped keeps a worker started with the
    // old ONECORE_REFRESH_TOKEN from putting it back over this one.
    const envToken = ctx.config.refreshToken;
    await storeRefreshToken(ctx.pool(), token, 'token set', {
      bootstrapSha256: envToken ? sha256(envToken) : undefined,
    });
    process.stdout.write('refresh token stored\n');
    return 0;
  } finally {
    await ctx.close();
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('paste the refresh token, then press Enter and Ctrl-D\n');
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.length > 65536) throw new ConfigError('token set: more than 64 KiB on stdin; is it the right input?');
  }
  return text;
}

async function showStatus(json: boolean): Promise<number> {
  const values = { json };
  const ctx = createContext();
  try {
    await migrateDatabase(ctx.pool());
    const status = await readTokenStatus(ctx.pool());
    process.stdout.write(values.json ? JSON.stringify(status, null, 2) + '\n' : render(status));
    return 0;
  } finally {
    await ctx.close();
  }
}

function render(s: TokenStatus): string {
  if (!s.stored) return 'no refresh token is stored; set ONECORE_REFRESH_TOKEN or run `onecore-sync token set`\n';
  const now = Date.now();
  const lines = [
    `refresh token:   stored (${s.source}), age ${formatDuration((s.refreshTokenAgeSeconds ?? 0) * 1000)}, since ${iso(s.refreshTokenSince)}`,
    `last rotation:   ${s.rotatedAt ? `${iso(s.rotatedAt)} (${formatDuration(now - s.rotatedAt.getTime())} ago)` : 'never seen'}`,
    `previous token:  ${s.previousRefreshTokenKept ? 'kept (tried once if the current one is refused)' : 'none'}`,
    `access token:    ${accessLine(s, now)}`,
    `renewals:        ${s.renewCount}${s.renewedAt ? `, last ${iso(s.renewedAt)}` : ''}`,
    `authentication:  ${s.authFailedAt ? `FAILED since ${iso(s.authFailedAt)}: ${s.authFailedReason ?? ''}` : 'ok'}`,
  ];
  return lines.join('\n') + '\n';
}

function accessLine(s: TokenStatus, now: number): string {
  if (!s.accessTokenExpiresAt) return 'none (renewed on first use)';
  const left = s.accessTokenExpiresAt.getTime() - now;
  return s.accessTokenValid && left > 0
    ? `valid until ${iso(s.accessTokenExpiresAt)} (in ${formatDuration(left)})`
    : `expired at ${iso(s.accessTokenExpiresAt)} (renewed on next use)`;
}

function iso(d: Date | null): string {
  return d ? isoSeconds(d) : '-';
}
