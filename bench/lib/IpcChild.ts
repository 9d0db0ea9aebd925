/**
 * A Node child process (tsx loader) driven over the IPC channel: one request / one reply per
 * `id`, plain JSON. The parent side is `IpcChild`; the child answers with `answerParent()`.
 * Used by the `signaling` benchmark so the server and the load generator each run in a process
 * of their own, whose CPU and memory can be read from /proc.
 */
import { fork, type ChildProcess } from 'node:child_process';

/** Every request names its operation. */
export interface IpcRequest {
  op: string;
}

type Envelope<Req> = { id: number; request: Req };
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

export class IpcChild<Req extends IpcRequest, Replies extends Record<Req['op'], unknown>> {
  readonly #child: ChildProcess;
  readonly #label: string;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  private constructor(child: ChildProcess, label: string) {
    this.#child = child;
    this.#label = label;
    child.on('message', (reply: Reply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      if (reply.ok) pending.resolve(reply.result);
      else pending.reject(new Error(`${label}: ${reply.error}`));
    });
    child.on('exit', (code, signal) => {
      for (const p of this.#pending.values()) p.reject(new Error(`${label} exited (${signal ?? code})`));
      this.#pending.clear();
    });
  }

  /**
   * Start `entry` (a .ts file) with `node --import tsx [execArgv]`; stdout and stderr are
   * inherited. `label` names the child in errors.
   */
  static async start<Req extends IpcRequest, Replies extends Record<Req['op'], unknown>>(
    entry: string,
    label: string,
    execArgv: string[] = [],
  ): Promise<IpcChild<Req, Replies>> {
    const child = fork(entry, [], { execArgv: ['--import', 'tsx', ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return new IpcChild<Req, Replies>(child, label);
  }

  /** The child's pid (for /proc readings). */
  get pid(): number {
    return this.#child.pid!;
  }

  request<Op extends Req['op']>(request: Extract<Req, { op: Op }>): Promise<Replies[Op]> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      if (!this.#child.connected) {
        reject(new Error(`${this.#label} is gone`));
        return;
      }
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#child.send({ id, request } satisfies Envelope<Req>);
    });
  }

  /** Disconnect (the child cleans up and exits on `disconnect`); SIGKILL after `graceMs`. */
  async close(graceMs = 10_000): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((r) => this.#child.once('exit', r));
    if (this.#child.connected) this.#child.disconnect();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * Child side: answer each request from the parent with `handle`'s result (or its error), and
 * run `onDisconnect` when the parent goes away (it should end the process).
 */
export function answerParent<Req extends IpcRequest>(handle: (request: Req) => Promise<unknown>, onDisconnect: () => void): void {
  const send = (reply: Reply) => process.send?.(reply);
  process.on('message', (message: Envelope<Req>) => {
    handle(message.request).then(
      (result) => send({ id: message.id, ok: true, result: result ?? null }),
      (error: unknown) => send({ id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  process.on('disconnect', onDisconnect);
}
