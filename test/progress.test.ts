import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgress, eta } from '../src/cli/progress.js';
import { lastCompleteWalkRecords } from '../src/db/sql/lastCompleteWalk.js';
import { startStack, type Stack } from './helpers/stack.js';

describe('sync progress with an ETA', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sim: { records: 120, pageSize: 50 } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('knows the total from the last complete walk, and only from a complete one', async () => {
    expect(await lastCompleteWalkRecords(stack.db.pool, ['orders'])).toEqual(new Map());
    // A backfill from a cursor is not a complete walk.
    const first = await stack.walk('orders', 'mirror');
    expect(first.status).toBe('succeeded');
    const { rows } = await stack.db.pool.query(
      `select cursor from onecore_sync.checkpoints where endpoint = 'orders' and mode = 'incremental'`,
    );
    await stack.walk('orders', 'backfill', { from: rows[0].cursor, requestId: 'r1' });
    expect(await lastCompleteWalkRecords(stack.db.pool, ['orders', 'products'])).toEqual(
      new Map([['orders', stack.sim.truth('orders').length]]),
    );
  });

  it('shows the share done and the time left on a terminal', async () => {
    expect(eta({ records: 50, total: 100, firstAt: 0 }, 10_000)).toBe('  50% ETA 10s');
    expect(eta({ records: 10, total: 1000, firstAt: 0 }, 10_000)).toBe('   1% ETA 16m 30s');
    expect(eta({ records: 10, total: undefined, firstAt: 0 }, 10_000)).toBe('');

    let text = '';
    const tty = { isTTY: true, write: (s: string) => ((text += s), true) };
    const progress = createProgress(tty, ['orders', 'products'], new Map([['orders', 1000]]));
    progress.update({ endpoint: 'orders', pages: 1, records: 100 } as never);
    progress.update({ endpoint: 'products', pages: 1, records: 100 } as never);
    await new Promise((r) => setTimeout(r, 20));
    progress.stop();
    const lines = text.split('\n');
    expect(lines.find((l) => l.includes('orders'))).toMatch(/100 records .* 10% ETA \d/);
    // No total known: no guess.
    expect(lines.find((l) => l.includes('products'))).not.toMatch(/ETA/);
  });
});
