/** A logger scoped to one main-process module: lines read `[main:tray] message {context}`. */
export interface Logger {
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export function createLogger(module: string, sink: Pick<Console, 'log' | 'warn' | 'error'> = console): Logger {
  const line = (message: string, context?: Record<string, unknown>) =>
    context && Object.keys(context).length ? [`[main:${module}] ${message}`, context] : [`[main:${module}] ${message}`];
  return {
    info: (m, c) => sink.log(...line(m, c)),
    warn: (m, c) => sink.warn(...line(m, c)),
    error: (m, c) => sink.error(...line(m, c)),
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
