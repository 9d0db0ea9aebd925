import type { IncomingRing, RingResponse } from '../../common/bridge.js';

/**
 * Decides what an incoming ring does on the desktop, without touching windows:
 * - do-not-disturb: no ring window, no notification; the call counts as missed at once;
 * - one ring at a time: a second ring while one is shown is not shown (it still counts as missed
 *   if nobody answers it);
 * - the ring ends (answered elsewhere, declined, cancelled, timed out): the window closes; a
 *   missed ring counts once, however many times it is reported;
 * - an answer from the ring window is relayed only for the ring being shown.
 */

export type RingStartDecision =
  | { kind: 'show'; ring: IncomingRing }
  | { kind: 'suppressed'; reason: 'dnd' }
  | { kind: 'ignored'; reason: 'duplicate' | 'another-ring-showing' | 'already-ended' };

export interface RingEndDecision {
  /** Close the ring window (it was showing this call). */
  closeWindow: boolean;
  /** This report added one missed call. */
  countedMissed: boolean;
}

export interface RingAnswerDecision {
  /** Relay the answer to the main window and close the ring window. */
  relay: boolean;
}

/** How many ended call ids are remembered to keep late or repeated reports idempotent. */
const REMEMBERED_CALLS = 200;

export class RingPolicy {
  #current: IncomingRing | null = null;
  #missed = 0;
  /** Calls seen and not yet ended, other than the current one. */
  readonly #waiting = new Set<string>();
  /** Calls that ended or were counted (DND); later reports about them change nothing. */
  readonly #done = new Set<string>();

  get current(): IncomingRing | null {
    return this.#current;
  }

  get missedCalls(): number {
    return this.#missed;
  }

  started(ring: IncomingRing, options: { dnd: boolean }): RingStartDecision {
    if (this.#done.has(ring.callId)) return { kind: 'ignored', reason: 'already-ended' };
    if (this.#current?.callId === ring.callId || this.#waiting.has(ring.callId)) return { kind: 'ignored', reason: 'duplicate' };
    if (options.dnd) {
      this.#missed++;
      this.#remember(ring.callId);
      return { kind: 'suppressed', reason: 'dnd' };
    }
    if (this.#current) {
      this.#waiting.add(ring.callId);
      return { kind: 'ignored', reason: 'another-ring-showing' };
    }
    this.#current = ring;
    return { kind: 'show', ring };
  }

  ended(callId: string, missed: boolean): RingEndDecision {
    if (this.#done.has(callId)) return { closeWindow: false, countedMissed: false };
    const wasCurrent = this.#current?.callId === callId;
    const wasWaiting = this.#waiting.delete(callId);
    if (!wasCurrent && !wasWaiting) {
      // A ring we never saw start (e.g. reported before the window existed): still count it.
      this.#remember(callId);
      if (missed) this.#missed++;
      return { closeWindow: false, countedMissed: missed };
    }
    if (wasCurrent) this.#current = null;
    this.#remember(callId);
    if (missed) this.#missed++;
    return { closeWindow: wasCurrent, countedMissed: missed };
  }

  answered(callId: string, _response: RingResponse): RingAnswerDecision {
    if (this.#current?.callId !== callId) return { relay: false };
    // The main window reports ringEnded when the call is set up or declined; until then the
    // window is gone but the call is still live, so it is not remembered as done yet.
    this.#current = null;
    this.#waiting.add(callId);
    return { relay: true };
  }

  clearMissed(): void {
    this.#missed = 0;
  }

  #remember(callId: string): void {
    this.#done.add(callId);
    if (this.#done.size > REMEMBERED_CALLS) {
      const oldest = this.#done.values().next().value;
      if (oldest !== undefined) this.#done.delete(oldest);
    }
  }
}
