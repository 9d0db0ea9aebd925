/**
 * Parent side of the bot farm: starts bench/lib/botFarmProcess.ts in its own Node process (tsx
 * loader) and drives it over IPC. Used by the 50-participant load test and the `sfu` benchmark,
 * so the bots' CPU is measured apart from the signaling server's.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BotSpec, FarmMessage, FarmReplies, FarmReply, FarmRequest, JoinOutcome } from './botFarmProtocol.js';

const ENTRY = fileURLToPath(new URL('./botFarmProcess.ts', import.meta.url));

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

export class BotFarm {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (reply: FarmReply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      if (reply.ok) pending.resolve(reply.result);
      else pending.reject(new Error(`bot farm: ${reply.error}`));
    });
    child.on('exit', (code, signal) => {
      for (const p of this.#pending.values()) p.reject(new Error(`bot farm exited (${signal ?? code})`));
      this.#pending.clear();
    });
  }

  static async start(): Promise<BotFarm> {
    const child = fork(ENTRY, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return new BotFarm(child);
  }

  /** The farm process's pid (for CPU measurements). */
  get pid(): number {
    return this.#child.pid!;
  }

  #request<Op extends FarmRequest['op']>(request: Extract<FarmRequest, { op: Op }>): Promise<FarmReplies[Op]> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#child.send({ id, request } satisfies FarmMessage);
    });
  }

  /** Join bots `concurrency` at a time; one outcome per spec, in order. */
  join(wsUrl: string, bots: BotSpec[], concurrency = 4): Promise<JoinOutcome[]> {
    return this.#request({ op: 'join', wsUrl, bots, concurrency });
  }

  /** Tone per bot (by join order); null or missing = silence. */
  setTones(tones: Array<number | null>): Promise<null> {
    return this.#request({ op: 'setTones', tones });
  }

  consumerCounts(): Promise<number[]> {
    return this.#request({ op: 'consumerCounts' });
  }

  receiveStats(): Promise<FarmReplies['receiveStats']> {
    return this.#request({ op: 'receiveStats' });
  }

  joinTimes(): Promise<Array<number | null>> {
    return this.#request({ op: 'joinTimes' });
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((r) => this.#child.once('exit', r));
    await this.#request({ op: 'closeAll' }).catch(() => undefined);
    this.#child.disconnect();
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
  }
}
