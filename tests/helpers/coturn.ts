import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Coturn {
  /** UDP/TCP listening port. */
  port: number;
  secret: string;
  realm: string;
  /** turn: URLs for the signaling server's `turnUrls`. */
  urls: string[];
  logFile: string;
  stop(): Promise<void>;
}

/** A free UDP port on 127.0.0.1 (coturn listens on UDP and TCP with the same number). */
async function freePort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  socket.close();
  return port;
}

/**
 * Start Debian's coturn with a generated TURN REST config (use-auth-secret). Relaying is
 * denied everywhere except the addresses the test names (`allowedPeers`), as in production
 * where private, loopback and link-local ranges are refused.
 */
export async function startCoturn(opts: { listenIp?: string; relayIp?: string; allowedPeers?: string[] } = {}): Promise<Coturn> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-coturn-'));
  const listenIp = opts.listenIp ?? '127.0.0.1';
  const port = await freePort();
  const secret = `test-${Math.random().toString(36).slice(2)}`;
  const realm = 'earshot.test';
  const logFile = path.join(dir, 'turn.log');
  const allowed = opts.allowedPeers ?? ['127.0.0.1'];
  const conf = [
    `listening-ip=${listenIp}`,
    `relay-ip=${opts.relayIp ?? listenIp}`,
    `listening-port=${port}`,
    `min-port=49160`,
    `max-port=49999`,
    'use-auth-secret',
    `static-auth-secret=${secret}`,
    `realm=${realm}`,
    'fingerprint',
    'no-tls',
    'no-dtls',
    'no-cli',
    'no-multicast-peers',
    'denied-peer-ip=0.0.0.0-255.255.255.255',
    ...allowed.map((ip) => `allowed-peer-ip=${ip}`),
    ...(allowed.some((ip) => ip.startsWith('127.')) ? ['allow-loopback-peers'] : []),
    `log-file=${logFile}`,
    'simple-log',
    'verbose',
    `pidfile=${path.join(dir, 'turn.pid')}`,
    `userdb=${path.join(dir, 'turn.db')}`,
  ];
  const confFile = path.join(dir, 'turnserver.conf');
  writeFileSync(confFile, `${conf.join('\n')}\n`);
  const child: ChildProcess = spawn('turnserver', ['-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  await waitForTcp(listenIp, port, 10_000, () => output);
  return {
    port,
    secret,
    realm,
    urls: [`turn:${listenIp}:${port}?transport=udp`, `turn:${listenIp}:${port}?transport=tcp`],
    logFile,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitForTcp(host: string, port: number, timeoutMs: number, output: () => string): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, host, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`coturn did not start on ${host}:${port}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
