import type { LowBandwidthSetting } from '../../common/bridge.js';
import { TypedEmitter } from '../../common/TypedEmitter.js';
import type { CallQuality } from './callQuality.js';

/** How long the quality must stay `poor` before `auto` switches low-bandwidth mode on, ms. */
export const POOR_QUALITY_SWITCH_MS = 10_000;

/**
 * Why low-bandwidth mode is on: the user's setting (`on`), the automatic switch after a lasting
 * poor quality (`auto`), or the user's button in the call (`manual`).
 */
export type LowBandwidthReason = 'setting' | 'auto' | 'manual';

export type LowBandwidthPolicyEvents = {
  /** The mode changed (never emitted for the initial state). */
  change: [active: boolean, reason: LowBandwidthReason];
};

export interface LowBandwidthPolicyOptions {
  setting: LowBandwidthSetting;
  /** Default POOR_QUALITY_SWITCH_MS. */
  poorForMs?: number;
}

/**
 * Low-bandwidth mode for one call. `on` starts the call in it; `auto` switches it on, for the
 * rest of the call, once every quality sample for `poorForMs` has been `poor` (a `fair` or
 * `good` sample starts the wait again); `off` never switches by itself. The user's button in
 * the call (`setManual`) overrides all of that, and after it the automatic switch stays out
 * of the way (a person who turned the mode off does not want it back 10 s later).
 */
export class LowBandwidthPolicy extends TypedEmitter<LowBandwidthPolicyEvents> {
  #active: boolean;
  #reason: LowBandwidthReason | null;
  #automatic: boolean;
  readonly #poorForMs: number;
  #poorTimer: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;

  constructor(options: LowBandwidthPolicyOptions) {
    super();
    this.#active = options.setting === 'on';
    this.#reason = this.#active ? 'setting' : null;
    this.#automatic = options.setting === 'auto';
    this.#poorForMs = options.poorForMs ?? POOR_QUALITY_SWITCH_MS;
  }

  get active(): boolean {
    return this.#active;
  }

  /** Why it is on; null while off. */
  get reason(): LowBandwidthReason | null {
    return this.#active ? this.#reason : null;
  }

  /** One quality sample (about one a second). */
  observe(quality: CallQuality): void {
    if (this.#disposed || !this.#automatic || this.#active) return;
    if (quality !== 'poor') {
      clearTimeout(this.#poorTimer);
      this.#poorTimer = undefined;
      return;
    }
    // The first poor sample of a run starts the wait; later ones leave it running.
    this.#poorTimer ??= setTimeout(() => {
      this.#poorTimer = undefined;
      if (this.#disposed || this.#active || !this.#automatic) return;
      this.#set(true, 'auto');
    }, this.#poorForMs);
  }

  /** The user switched the mode in the call. */
  setManual(active: boolean): void {
    if (this.#disposed) return;
    this.#automatic = false;
    clearTimeout(this.#poorTimer);
    this.#poorTimer = undefined;
    if (active !== this.#active) this.#set(active, 'manual');
  }

  dispose(): void {
    this.#disposed = true;
    clearTimeout(this.#poorTimer);
    this.removeAllListeners();
  }

  #set(active: boolean, reason: LowBandwidthReason): void {
    this.#active = active;
    this.#reason = reason;
    this.emit('change', active, reason);
  }
}
