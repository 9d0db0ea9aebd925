import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../../renderer/lib/backoffDelay.js';

describe('backoffDelay', () => {
  const max = { baseMs: 250, maxMs: 10_000, random: () => 1 };
  const min = { ...max, random: () => 0 };

  it('doubles from 250 ms and caps at 10 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, max))).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('jitters between half and all of the ceiling', () => {
    expect(backoffDelay(2, min)).toBe(500);
    expect(backoffDelay(2, { ...max, random: () => 0.5 })).toBe(750);
    expect(backoffDelay(100, min)).toBe(5000);
  });
});
