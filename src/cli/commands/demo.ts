import { resolve } from 'node:path';
import { defineCommand } from '../defineCommand.js';
import { createContext } from '../context.js';
import { startSimulator } from '../../simulator/index.js';
import { startEmbeddedPostgres } from '../embeddedPostgres.js';
import { migrateDatabase } from '../../db/migrate.js';
import { runSyncCommand } from './sync.js';

export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'simulator + embedded Postgres + one mirror, then how to look at the data (needs no services)',
  flags: {
    records: {
      type: 'integer',
      value: 'N',
      min: 1,
      max: 1_000_000,
      default: 2000,
      help: 'records per endpoint in the simulator',
    },
    dir: {
      type: 'string',
      value: 'PATH',
      default: '.demo/pgdata',
      help: "the embedded Postgres' data directory (kept for the next run)",
    },
  },
  async run({ flags: values }) {
    const records = values.records;
    const dir = resolve(values.dir);
    const say = (line: string) => process.stdout.write(line + '\n');

    say(`starting the oneCORE simulator (${records} records per endpoint)…`);
    const sim = await startSimulator({ records, seed: 1 });
    let db;
    try {
      say('starting an embedded Postgres…');
      db = await startEmbeddedPostgres(dir, (l) => process.stderr.write(l + '\n'));
      const ctx = createContext({
        ...process.env,
        ONECORE_BASE_URL: sim.url,
        ONECORE_REFRESH_TOKEN: sim.refreshToken,
        DATABASE_URL: db.url,
        ONECORE_ENDPOINTS: undefined,
        ONECORE_OPENAPI_URL: undefined,
        ONECORE_MAX_RPS: process.env.ONECORE_MAX_RPS ?? '0',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      });
      await migrateDatabase(ctx.pool());
      say(`mirroring every endpoint the simulator's OpenAPI document lists…\n`);
      const code = await runSyncCommand(ctx, { mode: 'mirror', from: null, concurrency: 3 });
      say(`
The data is in Postgres, kept in ${db.dataDir} for the next run. While the demo is up, look at it:

  psql '${db.url}'
  onecore=> select id, data->>'orderNumber' as number, data->>'created' as created_utc from onecore.orders limit 5;
  onecore=> select endpoint, mode, status, records_seen, inserted, unchanged from onecore_sync.sync_runs order by id;

A second \`npm run demo\` is an unchanged re-mirror: watch the "unchanged" column.
${process.stdin.isTTY && !process.env.DEMO_EXIT ? 'Press Ctrl-C to stop the demo (its Postgres stops with it).' : 'Not a terminal: stopping now.'}`);
      if (process.stdin.isTTY && code === 0 && !process.env.DEMO_EXIT) {
        await new Promise<void>((r) => {
          process.once('SIGINT', () => r());
          process.once('SIGTERM', () => r());
        });
      }
      return code;
    } finally {
      await sim.close();
      await db?.stop();
    }
  },
});
