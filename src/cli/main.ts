import { ConfigError } from '../config/ConfigError.js';
import { commandGroup, findCommand, usage } from './commands.js';

/**
 * Entry point of the `onecore-sync` bin. Errors end here: configuration and flag problems print
 * one line and exit 2; anything else prints its message (never a token: our errors are built
 * without them) and exits 1.
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  // `help sync` is `sync --help`; `help token` and `token --help` show every `token …` command.
  const asked = name === 'help' ? rest : argv;
  const wantsHelp = name === 'help' || (commandGroup(name).length > 0 && (rest[0] === '--help' || rest[0] === '-h'));
  if (wantsHelp) {
    const found = findCommand(asked);
    const group = found ? [found.command] : commandGroup(asked[0]!);
    if (group.length === 0)
      throw new ConfigError(
        `unknown command ${JSON.stringify(asked.join(' '))}; run \`onecore-sync help\` for the list`,
      );
    process.stdout.write(group.map((c) => c.help()).join('\n'));
    return 0;
  }
  const found = findCommand(argv);
  if (found === undefined) {
    const group = commandGroup(name);
    if (group.length > 0) {
      const sub = rest[0];
      throw new ConfigError(
        sub === undefined
          ? `${name}: say which: ${group.map((c) => `\`${c.name}\``).join(' or ')}`
          : `${name}: unknown subcommand ${JSON.stringify(sub)} (${group.map((c) => c.name.split(' ')[1]).join(', ')})`,
      );
    }
    throw new ConfigError(`unknown command ${JSON.stringify(name)}; run \`onecore-sync help\` for the list`);
  }
  return found.command.run(found.rest);
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
