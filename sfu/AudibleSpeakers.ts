/** How many other participants a `speakers`-mode listener receives at most. */
export const AUDIBLE_SPEAKERS = 3;
/** A speaker heard this recently keeps their place against a newer one (no chopping), ms. */
export const SPEAKER_HOLD_MS = 3000;

export interface AudibleSpeakersOptions {
  /** Most participants audible at once. Default AUDIBLE_SPEAKERS. */
  size?: number;
  /** Default SPEAKER_HOLD_MS. */
  holdMs?: number;
  now: () => number;
}

/**
 * Whom one listener in `speakers` receive mode hears: the `size` participants heard most
 * recently. Someone who starts speaking takes the place of the one silent the longest, but
 * only once that one has been silent for `holdMs`: a speaker is never cut off between two
 * words, and four people talking over each other do not flip in and out every 400 ms (the
 * newcomer waits for a place). Silence frees nothing by itself: the last speakers stay
 * audible (and, silent, cost almost nothing with DTX) until someone else speaks.
 */
export class AudibleSpeakers {
  readonly #size: number;
  readonly #holdMs: number;
  readonly #now: () => number;
  /** Audible participants → when they were last heard. */
  readonly #audible = new Map<string, number>();

  constructor(options: AudibleSpeakersOptions) {
    this.#size = options.size ?? AUDIBLE_SPEAKERS;
    this.#holdMs = options.holdMs ?? SPEAKER_HOLD_MS;
    this.#now = options.now;
  }

  has(peerId: string): boolean {
    return this.#audible.has(peerId);
  }

  /** The audible participants, most recently heard first. */
  list(): string[] {
    return [...this.#audible].sort((a, b) => b[1] - a[1]).map(([id]) => id);
  }

  /** The participants speaking now (loudest first, from the audio-level observer). Returns whether the audible set changed. */
  heard(peerIds: readonly string[]): boolean {
    const now = this.#now();
    let changed = false;
    for (const id of peerIds) {
      if (this.#audible.has(id)) {
        this.#audible.set(id, now);
        continue;
      }
      if (this.#audible.size >= this.#size) {
        const [quietest, lastHeard] = [...this.#audible].reduce((a, b) => (b[1] < a[1] ? b : a));
        if (now - lastHeard < this.#holdMs) continue; // everyone audible spoke just now: wait for a place
        this.#audible.delete(quietest);
      }
      this.#audible.set(id, now);
      changed = true;
    }
    return changed;
  }

  /** A participant left. Returns whether they were audible. */
  remove(peerId: string): boolean {
    return this.#audible.delete(peerId);
  }
}
