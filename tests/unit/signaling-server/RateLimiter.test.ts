import { describe, expect, it } from 'vitest';
import { KeyedRateLimiter, TokenBucket } from '../../../signaling-server/RateLimiter.js';
import { fakeClock } from './fakes.js';

describe('TokenBucket', () => {
  describe('#take', () => {
    it('allows a full burst at once, then refuses', () => {
      const bucket = new TokenBucket(1, 3, fakeClock());
      expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toStrictEqual([true, true, true, false]);
    });

    it('refills at ratePerSecond as time passes', () => {
      const clock = fakeClock();
      const bucket = new TokenBucket(2, 2, clock);
      bucket.take();
      bucket.take();
      expect(bucket.take()).toBe(false);
      clock.advance(499);
      expect(bucket.take()).toBe(false);
      clock.advance(1);
      expect(bucket.take()).toBe(true);
      expect(bucket.take()).toBe(false);
    });

    it('never holds more than the burst', () => {
      const clock = fakeClock();
      const bucket = new TokenBucket(10, 2, clock);
      clock.advance(60_000);
      expect([bucket.take(), bucket.take(), bucket.take()]).toStrictEqual([true, true, false]);
    });

    it('charges the given cost and refuses a cost it cannot cover without spending', () => {
      const clock = fakeClock();
      const bucket = new TokenBucket(1, 5, clock);
      expect(bucket.take(4)).toBe(true);
      expect(bucket.take(2)).toBe(false);
      expect(bucket.take(1)).toBe(true);
      expect(bucket.take(1)).toBe(false);
    });

    it('accumulates fractional refills', () => {
      const clock = fakeClock();
      const bucket = new TokenBucket(1, 1, clock);
      bucket.take();
      for (let i = 0; i < 3; i += 1) {
        clock.advance(250);
        expect(bucket.take()).toBe(false);
      }
      clock.advance(250);
      expect(bucket.take()).toBe(true);
    });
  });
});

describe('KeyedRateLimiter', () => {
  describe('#hit', () => {
    it('allows `limit` hits per window, then refuses', () => {
      const limiter = new KeyedRateLimiter(3, 60_000, fakeClock());
      expect([1, 2, 3, 4, 5].map(() => limiter.hit('10.0.0.1'))).toStrictEqual([true, true, true, false, false]);
    });

    it('counts each key separately', () => {
      const limiter = new KeyedRateLimiter(1, 60_000, fakeClock());
      expect(limiter.hit('a')).toBe(true);
      expect(limiter.hit('a')).toBe(false);
      expect(limiter.hit('b')).toBe(true);
    });

    it('starts a fresh window once windowMs has passed since the first hit', () => {
      const clock = fakeClock();
      const limiter = new KeyedRateLimiter(2, 1000, clock);
      limiter.hit('a');
      clock.advance(500);
      limiter.hit('a');
      expect(limiter.hit('a')).toBe(false);
      clock.advance(499);
      expect(limiter.hit('a')).toBe(false);
      clock.advance(1);
      expect(limiter.hit('a')).toBe(true);
      expect(limiter.hit('a')).toBe(true);
      expect(limiter.hit('a')).toBe(false);
    });

    it('keeps each key on its own window', () => {
      const clock = fakeClock();
      const limiter = new KeyedRateLimiter(1, 1000, clock);
      limiter.hit('a');
      clock.advance(600);
      limiter.hit('b');
      clock.advance(400);
      expect(limiter.hit('a')).toBe(true);
      expect(limiter.hit('b')).toBe(false);
    });

    it('still limits correctly after pruning many stale keys', () => {
      const clock = fakeClock();
      const limiter = new KeyedRateLimiter(1, 1000, clock);
      limiter.hit('busy');
      for (let i = 0; i < 10_001; i += 1) limiter.hit(`old-${i}`);
      clock.advance(1000);
      expect(limiter.hit('fresh')).toBe(true);
      expect(limiter.hit('fresh')).toBe(false);
      expect(limiter.hit('busy')).toBe(true);
    });
  });

  describe('#retryAfterMs', () => {
    it('is 0 under the limit, then the time left in the window, and 0 again once it has passed', () => {
      const clock = fakeClock();
      const limiter = new KeyedRateLimiter(2, 1000, clock);
      expect(limiter.retryAfterMs('a')).toBe(0);
      limiter.hit('a');
      clock.advance(300);
      expect(limiter.retryAfterMs('a')).toBe(0);
      limiter.hit('a');
      expect(limiter.retryAfterMs('a')).toBe(700);
      expect(limiter.hit('a')).toBe(false);
      clock.advance(650);
      expect(limiter.retryAfterMs('a')).toBe(50);
      expect(limiter.retryAfterMs('b')).toBe(0);
      clock.advance(50);
      expect(limiter.retryAfterMs('a')).toBe(0);
      expect(limiter.hit('a')).toBe(true);
    });
  });
});
