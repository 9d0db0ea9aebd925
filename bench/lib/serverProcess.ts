import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { processCpuSeconds } from './processCpu.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * What `npm start` runs once setup is done (scripts/start.sh): Node with tsx's loader on the
 * TypeScript entry, in one process, from the repository root.
 */
export const NPM_START_COMMAND: readonly string[] = [process.execPath, '--import', 'tsx', 'signaling-server/main.ts'];

/** A server started by startServerProcess, still running. */
export interface ServerProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** The fresh data folder it was given (removed by stop()). */
  dataDir: string;
  /** Stop it (SIGTERM, then SIGKILL after 10 s), wait for the exit and remove its data folder. */
  stop(): Promise<void>;
}

/** Times from the spawn() call, ms (performance.now() in this process). */
export interface ServerStartTiming {
  /** spawn() → the first `GET /healthz` answered 200. */
  healthzMs: number;
  /** spawn() → stdout lines whose text (or pino `msg`) contains each of `watchLines`; null if never seen before ready. */
  lines: Record<string, number | null>;
  /** CPU the server process itself had used (utime + stime, all its threads) when /healthz first answered, ms. */
  cpuMs: number;
  /** /healthz requests made, refused ones included. */
  polls: number;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it; a race with other processes is possible but rare). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** One GET; resolves with the status code, or null when nothing answered (connection refused, reset). */
function getStatus(url: string, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

/**
 * Spawn a server as a fresh process with a fresh data folder and a port picked here
 * (EARSHOT_HOST, EARSHOT_PORT, EARSHOT_DATA_DIR; more in `env`), and time it to the first 200
 * from GET /healthz, polling every `pollMs` (a refused connection costs well under 1 ms, so the
 * figure is late by at most `pollMs` plus one request). Throws if the process exits first or
 * `timeoutMs` passes.
 */
export async function startServerProcess(opts: {
  /** argv; default NPM_START_COMMAND. */
  command?: readonly string[];
  env?: Record<string, string>;
  /** Stdout texts to time (see ServerStartTiming.lines). */
  watchLines?: readonly string[];
  pollMs?: number;
  timeoutMs?: number;
}): Promise<{ server: ServerProcess; timing: ServerStartTiming }> {
  const [file, ...args] = opts.command ?? NPM_START_COMMAND;
  const pollMs = opts.pollMs ?? 5;
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'earshot-bench-start-'));
  const lines: Record<string, number | null> = Object.fromEntries((opts.watchLines ?? []).map((text) => [text, null]));
  let output = '';
  let exited: string | null = null;

  const t0 = performance.now();
  const child = spawn(file!, args, {
    cwd: ROOT,
    env: { ...process.env, EARSHOT_HOST: '127.0.0.1', EARSHOT_PORT: String(port), EARSHOT_DATA_DIR: dataDir, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onData = (chunk: Buffer) => {
    const t = performance.now() - t0;
    const text = chunk.toString();
    // Keep only the last few kB, for the error message if it fails.
    output = (output + text).slice(-4000);
    for (const key of Object.keys(lines)) if (lines[key] === null && text.includes(key)) lines[key] = t;
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  child.on('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  let polls = 0;
  try {
    for (;;) {
      polls++;
      const status = await getStatus(`${url}/healthz`, 1000);
      if (status === 200) break;
      if (exited !== null) throw new Error(`server ${exited} before /healthz answered: ${output.trim().split('\n').slice(-5).join(' | ')}`);
      if (performance.now() - t0 > (opts.timeoutMs ?? 30_000)) throw new Error(`server not ready after ${opts.timeoutMs ?? 30_000} ms`);
      await sleep(pollMs);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const healthzMs = performance.now() - t0;
  const cpuMs = processCpuSeconds(child.pid!) * 1000;
  return { server: { child, url, port, dataDir, stop }, timing: { healthzMs, lines, cpuMs, polls } };
}
