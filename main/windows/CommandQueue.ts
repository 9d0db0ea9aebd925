import type { HostCommand } from '../../common/bridge.js';

/**
 * Commands for the main window's renderer wait until it listens: a deep link or tray click at
 * launch arrives before the page has subscribed with `onCommand`. The renderer counts as ready
 * once it has reported its state (it subscribes first); a reload makes it not ready again.
 */
const MAX_QUEUED = 32;

export class CommandQueue {
  #ready = false;
  readonly #queue: HostCommand[] = [];

  constructor(private readonly deliver: (command: HostCommand) => void) {}

  send(command: HostCommand): void {
    if (this.#ready) {
      this.deliver(command);
      return;
    }
    this.#queue.push(command);
    // Keep the newest: an old tray click is worth less than the latest one.
    if (this.#queue.length > MAX_QUEUED) this.#queue.shift();
  }

  markReady(): void {
    if (this.#ready) return;
    this.#ready = true;
    for (const command of this.#queue.splice(0)) this.deliver(command);
  }

  markNotReady(): void {
    this.#ready = false;
  }

  get pending(): number {
    return this.#queue.length;
  }
}
