import pino, { type Logger } from 'pino';

/**
 * The one root logger (JSON lines). Every module gets a child bound to its context. Secrets never reach a
 * line: configured paths are redacted, and URLs are scrubbed of credentials where they are logged.
 */
export function createRootLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'ioc' },
      redact: {
        paths: ['password', '*.password', 'databaseUrl', '*.databaseUrl', 'config.database.url', 'config.mqtt.url', 'headers.authorization', 'headers.cookie', '*.headers.authorization', '*.headers.cookie'],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
