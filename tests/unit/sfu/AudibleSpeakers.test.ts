import { describe, expect, it } from 'vitest';
import { AUDIBLE_SPEAKERS, AudibleSpeakers, SPEAKER_HOLD_MS } from '../../../sfu/AudibleSpeakers.js';

function setup() {
  let t = 0;
  const speakers = new AudibleSpeakers({ now: () => t });
  return { speakers, advance: (ms: number) => (t += ms) };
}

describe('AudibleSpeakers', () => {
  it('holds the last 3 speakers, each for at least 3 s after they last spoke', () => {
    expect(AUDIBLE_SPEAKERS).toBe(3);
    expect(SPEAKER_HOLD_MS).toBe(3000);
  });

  it('starts empty and adds whoever speaks, reporting a change only when the set changes', () => {
    const { speakers, advance } = setup();
    expect(speakers.list()).toEqual([]);
    expect(speakers.heard([])).toBe(false);
    expect(speakers.heard(['a'])).toBe(true);
    advance(400);
    expect(speakers.heard(['a'])).toBe(false);
    expect(speakers.heard(['b', 'a'])).toBe(true);
    expect(speakers.has('a') && speakers.has('b')).toBe(true);
    expect(speakers.has('c')).toBe(false);
  });

  it('keeps the last speakers audible through silence (nothing is freed by silence alone)', () => {
    const { speakers, advance } = setup();
    speakers.heard(['a', 'b']);
    advance(60_000);
    expect(speakers.heard([])).toBe(false);
    expect(speakers.list().sort()).toEqual(['a', 'b']);
  });

  it('lets a new speaker take the place of the one silent the longest, once that one has been silent 3 s', () => {
    const { speakers, advance } = setup();
    speakers.heard(['a']);
    advance(1000);
    speakers.heard(['b']);
    advance(1000);
    speakers.heard(['c']);
    advance(1500); // a silent 3.5 s, b 2.5 s, c 1.5 s
    expect(speakers.heard(['d'])).toBe(true);
    expect(speakers.list()).toEqual(['d', 'c', 'b']);
  });

  it('makes a newcomer wait while all three spoke within the hold (no chopping), then lets it in', () => {
    const { speakers, advance } = setup();
    speakers.heard(['a', 'b', 'c']);
    advance(400);
    expect(speakers.heard(['d', 'a', 'b'])).toBe(false);
    expect(speakers.has('d')).toBe(false);
    // c stops; d keeps talking: after c's 3 s of silence d takes its place.
    for (let i = 0; i < 7; i++) {
      advance(400);
      speakers.heard(['d', 'a', 'b']);
    }
    expect(speakers.list().sort()).toEqual(['a', 'b', 'd']);
  });

  it('frees the place of someone who left', () => {
    const { speakers } = setup();
    speakers.heard(['a', 'b', 'c']);
    expect(speakers.remove('b')).toBe(true);
    expect(speakers.remove('x')).toBe(false);
    expect(speakers.heard(['d'])).toBe(true);
    expect(speakers.list().sort()).toEqual(['a', 'c', 'd']);
  });
});
