import { readFileSync } from 'node:fs';

/** pino's numeric levels. */
export const LOG_LEVEL = { warn: 40, error: 50, fatal: 60 } as const;

/**
 * Lines of a test server's pino JSON log (`TestServer.logFile`) at `minLevel` or above, each as
 * its message and its error's message (e.g. `LOG_LEVEL.error` for errors and fatals).
 */
export function loggedAtLeast(logFile: string, minLevel: number): string[] {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { level: number; msg?: string; err?: { message?: string } })
    .filter((entry) => entry.level >= minLevel)
    .map((entry) => `${entry.msg ?? ''} ${entry.err?.message ?? ''}`.trim());
}
