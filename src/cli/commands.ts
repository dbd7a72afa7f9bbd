import { migrateCommand } from './commands/migrate.js';
import { demoCommand } from './commands/demo.js';
import { endpointsCommand } from './commands/endpoints.js';
import { simulateCommand } from './commands/simulate.js';
import { statusCommand } from './commands/status.js';
import { syncCommand } from './commands/sync.js';
import { tokenCommand } from './commands/token.js';
import { workerCommand } from './commands/worker.js';
import { triggerCommand } from './commands/trigger.js';
import { backfillCommand } from './commands/backfill.js';
import { scheduleCommand } from './commands/schedule.js';
import { inspectCommand } from './commands/inspect.js';
import { viewsCommand } from './commands/views.js';
import { dbtCommand } from './commands/dbt.js';

export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

export const commands: Record<string, Command> = {
  migrate: migrateCommand,
  sync: syncCommand,
  worker: workerCommand,
  trigger: triggerCommand,
  backfill: backfillCommand,
  schedule: scheduleCommand,
  status: statusCommand,
  endpoints: endpointsCommand,
  inspect: inspectCommand,
  demo: demoCommand,
  simulate: simulateCommand,
  token: tokenCommand,
  views: viewsCommand,
  dbt: dbtCommand,
};

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: onecore-sync <command> [flags]\n\nCommands:\n${lines.join('\n')}\n\nConfiguration comes from the environment; see the README.\n`;
}
