import { readConfig, required, type Config } from '../config/readConfig.js';
import { createLogger, type Logger } from '../log/createLogger.js';
import { routeProcessWarnings } from '../log/processWarnings.js';
import { createPool, type Pool } from '../db/createPool.js';

/** What most commands need: validated config, a logger and (opened lazily) the database. */
export interface CliContext {
  config: Config;
  log: Logger;
  pool(): Pool;
  close(): Promise<void>;
}

export function createContext(env: Record<string, string | undefined> = process.env): CliContext {
  const config = readConfig(env);
  const log = createLogger(config.logLevel);
  routeProcessWarnings(log);
  let pool: Pool | undefined;
  return {
    config,
    log,
    pool() {
      pool ??= createPool(
        required(config, 'databaseUrl', 'DATABASE_URL', 'for this command (a postgres:// connection string)'),
        log,
      );
      return pool;
    },
    async close() {
      await pool?.end();
    },
  };
}
