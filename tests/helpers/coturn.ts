import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Coturn {
  /** UDP/TCP listening port. */
  port: number;
  secret: string;
  realm: string;
  /** turn: URLs (UDP and TCP) on the first listening address, for the signaling server's `turnUrls`. */
  urls: string[];
  /** Every address coturn listens on (`listening-ip` lines). */
  listenIps: string[];
  /** The address coturn relays from (`relay-ip`). */
  relayIp: string;
  /** turn: URLs (UDP and TCP) on one of `listenIps`, e.g. the gateway address a namespaced client reaches. */
  urlsFor(listenIp: string): string[];
  logFile: string;
  stop(): Promise<void>;
}

const SETPRIV = '/usr/bin/setpriv';

/** A free UDP port on `host` (coturn listens on UDP and TCP with the same number). */
async function freePort(host: string): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  const { port } = socket.address();
  socket.close();
  return port;
}

export interface CoturnOptions {
  /** One listening address (default 127.0.0.1). Ignored when `listenIps` is given. */
  listenIp?: string;
  /** Several listening addresses, e.g. the host-side veth addresses of a test network (netns.ts). */
  listenIps?: string[];
  /** Address relayed traffic leaves from; default the first listening address. */
  relayIp?: string;
  /** The only peer addresses coturn will relay to (default 127.0.0.1). Include `relayIp` for relay-to-relay. */
  allowedPeers?: string[];
}

/**
 * Start Debian's coturn with a generated TURN REST config (use-auth-secret). Relaying is
 * denied everywhere except the addresses the test names (`allowedPeers`), as in production
 * where private, loopback and link-local ranges are refused.
 */
export async function startCoturn(opts: CoturnOptions = {}): Promise<Coturn> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-coturn-'));
  const listenIps = opts.listenIps?.length ? opts.listenIps : [opts.listenIp ?? '127.0.0.1'];
  const listenIp = listenIps[0]!;
  const relayIp = opts.relayIp ?? listenIp;
  const port = await freePort(listenIp);
  const secret = `test-${Math.random().toString(36).slice(2)}`;
  const realm = 'earshot.test';
  const logFile = path.join(dir, 'turn.log');
  const allowed = opts.allowedPeers ?? ['127.0.0.1'];
  const conf = [
    ...listenIps.map((ip) => `listening-ip=${ip}`),
    `relay-ip=${relayIp}`,
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
  // Through util-linux `setpriv --pdeathsig` (it execs turnserver, so the pid stays coturn's):
  // coturn is terminated when the test process dies, even by SIGKILL, instead of lingering.
  const [command, args] = existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'TERM', 'turnserver', '-c', confFile]] : ['turnserver', ['-c', confFile]];
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  try {
    for (const ip of listenIps) await waitForTcp(ip, port, 10_000, () => output);
  } catch (error) {
    child.kill('SIGKILL'); // never leave a half-started relay behind
    throw error;
  }
  const urlsFor = (ip: string) => {
    if (!listenIps.includes(ip)) throw new Error(`coturn does not listen on ${ip} (only ${listenIps.join(', ')})`);
    return [`turn:${ip}:${port}?transport=udp`, `turn:${ip}:${port}?transport=tcp`];
  };
  return {
    port,
    secret,
    realm,
    urls: urlsFor(listenIp),
    listenIps,
    relayIp,
    urlsFor,
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
