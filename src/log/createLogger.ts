import { pino, type Logger, type DestinationStream } from 'pino';

/**
 * Every path a token could travel under is redacted by the logger itself, so a careless
 * `log.info({ credentials })` still cannot leak one. Code never logs tokens on purpose either.
 */
export const REDACT_PATHS = [
  'refreshToken',
  'accessToken',
  'token',
  'authorization',
  'password',
  'adminToken',
  '*.refreshToken',
  '*.accessToken',
  '*.token',
  '*.authorization',
  '*.Authorization',
  '*.password',
  '*.adminToken',
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'config.refreshToken',
  'config.adminToken',
  'config.databaseUrl',
  'databaseUrl',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'onecore-sync' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination({ dest: 2, sync: true }),
  );
}

export type { Logger };
