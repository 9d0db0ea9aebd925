import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LowBandwidthPolicy, POOR_QUALITY_SWITCH_MS } from '../../../../renderer/call/LowBandwidthPolicy.js';

/** Feed one quality sample a second for `seconds` seconds. */
function samples(policy: LowBandwidthPolicy, quality: 'good' | 'fair' | 'poor', seconds: number): void {
  for (let i = 0; i < seconds; i++) {
    policy.observe(quality);
    vi.advanceTimersByTime(1000);
  }
}

describe('LowBandwidthPolicy', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits 10 s by default', () => {
    expect(POOR_QUALITY_SWITCH_MS).toBe(10_000);
  });

  describe('setting "on"', () => {
    it('starts the call in low-bandwidth mode, because of the setting, without a change event', () => {
      const policy = new LowBandwidthPolicy({ setting: 'on' });
      const changes = vi.fn();
      policy.on('change', changes);
      expect(policy.active).toBe(true);
      expect(policy.reason).toBe('setting');
      samples(policy, 'good', 30);
      expect(policy.active).toBe(true);
      expect(changes).not.toHaveBeenCalled();
    });
  });

  describe('setting "auto"', () => {
    it('switches on once the quality has stayed poor for 10 s, and stays on for the rest of the call', () => {
      const policy = new LowBandwidthPolicy({ setting: 'auto' });
      const changes = vi.fn();
      policy.on('change', changes);
      expect(policy.active).toBe(false);
      policy.observe('poor');
      vi.advanceTimersByTime(9_999);
      expect(policy.active).toBe(false);
      policy.observe('poor');
      vi.advanceTimersByTime(1);
      expect(policy.active).toBe(true);
      expect(policy.reason).toBe('auto');
      expect(changes).toHaveBeenCalledExactlyOnceWith(true, 'auto');
      samples(policy, 'good', 60);
      expect(policy.active).toBe(true);
      expect(changes).toHaveBeenCalledTimes(1);
    });

    it('starts the wait again after a sample that is not poor', () => {
      const policy = new LowBandwidthPolicy({ setting: 'auto' });
      samples(policy, 'poor', 9);
      samples(policy, 'fair', 1);
      samples(policy, 'poor', 9);
      expect(policy.active).toBe(false);
      samples(policy, 'poor', 1);
      expect(policy.active).toBe(true);
    });

    it('never switches on with good or fair quality', () => {
      const policy = new LowBandwidthPolicy({ setting: 'auto' });
      for (let i = 0; i < 120; i++) samples(policy, i % 2 ? 'good' : 'fair', 1);
      expect(policy.active).toBe(false);
    });

    it('honours a shorter wait', () => {
      const policy = new LowBandwidthPolicy({ setting: 'auto', poorForMs: 3000 });
      samples(policy, 'poor', 3);
      expect(policy.active).toBe(true);
    });
  });

  describe('setting "off"', () => {
    it('never switches by itself', () => {
      const policy = new LowBandwidthPolicy({ setting: 'off' });
      samples(policy, 'poor', 60);
      expect(policy.active).toBe(false);
    });
  });

  describe('#setManual', () => {
    it('switches at once either way, with reason "manual"', () => {
      const policy = new LowBandwidthPolicy({ setting: 'off' });
      const changes = vi.fn();
      policy.on('change', changes);
      policy.setManual(true);
      expect(policy.reason).toBe('manual');
      policy.setManual(false);
      expect(policy.reason).toBeNull();
      expect(changes.mock.calls).toEqual([
        [true, 'manual'],
        [false, 'manual'],
      ]);
    });

    it('keeps the automatic switch away once the user has decided (also mid-wait)', () => {
      const policy = new LowBandwidthPolicy({ setting: 'auto' });
      samples(policy, 'poor', 5);
      policy.setManual(false);
      samples(policy, 'poor', 30);
      expect(policy.active).toBe(false);
    });

    it('turns off what the automatic switch turned on', () => {
      const policy = new LowBandwidthPolicy({ setting: 'auto' });
      samples(policy, 'poor', 10);
      expect(policy.active).toBe(true);
      policy.setManual(false);
      samples(policy, 'poor', 30);
      expect(policy.active).toBe(false);
    });
  });

  it('does nothing after dispose (a pending switch is dropped)', () => {
    const policy = new LowBandwidthPolicy({ setting: 'auto' });
    const changes = vi.fn();
    policy.on('change', changes);
    samples(policy, 'poor', 5);
    policy.dispose();
    vi.advanceTimersByTime(60_000);
    expect(policy.active).toBe(false);
    expect(changes).not.toHaveBeenCalled();
  });
});
