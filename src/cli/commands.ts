import { migrateCommand } from './commands/migrate.js';
import { demoCommand } from './commands/demo.js';
import { endpointsCommand } from './commands/endpoints.js';
import { simulateCommand } from './commands/simulate.js';
import { statusCommand } from './commands/status.js';
import { syncCommand } from './commands/sync.js';
import { tokenSetCommand, tokenStatusCommand } from './commands/token.js';
import { workerCommand } from './commands/worker.js';
import { triggerCommand } from './commands/trigger.js';
import { backfillCommand } from './commands/backfill.js';
import { scheduleCommand } from './commands/schedule.js';
import { inspectCommand } from './commands/inspect.js';
import { viewsCommand } from './commands/views.js';
import { dbtCommand } from './commands/dbt.js';
import type { Command } from './defineCommand.js';

export type { Command };

/**
 * Every command, in the order of the README's command table. Each is one `defineCommand`
 * declaration (see defineCommand.ts): its flags, their help and their parsing in one place. A
 * two-word name (`token set`) is a subcommand of the first word. A test checks that the README's
 * table lists exactly these usage lines.
 */
export const commands: Command[] = [
  migrateCommand,
  syncCommand,
  workerCommand,
  triggerCommand,
  backfillCommand,
  scheduleCommand,
  statusCommand,
  inspectCommand,
  endpointsCommand,
  tokenSetCommand,
  tokenStatusCommand,
  simulateCommand,
  demoCommand,
  viewsCommand,
  dbtCommand,
];

/** The command `argv` starts with (a subcommand when its two words match), and the rest of argv. */
export function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  const [first, second] = argv;
  const sub = commands.find((c) => c.name === `${first} ${second}`);
  if (sub) return { command: sub, rest: argv.slice(2) };
  const top = commands.find((c) => c.name === first);
  return top ? { command: top, rest: argv.slice(1) } : undefined;
}

/** The commands under a group name (`token` → `token set`, `token status`). */
export function commandGroup(name: string): Command[] {
  return commands.filter((c) => c.name.startsWith(`${name} `));
}

export function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return (
    `Usage: onecore-sync <command> [flags]\n\nCommands:\n${lines.join('\n')}\n\n` +
    "`onecore-sync <command> --help` or `onecore-sync help <command>` shows a command's flags.\n" +
    'Configuration comes from the environment; see the README.\n'
  );
}
