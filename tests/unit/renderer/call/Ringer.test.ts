import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ringer } from '../../../../renderer/call/Ringer.js';

/** Just enough AudioContext to see where a pattern plays and how loud. */
function fakeContext() {
  const peaks: number[] = [];
  const ctx = {
    currentTime: 0,
    destination: {},
    sinks: [] as string[],
    closed: false,
    setSinkId: vi.fn(async (id: string) => void ctx.sinks.push(id)),
    close: vi.fn(async () => void (ctx.closed = true)),
    createGain: () => ({
      gain: { setValueAtTime: (v: number) => peaks.push(v), linearRampToValueAtTime: (v: number) => peaks.push(v) },
      connect: () => undefined,
    }),
    createOscillator: () => ({ frequency: { value: 0 }, connect: () => undefined, start: () => undefined, stop: () => undefined }),
    peaks,
  };
  return ctx;
}

describe('Ringer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('plays the ringtone on the ring device at the ring volume, and the ringback on the speaker', () => {
    const contexts: ReturnType<typeof fakeContext>[] = [];
    const ringer = new Ringer({
      createContext: () => {
        const ctx = fakeContext();
        contexts.push(ctx);
        return ctx as unknown as AudioContext;
      },
      output: (kind) => (kind === 'ringtone' ? { sinkId: 'ring-device', volume: 0.5 } : { sinkId: '', volume: 1 }),
    });
    ringer.start('ringtone');
    expect(contexts[0]!.sinks).toEqual(['ring-device']);
    expect(Math.max(...contexts[0]!.peaks)).toBeCloseTo(0.075);
    ringer.start('ringback');
    expect(contexts[0]!.closed).toBe(true);
    // '' = the system default: no setSinkId at all.
    expect(contexts[1]!.setSinkId).not.toHaveBeenCalled();
    expect(Math.max(...contexts[1]!.peaks)).toBeCloseTo(0.15);
    ringer.stop();
    expect(contexts[1]!.closed).toBe(true);
  });
});
