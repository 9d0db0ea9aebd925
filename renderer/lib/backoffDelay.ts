/** Reconnect backoff parameters. */
export interface BackoffOptions {
  /** Delay ceiling of the first attempt, ms. Default 250. */
  baseMs: number;
  /** Largest delay, ms. Default 10 000. */
  maxMs: number;
  /** Random source in [0, 1); injected in tests. */
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 10_000, random: Math.random };

/**
 * Delay before reconnect attempt number `attempt` (0-based): exponential growth capped at
 * `maxMs`, with "equal jitter" — a uniform pick in [ceiling/2, ceiling] — so a crowd of
 * clients dropped by the same server restart does not come back in lockstep.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + options.random() * (ceiling / 2));
}
