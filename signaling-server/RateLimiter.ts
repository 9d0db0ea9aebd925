import type { Clock } from './Clock.js';

/**
 * Token bucket: `ratePerSecond` tokens refill continuously up to `burst`.
 * `take()` returns false when the bucket is empty (the caller rejects with RATE_LIMITED).
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.updatedAt = clock.now();
  }

  take(cost = 1): boolean {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
    this.updatedAt = now;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}

/** Fixed-window counter per key (client address): at most `limit` hits per `windowMs`. */
export class KeyedRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  /** Count a hit; false when the key is over its limit for the current window. */
  hit(key: string): boolean {
    const now = this.clock.now();
    const window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      this.windows.set(key, { start: now, count: 1 });
      if (this.windows.size > 10_000) this.prune(now);
      return true;
    }
    window.count += 1;
    return window.count <= this.limit;
  }

  /** Milliseconds until `key` may hit again: 0 while it is under its limit, else until its window ends. */
  retryAfterMs(key: string): number {
    const now = this.clock.now();
    const window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs || window.count < this.limit) return 0;
    return window.start + this.windowMs - now;
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) if (now - window.start >= this.windowMs) this.windows.delete(key);
  }
}
