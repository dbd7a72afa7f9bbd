import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers/stack.js';
import { historyProblems, versionChains } from './helpers/historyChains.js';

/**
 * History mode where Postgres refuses records (characters a LATIN1 database cannot hold): the page
 * statement fails, the page is written again batch by batch, halving the batches Postgres refuses.
 * Every stored record must get exactly one version for each change, the refused ones none — a
 * half that was rolled back takes its versions with it, a half that is retried writes them once.
 */
describe('history mode: records Postgres refuses are isolated without doubling a version', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      sim: { records: { products: 0 }, seed: 35 },
      dbEncoding: 'LATIN1',
      env: { ONECORE_HISTORY: 'products' },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('one version per stored record and change, none for a refused one, none again for nothing new', async () => {
    for (let i = 1; i <= 120; i++) {
      const name = i === 7 ? 'Euro € sign' : i === 99 ? '日本語' : `Produkt Nr. ${i} Größe`;
      stack.sim.insertRecord('products', { id: `p-${i}`, name, modified: '2024-03-01T10:00:00Z' });
    }
    const first = await stack.walk('products', 'mirror');
    expect(first).toMatchObject({ status: 'succeeded', rejected: 2, inserted: 118 });
    let chains = await versionChains(stack.db.pool, 'products');
    expect(chains.size).toBe(118);
    expect(chains.has('p-7') || chains.has('p-99')).toBe(false);
    for (const chain of chains.values()) expect(chain.map((v) => v.change)).toEqual(['insert']);
    expect(await historyProblems(stack.db.pool, 'products')).toEqual([]);

    // Changes next to the refused records: their pages are isolated again, each change versioned once.
    stack.sim.update('products', 'p-8', { name: 'Produkt Nr. 8 neu', modified: '2024-03-02T10:00:00Z' });
    stack.sim.update('products', 'p-100', { name: 'Produkt Nr. 100 neu', modified: '2024-03-02T10:00:00Z' });
    const second = await stack.walk('products', 'mirror');
    expect(second).toMatchObject({ status: 'succeeded', rejected: 2, updated: 2, deleted: 0 });
    chains = await versionChains(stack.db.pool, 'products');
    for (const id of ['p-8', 'p-100']) {
      expect(
        chains.get(id)!.map((v) => [v.change, v.modified_at?.toISOString()]),
        id,
      ).toEqual([
        ['insert', '2024-03-01T10:00:00.000Z'],
        ['update', '2024-03-02T10:00:00.000Z'],
      ]);
    }
    const count = async () =>
      (await stack.db.pool.query(`select count(*)::int as n from onecore_history.products`)).rows[0].n;
    expect(await count()).toBe(120);
    expect(await historyProblems(stack.db.pool, 'products')).toEqual([]);

    const third = await stack.walk('products', 'mirror');
    expect(third).toMatchObject({ status: 'succeeded', rejected: 2, inserted: 0, updated: 0, deleted: 0 });
    expect(await count()).toBe(120);
  });
});
