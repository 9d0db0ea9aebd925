import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { ServerConfigInput } from '../../signaling-server/config.js';

/** How to start the server in the child (see `startTestServer`). */
export interface ServerProcessOptions {
  dataDir: string;
  config?: ServerConfigInput;
  /** Start the SFU too (one mediasoup worker, a child of the server process). Default false. */
  sfu?: boolean;
  /** Where the server logs (see `startTestServer`). Default `<dataDir>/server.log`. */
  logFile?: string;
  /** More environment for the child process (e.g. a fault-injecting LD_PRELOAD). */
  env?: Record<string, string>;
}

/** Memory of the server process, bytes. */
export interface ServerMemory {
  rss: number;
  heapUsed: number;
  external: number;
  /** CPU time the process has used so far (user + system), ms. */
  cpuMs: number;
  /** `Object.getOwnPropertyNames(Object.prototype)`, sorted: changes if input polluted the prototype. */
  prototypeKeys: string[];
  /** Pids of the SFU's mediasoup workers now (empty without the SFU; a restarted worker has a new pid). */
  workerPids: number[];
}

/** IPC messages; `seq` pairs a memory answer with its request. */
export type ChildToParent = ({ type: 'memory'; seq: number } & ServerMemory) | { type: 'ready'; url: string; wsUrl: string; logFile: string };
export type ParentToChild = { type: 'memory'; seq: number; gc: boolean } | { type: 'stop' };

export interface TestServerProcess {
  url: string;
  wsUrl: string;
  logFile: string;
  pid: number;
  /** Memory now; `gc` runs a full collection first (the child runs with --expose-gc). */
  memory(gc: boolean): Promise<ServerMemory>;
  /** Exit code and signal once the process has exited (a crash shows up here). */
  exited(): { code: number | null; signal: NodeJS.Signals | null } | null;
  /** Resolves when the process exits. */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What the process wrote to stdout/stderr (a crash's stack trace). */
  output(): string;
  /** Stop the server (graceful close) and wait for the process to exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * A real signaling server (`startTestServer`: real ws, real SQLite in `dataDir`) in a child
 * process, so its memory can be measured apart from the test's and a crash is visible as an
 * exit instead of taking the test runner down.
 */
export async function startTestServerProcess(options: ServerProcessOptions): Promise<TestServerProcess> {
  const child: ChildProcess = fork(path.join(import.meta.dirname, 'testServerProcess.child.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, ...options.env, EARSHOT_TEST_SERVER_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exitedPromise = once(child, 'exit').then(([code, signal]) => (exit = { code: code as number | null, signal: signal as NodeJS.Signals | null }));
  let nextSeq = 1;
  const sendToChild = (message: ParentToChild) => {
    if (child.connected) child.send(message, (error) => error && undefined);
  };

  const ready = await new Promise<Extract<ChildToParent, { type: 'ready' }>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server process did not start:\n${output}`)), 60_000);
    child.on('message', (message: ChildToParent) => {
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      resolve(message);
    });
    void exitedPromise.then(() => reject(new Error(`server process exited with ${exit?.code ?? exit?.signal}:\n${output}`)));
  });

  return {
    url: ready.url,
    wsUrl: ready.wsUrl,
    logFile: ready.logFile,
    pid: child.pid!,
    memory: (gc) =>
      new Promise((resolve, reject) => {
        if (exit) {
          reject(new Error(`server process exited with ${exit.code ?? exit.signal}:\n${output}`));
          return;
        }
        const seq = nextSeq++;
        const onMessage = (message: ChildToParent) => {
          if (message.type !== 'memory' || message.seq !== seq) return;
          child.off('message', onMessage);
          const { type: _type, seq: _seq, ...memory } = message;
          resolve(memory);
        };
        child.on('message', onMessage);
        sendToChild({ type: 'memory', seq, gc });
        void exitedPromise.then(() => reject(new Error(`server process exited with ${exit?.code ?? exit?.signal}:\n${output}`)));
      }),
    exited: () => exit,
    exit: exitedPromise,
    output: () => output,
    stop: async () => {
      if (!exit) {
        sendToChild({ type: 'stop' });
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exitedPromise;
        clearTimeout(timer);
      }
      return exit!;
    },
  };
}
