import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../config/ConfigError.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Strict flag parsing: an unknown flag, a missing value or a stray argument is a ConfigError
 * (one line, exit 2) naming the flag, never silently ignored.
 */
export function parseFlags<O extends Options>(command: string, argv: string[], options: O, positionals = 0) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: positionals > 0 });
  } catch (err) {
    const message = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new ConfigError(`${command}: ${message}`);
  }
  if (parsed.positionals.length > positionals) {
    throw new ConfigError(`${command}: unexpected argument ${JSON.stringify(parsed.positionals[positionals])}`);
  }
  return parsed;
}

export function integerFlag(
  command: string,
  flag: string,
  raw: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      `${command}: --${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/** One of `allowed`, matched case-insensitively, returned as spelled in `allowed`. */
export function choiceFlag<T extends string>(command: string, flag: string, raw: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a.toLowerCase() === raw.trim().toLowerCase());
  if (found === undefined)
    throw new ConfigError(`${command}: --${flag} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  return found;
}
