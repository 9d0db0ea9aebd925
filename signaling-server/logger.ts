import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * The server's root logger. Modules take a child: `logger.child({ module: 'hub' })`.
 * Secrets never reach it: passwords and tokens are redacted by path as a second line of defence.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: ['password', '*.password', 'token', '*.token', 'headers.authorization', 'req.headers.authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
