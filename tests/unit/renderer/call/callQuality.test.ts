import { describe, expect, it } from 'vitest';
import { classifyQuality } from '../../../../renderer/call/callQuality.js';

describe('classifyQuality', () => {
  it('is good on a clean path', () => {
    expect(classifyQuality({ rttMs: 40, lossFraction: 0, jitterMs: 5 })).toBe('good');
    expect(classifyQuality({ rttMs: null, lossFraction: 0, jitterMs: null })).toBe('good');
  });
  it('is fair with moderate loss, delay or jitter', () => {
    expect(classifyQuality({ rttMs: 350, lossFraction: 0, jitterMs: 5 })).toBe('fair');
    expect(classifyQuality({ rttMs: 40, lossFraction: 0.05, jitterMs: 5 })).toBe('fair');
    expect(classifyQuality({ rttMs: 40, lossFraction: 0, jitterMs: 40 })).toBe('fair');
  });
  it('is poor when any of them is bad', () => {
    expect(classifyQuality({ rttMs: 600, lossFraction: 0, jitterMs: 5 })).toBe('poor');
    expect(classifyQuality({ rttMs: 40, lossFraction: 0.15, jitterMs: 5 })).toBe('poor');
    expect(classifyQuality({ rttMs: 40, lossFraction: 0, jitterMs: 80 })).toBe('poor');
  });
});
