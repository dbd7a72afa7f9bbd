import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { compareWithSimulator, startStack, type Stack } from './helpers/stack.js';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const open: Stack[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('onecore-sync inspect', () => {
  it('camel dialect: envelope, page size, next form, key, order, date-time forms, casing, bytes; the 403 endpoint; skipped routes', async () => {
    const stack = await startStack({ sim: { records: 150 } });
    open.push(stack);
    const run = await runCli(['inspect'], stack.env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const orders = block(run.stdout, 'orders');
    expect(orders).toMatch(/status\s+200/);
    expect(orders).toMatch(/records\s+"items"/);
    expect(orders).toMatch(/metadata\s+"metadata": hasNext, hasPrevious, next, previous/);
    expect(orders).toMatch(/next\s+"next" \(after=X\)/);
    expect(orders).toMatch(/records per page 100, then 50/);
    expect(orders).toMatch(/key\s+id \(string\)/);
    expect(orders).toMatch(/order\s+oldest-first/);
    expect(orders).toMatch(
      /date-times\s+\d+ seen: Z \d+, with offset \d+, without offset \d+; fraction digits 0\/3\/7/,
    );
    expect(orders).toMatch(/field casing\s+camelCase/);
    expect(orders).toMatch(/bytes per record\s+\d{3,}/);
    expect(block(run.stdout, 'databaseusages')).toMatch(/key\s+id \(integer\)/);
    expect(block(run.stdout, 'productimages')).toMatch(/field casing\s+PascalCase/);
    expect(block(run.stdout, 'apiusers')).toMatch(/status\s+403/);
    expect(run.stdout).toMatch(/skipped routes\n {2}\/api\/v2\/orders\/\{id\}/);
    expect(run.stdout).toMatch(/ONECORE_CONFIG_FILE: nothing to add/);
  });

  it('pascal dialect, newest first, InvoiceId: a config snippet for what it could not settle; --json; never a token; a rotated token is stored', async () => {
    const stack = await startStack({
      sim: { records: 150, dialect: 'pascal', order: 'newest-first', keyFields: { invoices: 'InvoiceId' } },
    });
    open.push(stack);
    const first = stack.sim.refreshToken;
    stack.sim.rotateNow();
    const run = await runCli(['inspect', '--endpoint', 'orders', '--endpoint', 'Invoices', '--json'], stack.env);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.endpoints.map((e: { endpoint: string }) => e.endpoint)).toEqual(['orders', 'invoices']);
    const [orders, invoices] = report.endpoints;
    expect(orders).toMatchObject({
      status: 200,
      envelope: { recordsPath: 'Items', metaKey: 'Metadata', nextField: 'Next', nextForm: 'after=X' },
      recordsPerPage: [100, 50],
      key: { field: 'Id', type: 'integer' },
      order: 'newest-first',
      casing: 'PascalCase',
    });
    expect(invoices.key).toEqual({ field: 'InvoiceId', type: 'integer' });
    expect(report.configSnippet).toEqual({
      endpoints: { orders: { order: 'newest-first' }, invoices: { keyField: 'InvoiceId', order: 'newest-first' } },
    });
    // No token in the output, and the rotated refresh token is what the database holds now.
    const now = stack.sim.refreshToken;
    expect(now).not.toBe(first);
    for (const secret of [first, now]) expect(run.stdout + run.stderr).not.toContain(secret);
    expect(run.stdout).not.toMatch(/CfDJ8|accessToken|refreshToken/i);
    const stored = await stack.db.pool.query(`select refresh_token from onecore_sync.credentials`);
    expect(stored.rows.map((r) => r.refresh_token)).toContain(now);
    // The snippet is ready to use.
    const file = join(tmpdir(), `ocs-inspect-${process.pid}.json`);
    writeFileSync(file, JSON.stringify(report.configSnippet));
    const sync = await runCli(['sync', '--mode', 'mirror'], { ...stack.env, ONECORE_CONFIG_FILE: file });
    expect(sync.code).toBe(0);
    expect(await compareWithSimulator(stack, 'invoices')).toEqual([]);
  });

  it('reports an endpoint it cannot read as a list, and a bad flag exits 2', async () => {
    const stack = await startStack({ sim: { records: 20, envelope: { recordsKey: 'result.items' } } });
    open.push(stack);
    const run = await runCli(['inspect', '--endpoint', 'orders'], stack.env);
    expect(run.code).toBe(0);
    expect(block(run.stdout, 'orders')).toMatch(/records\s+"result.items"/);
    expect(run.stdout).toMatch(/"recordsKey": "result.items"/);
    const bad = await runCli(['inspect', '--endpoint', 'or ders'], stack.env);
    expect(bad.code).toBe(2);
  });
});

/** The lines of one endpoint's block in the text report. */
function block(out: string, endpoint: string): string {
  const start = out.indexOf(`\n${endpoint}\n`);
  expect(start, `block ${endpoint}`).toBeGreaterThanOrEqual(0);
  const end = out.indexOf('\n\n', start + 1);
  return out.slice(start, end < 0 ? undefined : end);
}
