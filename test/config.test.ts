import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig } from '../src/config/readConfig.js';
import { ConfigError } from '../src/config/ConfigError.js';
import { runCli } from './helpers/cli.js';

function errorOf(env: Record<string, string>): string {
  try {
    readConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = readConfig({});
    expect(c).toMatchObject({
      maxRps: 10,
      redisUrl: 'redis://127.0.0.1:6379',
      queueBackend: 'postgres',
      incrementalCron: '*/15 * * * *',
      mirrorCron: '0 2 * * *',
      tz: 'UTC',
      adminHost: '127.0.0.1',
      adminPort: 9464,
      logLevel: 'info',
      mirrorMaxDeleteShare: 0.5,
    });
    expect(c.baseUrl).toBeUndefined();
    expect(c.endpoints).toBeUndefined();
  });

  it('puts the queue in Redis when REDIS_URL is set, else in Postgres; QUEUE_BACKEND decides', () => {
    expect(readConfig({ REDIS_URL: 'redis://cache:6379' }).queueBackend).toBe('redis');
    expect(readConfig({ DATABASE_URL: 'postgres://db/x' }).queueBackend).toBe('postgres');
    expect(readConfig({ REDIS_URL: 'redis://cache:6379', QUEUE_BACKEND: 'postgres' }).queueBackend).toBe('postgres');
    expect(readConfig({ QUEUE_BACKEND: 'redis' }).queueBackend).toBe('redis');
    expect(() => readConfig({ QUEUE_BACKEND: 'kafka' })).toThrow(/QUEUE_BACKEND/);
  });

  it('normalizes endpoint lists and URLs', () => {
    const c = readConfig({
      ONECORE_ENDPOINTS: ' Orders, quotations ,orders',
      ONECORE_BASE_URL: 'https://shop.example.com/',
    });
    expect(c.endpoints).toEqual(['orders', 'quotations']);
    expect(c.baseUrl).toBe('https://shop.example.com');
  });

  it.each([
    [{ ONECORE_MAX_RPS: 'abc' }, /^ONECORE_MAX_RPS must be a number/],
    [{ ONECORE_MAX_RPS: '-1' }, /^ONECORE_MAX_RPS must be zero or more/],
    [{ ONECORE_RETRIES: '2.5' }, /^ONECORE_RETRIES must be a whole number/],
    [{ SYNC_CONCURRENCY: '0' }, /^SYNC_CONCURRENCY must be greater than zero/],
    [{ ONECORE_BASE_URL: 'shop.example.com' }, /^ONECORE_BASE_URL must be an http\(s\) URL/],
    [{ ONECORE_BASE_URL: 'ftp://shop.example.com' }, /^ONECORE_BASE_URL must use http or https/],
    [{ ONECORE_ENDPOINTS: 'orders,"; drop table x;--' }, /^ONECORE_ENDPOINTS: endpoint name .* is not valid/],
    [{ ONECORE_ENDPOINTS: 'bestellungen,aufträge' }, /^ONECORE_ENDPOINTS: endpoint name "aufträge" is not valid/],
    [{ ONECORE_ENDPOINTS: ' , ' }, /^ONECORE_ENDPOINTS must list at least one endpoint/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must start with postgres:\/\/ or postgresql:\/\//],
    [{ REDIS_URL: 'http://x' }, /^REDIS_URL must start with redis:\/\//],
    [{ SYNC_INCREMENTAL_CRON: '* * *' }, /^SYNC_INCREMENTAL_CRON must be a cron pattern of 5 fields/],
    [{ SYNC_MIRROR_CRON: '0 99 * * *' }, /^SYNC_MIRROR_CRON is not a valid cron pattern/],
    [{ SYNC_TZ: 'Mars/Olympus' }, /^SYNC_TZ must be an IANA time zone/],
    [{ ADMIN_PORT: '70000' }, /^ADMIN_PORT must be at most 65535/],
    [{ ADMIN_TOKEN: 'short' }, /^ADMIN_TOKEN must be at least 16 characters/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
    [{ MIRROR_MAX_DELETE_SHARE: '1.5' }, /^MIRROR_MAX_DELETE_SHARE must be a number from 0 to 1/],
    [
      { ONECORE_CONFIG_FILE: '/nonexistent/options.json' },
      /^ONECORE_CONFIG_FILE \(\/nonexistent\/options.json\) cannot be read: ENOENT/,
    ],
  ])('rejects %j with one clear line', (env, message) => {
    const text = errorOf(env as Record<string, string>);
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });

  it('accepts 6-field cron patterns with seconds and a time zone', () => {
    const c = readConfig({ SYNC_INCREMENTAL_CRON: '*/5 * * * * *', SYNC_TZ: 'Europe/Berlin' });
    expect(c.incrementalCron).toBe('*/5 * * * * *');
    expect(c.tz).toBe('Europe/Berlin');
  });

  it('reads per-endpoint options from the options file and names bad entries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocs-config-'));
    const good = join(dir, 'good.json');
    writeFileSync(
      good,
      JSON.stringify({
        endpoints: { Orders: { keyField: 'orderId', pageSize: 200, pageSizeParam: 'pageSize' }, products: {} },
      }),
    );
    const c = readConfig({ ONECORE_CONFIG_FILE: good });
    expect(c.endpointOptions.orders).toEqual({ keyField: 'orderId', pageSize: 200, pageSizeParam: 'pageSize' });
    expect(c.endpoints).toEqual(['orders', 'products']);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ endpoints: { orders: { keyfeld: 'x' } } }));
    expect(errorOf({ ONECORE_CONFIG_FILE: bad })).toMatch(/endpoints\.orders\.keyfeld is not an option/);
    writeFileSync(bad, '{ not json');
    expect(errorOf({ ONECORE_CONFIG_FILE: bad })).toMatch(/is not valid JSON/);
  });

  it('the CLI prints one line and exits 2 on bad configuration or flags', async () => {
    const bad = await runCli(['status'], { ONECORE_MAX_RPS: 'abc' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('onecore-sync: ONECORE_MAX_RPS must be a number, got "abc"\n');

    const flag = await runCli(['migrate', '--fast'], {});
    expect(flag.code).toBe(2);
    expect(flag.stderr.trim().split('\n')).toHaveLength(1);
    expect(flag.stderr).toMatch(/--fast/);

    const unknown = await runCli(['frobnicate'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);

    const noDb = await runCli(['migrate'], {});
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toMatch(/DATABASE_URL is required/);
  });
});
