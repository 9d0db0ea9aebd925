/** Time source, injected so tests can move time (token expiry, ring timeouts). */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
