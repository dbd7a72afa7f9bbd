import { describe, expect, it } from 'vitest';
import { createTestDatabase } from './helpers/database.js';

describe('test harness', () => {
  it('gives each caller its own database and removes it afterwards', async () => {
    const a = await createTestDatabase();
    const b = await createTestDatabase();
    expect(a.name).not.toBe(b.name);
    await a.pool.query(`insert into onecore_sync.endpoints (name, source) values ('orders', 'test')`);
    const inB = await b.pool.query('select count(*)::int as n from onecore_sync.endpoints');
    expect(inB.rows[0].n).toBe(0);
    await a.drop();
    const left = await b.pool.query('select count(*)::int as n from pg_database where datname = $1', [a.name]);
    expect(left.rows[0].n).toBe(0);
    await b.drop();
  });
});
