/**
 * A problem with the configuration or the command line. The CLI prints only its message (one line,
 * naming the variable or flag) and exits 2: the operator needs to know what to fix, not a stack trace.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly exitCode = 2;
}
