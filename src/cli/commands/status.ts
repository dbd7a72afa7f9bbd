import type { Command } from '../commands.js';
import { parseFlags } from '../args.js';
import { createContext } from '../context.js';

export const statusCommand: Command = {
  summary: 'per endpoint: mode, cursor, last run, counts, errors (--json for machines)',
  async run(argv) {
    const { values } = parseFlags('status', argv, { json: { type: 'boolean' } });
    const ctx = createContext();
    try {
      const { rows } = await ctx.pool().query('select endpoint, mode, cursor, completed_at, updated_at from onecore_sync.checkpoints order by endpoint, mode');
      process.stdout.write(values.json ? JSON.stringify({ checkpoints: rows }, null, 2) + '\n' : rows.map((r) => `${r.endpoint} ${r.mode}`).join('\n') + '\n');
      return 0;
    } finally {
      await ctx.close();
    }
  },
};
