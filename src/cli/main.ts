import { ConfigError } from '../config/ConfigError.js';
import { commands, usage } from './commands.js';

/**
 * Entry point of the `onecore-sync` bin. Errors end here: configuration and flag problems print
 * one line and exit 2; anything else prints its message (never a token: our errors are built
 * without them) and exits 1.
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    throw new ConfigError(`unknown command ${JSON.stringify(name)}; run \`onecore-sync help\` for the list`);
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`onecore-sync: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`onecore-sync: ${message}\n`);
    if (process.env.LOG_LEVEL === 'debug' && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = 1;
  },
);
