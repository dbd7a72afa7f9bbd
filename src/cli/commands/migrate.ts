import { defineCommand } from '../defineCommand.js';
import { createContext } from '../context.js';
import { migrateDatabase } from '../../db/migrate.js';

export const migrateCommand = defineCommand({
  name: 'migrate',
  summary: 'create or upgrade the database schema (idempotent)',
  details:
    'Creates or upgrades the schemas onecore and onecore_sync in DATABASE_URL. Concurrent runs wait on an advisory lock.',
  flags: {},
  async run() {
    const ctx = createContext();
    try {
      const { applied } = await migrateDatabase(ctx.pool());
      process.stdout.write(applied === 0 ? 'schema is up to date\n' : `applied ${applied} migration(s)\n`);
      return 0;
    } finally {
      await ctx.close();
    }
  },
});
