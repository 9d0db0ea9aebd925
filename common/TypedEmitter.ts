/**
 * A small typed event emitter. `E` maps each event name to its argument tuple, e.g.
 * `{ state: [state: ConnectionState]; notification: [n: ParsedNotification] }`.
 *
 * A listener that throws does not stop the others: the error goes to `onListenerError`
 * (default: console.error) and emission continues.
 */
/** common/ has neither DOM nor Node types; every runtime it runs in has a console. */
const hostConsole = (globalThis as { console?: { error(...args: unknown[]): void } }).console;

export type EventMap<E> = { [K in keyof E]: unknown[] };
export type Listener<A extends unknown[]> = (...args: A) => void;
// Storage type: listeners are kept untyped and only ever called with their event's arguments.
type AnyListener = (...args: unknown[]) => void;

export class TypedEmitter<E extends EventMap<E>> {
  readonly #listeners = new Map<keyof E, Set<AnyListener>>();
  readonly #onListenerError: (error: unknown, event: keyof E) => void;

  constructor(onListenerError?: (error: unknown, event: keyof E) => void) {
    this.#onListenerError =
      onListenerError ?? ((error, event) => hostConsole?.error(`[emitter] listener for "${String(event)}" threw`, error));
  }

  /** Add a listener; returns a function that removes it. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as AnyListener);
    return () => this.off(event, listener);
  }

  /** Add a listener that runs at most once. */
  once<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    const off = this.on(event, (...args) => {
      off();
      listener(...args);
    });
    return off;
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    this.#listeners.get(event)?.delete(listener as AnyListener);
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    // Copy: listeners may add or remove listeners while we iterate.
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        this.#onListenerError(error, event);
      }
    }
  }

  listenerCount(event: keyof E): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }
}
