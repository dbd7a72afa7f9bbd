import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import pg from 'pg';
import { runCli } from './helpers/cli.js';
import { startStack, type Stack } from './helpers/stack.js';

/**
 * Least privilege (issue #12, item 9): only `migrate` needs DDL rights. With the schemas current,
 * a role that may only read and write them runs sync, status and token commands; when something
 * needs DDL it says which privilege and which role, at once.
 */
describe('robustness: a role without DDL rights', () => {
  let stack: Stack;
  const role = `ocs_rw_${randomBytes(4).toString('hex')}`;
  const password = 'rw-role-password';
  let rwEnv: Record<string, string>;

  beforeAll(async () => {
    stack = await startStack({ sim: { records: 150, pageSize: 50 }, env: { ONECORE_ENDPOINTS: 'orders' } });
    // The owner runs the first sync of orders (its table is created then).
    const first = await runCli(['sync', '--endpoint', 'orders'], stack.env);
    expect(first.code, first.stderr).toBe(0);
    const db = stack.db.pool;
    await db.query(`create role ${role} login password '${password}'`);
    await db.query(`grant connect on database ${stack.db.name} to ${role}`);
    for (const schema of ['onecore', 'onecore_sync']) {
      await db.query(`grant usage on schema ${schema} to ${role}`);
      await db.query(`grant select, insert, update, delete on all tables in schema ${schema} to ${role}`);
      await db.query(`grant usage, select on all sequences in schema ${schema} to ${role}`);
    }
    const url = new URL(stack.db.url);
    url.username = role;
    url.password = password;
    rwEnv = { ...stack.env, DATABASE_URL: url.toString() };
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
    const admin = new pg.Client({ connectionString: inject('databaseUrl') });
    await admin.connect();
    await admin.query(`drop role if exists ${role}`).catch(() => undefined);
    await admin.end();
  });

  it('sync, status and token status work with read/write rights only', async () => {
    const sync = await runCli(['sync', '--mode', 'mirror', '--endpoint', 'orders'], rwEnv);
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);
    const status = await runCli(['status'], rwEnv);
    expect(status.code, status.stderr).toBe(0);
    const token = await runCli(['token', 'status'], rwEnv);
    expect(token.code, token.stderr).toBe(0);
  });

  it('the Postgres queue: once its schema is current, status reads it with read/write rights (no DDL on every open)', async () => {
    const owner = await runCli(['status'], { ...stack.env, QUEUE_BACKEND: 'postgres' });
    expect(owner.code, owner.stderr).toBe(0);
    expect(owner.stdout).not.toMatch(/not reachable/);
    const db = stack.db.pool;
    await db.query(`grant usage on schema onecore_queue to ${role}`);
    await db.query(`grant select, insert, update, delete on all tables in schema onecore_queue to ${role}`);
    await db.query(`grant usage, select on all sequences in schema onecore_queue to ${role}`);
    const status = await runCli(['status'], { ...rwEnv, QUEUE_BACKEND: 'postgres' });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^queue onecore_queue\.onecore-sync \(postgres\): 0 waiting/m);
    expect(status.stdout).not.toMatch(/not reachable/);
  });

  it('an endpoint whose table does not exist yet: the walk fails naming the privilege and the role', async () => {
    const sync = await runCli(['sync', '--endpoint', 'products'], rwEnv);
    expect(sync.code, sync.stdout + sync.stderr).toBe(1);
    // The walk cannot start: the command says why, in one line.
    expect(sync.stdout + sync.stderr).toMatch(
      new RegExp(
        `^onecore-sync: onecore."products" does not exist yet and role "${role}" may not create it \\(it lacks the CREATE privilege on schema onecore\\)`,
        'm',
      ),
    );
  });

  it('a pending migration: one line naming the role and what to run, exit 1, no hang', async () => {
    const db = stack.db.pool;
    const {
      rows: [newest],
    } = await db.query(`select id, hash, created_at from onecore_sync.migrations order by created_at desc limit 1`);
    await db.query(`delete from onecore_sync.migrations where id = $1`, [newest.id]);
    try {
      const sync = await runCli(['sync', '--endpoint', 'orders'], rwEnv);
      expect(sync.code, sync.stdout + sync.stderr).toBe(1);
      const lines = sync.stderr.trim().split('\n');
      // Before pg's pool let idle connections end the process, this sat silently for its 30 s
      // idle timeout after printing the error. Measured from the last line, so a slow start-up on
      // a loaded machine does not count; a normal exit follows the line within a second.
      expect(sync.quietBeforeExitMs).toBeLessThan(20_000);
      expect(lines.at(-1), sync.stderr).toMatch(
        new RegExp(
          `^onecore-sync: the database schema needs migrating and role "${role}" may not do it .*CREATE privilege.*Run \`onecore-sync migrate\` once as the owner`,
        ),
      );
    } finally {
      await db.query(`insert into onecore_sync.migrations (id, hash, created_at) values ($1, $2, $3)`, [
        newest.id,
        newest.hash,
        newest.created_at,
      ]);
    }
  });
});
