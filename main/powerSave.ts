/**
 * Keeps the system from suspending the app while a call is up (audio would stop), and releases
 * the blocker as soon as the call ends. `prevent-app-suspension` lets the screen sleep.
 */
export interface PowerSaveBlockerLike {
  start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number;
  stop(id: number): void;
  isStarted(id: number): boolean;
}

export class PowerSaveGuard {
  #id: number | null = null;

  constructor(private readonly blocker: PowerSaveBlockerLike) {}

  get active(): boolean {
    return this.#id !== null && this.blocker.isStarted(this.#id);
  }

  /** Call on every state report; starts or stops the blocker when `inCall` changes. */
  update(inCall: boolean): void {
    if (inCall && !this.active) this.#id = this.blocker.start('prevent-app-suspension');
    if (!inCall && this.#id !== null) {
      if (this.blocker.isStarted(this.#id)) this.blocker.stop(this.#id);
      this.#id = null;
    }
  }
}
