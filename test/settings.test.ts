import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSetting, settings } from '../src/config/settings.js';
import { readWorkerSettings } from '../src/jobs/workerSettings.js';
import { ConfigError } from '../src/config/ConfigError.js';
import { ROOT } from './helpers/cli.js';

/** The rows of the README's configuration table, as a user reads them. */
function readmeSettingRows(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Configuration');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return section.split('\n').filter((l) => l.startsWith('| `'));
}

describe('settings are declared once', () => {
  it("the README's configuration table lists exactly the declared settings, their meaning and default", () => {
    const declared = settings.map((s) => `| \`${s.name}\` | ${s.description} | ${s.defaultText} |`);
    expect(readmeSettingRows()).toEqual(declared);
  });

  it('every plain default is the one the README shows', () => {
    // A default that follows another setting (SYNC_STALLED_INTERVAL_MS, QUEUE_BACKEND) is named in words.
    for (const s of settings) {
      if (typeof s.default === 'function') continue;
      const value = readSetting(s, {});
      if (typeof value === 'string' || typeof value === 'number')
        expect(s.defaultText, s.name).toContain(`\`${String(value)}\``);
    }
  });

  it('worker settings: defaults, one that follows another, and a clear line for a bad value', () => {
    expect(readWorkerSettings({})).toEqual({
      lockMs: 30_000,
      stalledIntervalMs: 30_000,
      scheduleCheckMs: 30_000,
      authCheckMs: 5_000,
      authRetryMs: 600_000,
    });
    expect(readWorkerSettings({ SYNC_LOCK_MS: '2000' }).stalledIntervalMs).toBe(2000);
    expect(() => readWorkerSettings({ SYNC_LOCK_MS: '500' })).toThrow(
      new ConfigError('SYNC_LOCK_MS must be at least 1000 (milliseconds), got 500'),
    );
    expect(() => readWorkerSettings({ SYNC_AUTH_CHECK_MS: 'soon' })).toThrow(/^SYNC_AUTH_CHECK_MS must be a number/);
  });
});
