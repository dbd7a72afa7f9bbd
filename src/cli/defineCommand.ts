import { ConfigError } from '../config/ConfigError.js';
import { parseFlags } from './args.js';

/**
 * One flag of a command: how it is parsed and what `--help` says about it.
 * - `string`: a value (`value` names it in the help, e.g. `NAME`); `choices` restricts it.
 * - `integer`: a whole number from `min` to `max`.
 * - `boolean`: present or not.
 * `multiple` flags may be given more than once and arrive as a list.
 */
export type FlagSpec =
  | { type: 'string'; value: string; help: string; multiple?: boolean; choices?: readonly string[]; default?: string }
  | { type: 'integer'; value: string; help: string; min: number; max: number; default?: number }
  | { type: 'boolean'; help: string };

type FlagValue<F extends FlagSpec> = F extends { type: 'boolean' }
  ? boolean
  : F extends { type: 'integer' }
    ? number
    : F extends { multiple: true }
      ? string[]
      : F extends { choices: readonly (infer C)[] }
        ? C
        : string;

export type FlagValues<Flags extends Record<string, FlagSpec>> = {
  [K in keyof Flags]: Flags[K] extends { default: unknown } | { type: 'boolean' }
    ? FlagValue<Flags[K]>
    : FlagValue<Flags[K]> | undefined;
};

/**
 * Everything about a command in one place: its name, what it does, its arguments and flags.
 * The same declaration parses the command line (a bad flag is one line, exit 2), prints
 * `--help`, builds `onecore-sync help`, and is checked against the README's command table.
 *
 * ```ts
 * export const fooCommand = defineCommand({
 *   name: 'foo',
 *   summary: 'one line for the command list',
 *   flags: { limit: { type: 'integer', value: 'N', min: 1, max: 10, default: 3, help: 'how many' } },
 *   run: async ({ flags }) => { … return 0; },
 * });
 * ```
 */
export interface CommandSpec<Flags extends Record<string, FlagSpec>> {
  /** As typed: `sync`, or `token set` for a subcommand. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Positional arguments as shown in the usage line, e.g. `incremental|mirror` or `[TOKEN|-]`. */
  args?: { usage: string; max: number; help?: string };
  flags: Flags;
  /** More about the command, printed under the usage line of `--help`. */
  details?: string;
  run(input: { flags: FlagValues<Flags>; args: string[] }): Promise<number>;
}

export interface Command {
  name: string;
  summary: string;
  /** The usage line, as in the README's command table: `sync [--mode …] [--endpoint NAME]…`. */
  synopsis(): string;
  help(): string;
  run(argv: string[]): Promise<number>;
}

export function defineCommand<const Flags extends Record<string, FlagSpec>>(spec: CommandSpec<Flags>): Command {
  const command: Command = {
    name: spec.name,
    summary: spec.summary,
    synopsis: () =>
      [spec.name, spec.args?.usage, ...Object.entries(spec.flags).map(([name, f]) => flagUsage(name, f))]
        .filter(Boolean)
        .join(' '),
    help: () => renderHelp(spec, command.synopsis()),
    async run(argv) {
      if (argv.includes('--help') || argv.includes('-h')) {
        process.stdout.write(command.help());
        return 0;
      }
      const options = Object.fromEntries(
        Object.entries(spec.flags).map(([name, f]) => [
          name,
          f.type === 'boolean'
            ? { type: 'boolean' as const }
            : { type: 'string' as const, multiple: f.type === 'string' && f.multiple === true },
        ]),
      );
      const { values, positionals } = parseFlags(spec.name, argv, options, spec.args?.max ?? 0);
      const flags: Record<string, unknown> = {};
      for (const [name, f] of Object.entries(spec.flags))
        flags[name] = flagValue(spec.name, name, f, (values as Record<string, unknown>)[name]);
      return spec.run({ flags: flags as FlagValues<Flags>, args: positionals });
    },
  };
  return command;
}

function flagUsage(name: string, f: FlagSpec): string {
  if (f.type === 'boolean') return `[--${name}]`;
  const value = f.type === 'string' && f.choices ? f.choices.join('|') : f.value;
  return `[--${name} ${value}]${f.type === 'string' && f.multiple ? '…' : ''}`;
}

function flagValue(command: string, name: string, f: FlagSpec, raw: unknown): unknown {
  if (f.type === 'boolean') return raw === true;
  if (raw === undefined) return f.default;
  if (f.type === 'integer') {
    const value = Number(raw);
    if (!/^-?\d+$/.test(String(raw).trim()) || !Number.isSafeInteger(value) || value < f.min || value > f.max) {
      throw new ConfigError(
        `${command}: --${name} must be a whole number from ${f.min} to ${f.max}, got ${JSON.stringify(raw)}`,
      );
    }
    return value;
  }
  const values = Array.isArray(raw) ? (raw as string[]) : [raw as string];
  for (const v of values) {
    if (f.choices && !f.choices.includes(v))
      throw new ConfigError(`${command}: --${name} must be one of ${f.choices.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return raw;
}

function renderHelp(spec: CommandSpec<Record<string, FlagSpec>>, synopsis: string): string {
  const rows: Array<[string, string]> = [];
  if (spec.args?.help) rows.push([spec.args.usage.replace(/^\[|\]$/g, ''), spec.args.help]);
  for (const [name, f] of Object.entries(spec.flags)) {
    const left =
      f.type === 'boolean'
        ? `--${name}`
        : `--${name} ${f.type === 'string' && f.choices ? f.choices.join('|') : f.value}`;
    const notes = [
      f.type === 'integer' ? `${f.min}–${f.max}` : '',
      f.type !== 'boolean' && f.default !== undefined ? `default ${f.default}` : '',
      f.type === 'string' && f.multiple ? 'repeatable' : '',
    ].filter(Boolean);
    rows.push([left, f.help + (notes.length ? ` (${notes.join('; ')})` : '')]);
  }
  rows.push(['-h, --help', 'this help']);
  const width = Math.min(34, Math.max(...rows.map(([l]) => l.length)));
  const lines = rows.map(([l, r]) =>
    l.length > width ? `  ${l}\n  ${''.padEnd(width)}  ${r}` : `  ${l.padEnd(width)}  ${r}`,
  );
  return [
    `Usage: onecore-sync ${synopsis}`,
    '',
    wrap(spec.summary.charAt(0).toUpperCase() + spec.summary.slice(1) + (spec.summary.endsWith('.') ? '' : '.')),
    ...(spec.details ? ['', wrap(spec.details)] : []),
    '',
    rows.length > 1 || spec.args?.help ? 'Arguments and flags:' : 'Flags:',
    ...lines,
    '',
    'Configuration comes from the environment; see the README.',
    '',
  ].join('\n');
}

function wrap(text: string, width = 96): string {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      if (line && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out.join('\n');
}
