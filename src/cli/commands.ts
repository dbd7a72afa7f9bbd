import { migrateCommand } from './commands/migrate.js';
import { statusCommand } from './commands/status.js';

export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

export const commands: Record<string, Command> = {
  migrate: migrateCommand,
  status: statusCommand,
};

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: onecore-sync <command> [flags]\n\nCommands:\n${lines.join('\n')}\n\nConfiguration comes from the environment; see the README.\n`;
}
