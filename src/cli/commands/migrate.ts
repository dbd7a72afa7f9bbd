import type { Command } from '../commands.js';
import { parseFlags } from '../args.js';
import { createContext } from '../context.js';
import { migrateDatabase } from '../../db/migrate.js';

export const migrateCommand: Command = {
  summary: 'create or upgrade the database schema (idempotent)',
  async run(argv) {
    parseFlags('migrate', argv, {});
    const ctx = createContext();
    try {
      const { applied } = await migrateDatabase(ctx.pool());
      process.stdout.write(applied === 0 ? 'schema is up to date\n' : `applied ${applied} migration(s)\n`);
      return 0;
    } finally {
      await ctx.close();
    }
  },
};
