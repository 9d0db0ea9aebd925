import { describe, expect, it } from 'vitest';
import type { IncomingRing } from '../../../../common/bridge.js';
import { RingPolicy } from '../../../../main/ring/RingPolicy.js';

const ring = (callId: string): IncomingRing => ({ callId, callerName: 'Ada', conversationId: 7 });

describe('RingPolicy', () => {
  it('shows a ring when available', () => {
    const policy = new RingPolicy();
    expect(policy.started(ring('c1'), { dnd: false })).toEqual({ kind: 'show', ring: ring('c1') });
    expect(policy.current).toEqual(ring('c1'));
  });

  describe('do not disturb', () => {
    it('suppresses the window and counts a missed call at once', () => {
      const policy = new RingPolicy();
      expect(policy.started(ring('c1'), { dnd: true })).toEqual({ kind: 'suppressed', reason: 'dnd' });
      expect(policy.current).toBeNull();
      expect(policy.missedCalls).toBe(1);
    });

    it('does not count the same call again when its end is reported as missed', () => {
      const policy = new RingPolicy();
      policy.started(ring('c1'), { dnd: true });
      expect(policy.ended('c1', true)).toEqual({ closeWindow: false, countedMissed: false });
      expect(policy.missedCalls).toBe(1);
    });
  });

  it('shows one ring at a time; a second one that goes unanswered still counts as missed', () => {
    const policy = new RingPolicy();
    policy.started(ring('c1'), { dnd: false });
    expect(policy.started(ring('c2'), { dnd: false })).toEqual({ kind: 'ignored', reason: 'another-ring-showing' });
    expect(policy.current?.callId).toBe('c1');
    expect(policy.ended('c2', true)).toEqual({ closeWindow: false, countedMissed: true });
    expect(policy.missedCalls).toBe(1);
    expect(policy.current?.callId).toBe('c1');
  });

  it('ignores a duplicate start of the shown ring', () => {
    const policy = new RingPolicy();
    policy.started(ring('c1'), { dnd: false });
    expect(policy.started(ring('c1'), { dnd: false })).toEqual({ kind: 'ignored', reason: 'duplicate' });
  });

  it('closes the window when the shown ring ends; counts it when missed, once', () => {
    const policy = new RingPolicy();
    policy.started(ring('c1'), { dnd: false });
    expect(policy.ended('c1', true)).toEqual({ closeWindow: true, countedMissed: true });
    expect(policy.ended('c1', true)).toEqual({ closeWindow: false, countedMissed: false });
    expect(policy.missedCalls).toBe(1);
    expect(policy.current).toBeNull();
    // A late start of an ended call does not bring the window back.
    expect(policy.started(ring('c1'), { dnd: false })).toEqual({ kind: 'ignored', reason: 'already-ended' });
  });

  it('an answered ring is not missed', () => {
    const policy = new RingPolicy();
    policy.started(ring('c1'), { dnd: false });
    expect(policy.ended('c1', false)).toEqual({ closeWindow: true, countedMissed: false });
    expect(policy.missedCalls).toBe(0);
  });

  it('relays answers for the shown ring only', () => {
    const policy = new RingPolicy();
    expect(policy.answered('c1', 'accept')).toEqual({ relay: false });
    policy.started(ring('c1'), { dnd: false });
    expect(policy.answered('other', 'accept')).toEqual({ relay: false });
    expect(policy.answered('c1', 'busy')).toEqual({ relay: true });
    expect(policy.current).toBeNull();
    expect(policy.answered('c1', 'accept')).toEqual({ relay: false });
    // The main window then reports the end (declined: not missed).
    expect(policy.ended('c1', false)).toEqual({ closeWindow: false, countedMissed: false });
    expect(policy.missedCalls).toBe(0);
  });

  it('counts a missed ring it never saw start', () => {
    const policy = new RingPolicy();
    expect(policy.ended('x', true).countedMissed).toBe(true);
    expect(policy.missedCalls).toBe(1);
  });

  it('clears the missed count', () => {
    const policy = new RingPolicy();
    policy.started(ring('c1'), { dnd: true });
    policy.clearMissed();
    expect(policy.missedCalls).toBe(0);
  });
});
