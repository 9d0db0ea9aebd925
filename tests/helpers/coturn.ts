import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createSelfSignedCertificate, type SelfSignedCertificate } from './selfSignedCertificate.js';

/** How a client reaches coturn: `turn:…?transport=udp`, `turn:…?transport=tcp`, `turns:…?transport=tcp`. */
export type TurnTransport = 'udp' | 'tcp' | 'tls';

export interface Coturn {
  /** UDP/TCP listening port. */
  port: number;
  /** TURN-over-TLS listening port (`tls-listening-port`), when started with `tls: true`. */
  tlsPort?: number;
  /**
   * coturn's self-signed TLS certificate (subjectAltName: every listening address), when started
   * with `tls: true`. Chromium checks it: launch test browsers with its `spkiSha256` in
   * `trustedSpkis` (chromium.ts), or `turns:` fails with ICE error 701.
   */
  certificate?: SelfSignedCertificate;
  secret: string;
  realm: string;
  /** URLs on the first listening address for the signaling server's `turnUrls`: see `urlsFor`. */
  urls: string[];
  /** Every address coturn listens on (`listening-ip` lines). */
  listenIps: string[];
  /** The address coturn relays from (`relay-ip`). */
  relayIp: string;
  /**
   * TURN URLs on one of `listenIps`, e.g. the gateway address a namespaced client reaches: by
   * default UDP and TCP, plus `turns:` when TLS is on; or only the `transports` asked for.
   */
  urlsFor(listenIp: string, transports?: TurnTransport[]): string[];
  logFile: string;
  /** coturn's process id (`setpriv` execs turnserver, so it is turnserver's). */
  pid: number;
  /** Whether the process is still running (false once it exited or was killed). */
  running(): boolean;
  stop(): Promise<void>;
}

const SETPRIV = '/usr/bin/setpriv';

/** Whether `port` can be bound on `host` for UDP and for TCP (each bind is released at once). */
async function bindable(host: string, port: number): Promise<boolean> {
  const udp = createSocket('udp4');
  const udpOk = await new Promise<boolean>((resolve) => {
    udp.once('error', () => resolve(false));
    udp.bind(port, host, () => resolve(true));
  });
  udp.close();
  if (!udpOk) return false;
  const tcp = createServer();
  const tcpOk = await new Promise<boolean>((resolve) => {
    tcp.once('error', () => resolve(false));
    tcp.listen(port, host, () => resolve(true));
  });
  if (tcpOk) await new Promise((resolve) => tcp.close(resolve));
  return tcpOk;
}

/**
 * A port `p` such that `p` and `p + 1` are free for both UDP and TCP on every one of `hosts`:
 * coturn listens on UDP and TCP with the same number, and on `p + 1` too (its RFC 5780
 * alternative port). `avoid`: ports already handed out (and their `+ 1`). The candidates come
 * from the kernel's ephemeral range; on a busy 127.0.0.1 a UDP-free port is often TCP-taken.
 */
async function freePort(hosts: string[], avoid: number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, hosts[0], resolve));
    const { port } = socket.address();
    socket.close();
    if (port >= 65535 || avoid.some((a) => Math.abs(a - port) <= 1)) continue;
    let free = true;
    for (const host of hosts) for (const p of [port, port + 1]) free &&= await bindable(host, p);
    if (free) return port;
  }
  throw new Error(`no free UDP+TCP port pair on ${hosts.join(', ')}`);
}

export interface CoturnOptions {
  /** One listening address (default 127.0.0.1). Ignored when `listenIps` is given. */
  listenIp?: string;
  /** Several listening addresses, e.g. the host-side veth addresses of a test network (netns.ts). */
  listenIps?: string[];
  /** Address relayed traffic leaves from; default the first listening address. */
  relayIp?: string;
  /**
   * More relay addresses besides `relayIp`, e.g. `::1` so that clients can ask for IPv6 relays
   * (RFC 6156 REQUESTED-ADDRESS-FAMILY).
   */
  extraRelayIps?: string[];
  /** The only peer addresses coturn will relay to (default 127.0.0.1). Include `relayIp` for relay-to-relay. */
  allowedPeers?: string[];
  /**
   * Also serve TURN over TLS (`turns:`) on a `tls-listening-port` of its own, with a self-signed
   * certificate for the listening addresses made by `openssl` (see `Coturn.certificate`).
   * Default false (`no-tls`).
   */
  tls?: boolean;
  /**
   * Run coturn on this config file (e.g. the production `deploy/coturn/turnserver.conf`) instead
   * of the generated test policy: its lines are kept verbatim, relay policy included, except those
   * naming ports, secret, realm, certificate and log (see PER_RUN_KEYS), which get this run's
   * values; the listening and relay addresses are added. `allowedPeers` is ignored. TLS is on when
   * the file names a certificate (a self-signed one stands in) unless `tls` says otherwise.
   */
  configFile?: string;
}

/**
 * Lines of a given config file that `startCoturn` replaces with its own: where coturn listens,
 * relays and logs, and its secret, realm and certificate. Everything else is policy and stays.
 */
const PER_RUN_KEYS = new Set([
  'listening-ip', 'listening-port', 'tls-listening-port', 'alt-listening-port', 'alt-tls-listening-port', 'relay-ip', 'external-ip',
  'min-port', 'max-port', 'static-auth-secret', 'realm', 'cert', 'pkey', 'no-tls', 'log-file', 'syslog', 'simple-log', 'pidfile', 'userdb',
]);

/** The policy lines of a coturn config file: without comments, blanks and PER_RUN_KEYS. */
function policyLines(configFile: string): { lines: string[]; namesCertificate: boolean } {
  const all = readFileSync(configFile, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const key = (line: string) => line.split('=')[0]!.trim();
  return { lines: all.filter((line) => !PER_RUN_KEYS.has(key(line))), namesCertificate: all.some((line) => key(line) === 'cert') };
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
  const port = await freePort(listenIps);
  const secret = `test-${Math.random().toString(36).slice(2)}`;
  const realm = 'earshot.test';
  const logFile = path.join(dir, 'turn.log');
  const allowed = opts.allowedPeers ?? ['127.0.0.1'];
  const given = opts.configFile ? policyLines(opts.configFile) : undefined;
  const tls = opts.tls ?? given?.namesCertificate ?? false;
  const certificate = tls ? await createSelfSignedCertificate({ dir, name: 'turn', ips: listenIps }) : undefined;
  const tlsPort = tls ? await freePort(listenIps, [port]) : undefined;
  // With TLS on, coturn's plain listening port also accepts TLS; the dedicated port is what `turns:` URLs name.
  const tlsConf = certificate ? [`tls-listening-port=${tlsPort}`, `cert=${certificate.certFile}`, `pkey=${certificate.keyFile}`] : ['no-tls'];
  const testPolicy = [
    'use-auth-secret',
    'fingerprint',
    'no-dtls',
    'no-cli',
    'no-multicast-peers',
    'denied-peer-ip=0.0.0.0-255.255.255.255',
    ...allowed.map((ip) => `allowed-peer-ip=${ip}`),
    ...(allowed.some((ip) => ip.startsWith('127.')) ? ['allow-loopback-peers'] : []),
  ];
  const conf = [
    ...listenIps.map((ip) => `listening-ip=${ip}`),
    ...[relayIp, ...(opts.extraRelayIps ?? [])].map((ip) => `relay-ip=${ip}`),
    `listening-port=${port}`,
    `min-port=49160`,
    `max-port=49999`,
    `static-auth-secret=${secret}`,
    `realm=${realm}`,
    ...tlsConf,
    ...(given?.lines ?? testPolicy),
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
    for (const ip of listenIps) for (const p of [port, ...(tlsPort ? [tlsPort] : [])]) await waitForTcp(ip, p, 10_000, () => output);
  } catch (error) {
    child.kill('SIGKILL'); // never leave a half-started relay behind
    throw error;
  }
  const urlsFor = (ip: string, transports: TurnTransport[] = tlsPort ? ['udp', 'tcp', 'tls'] : ['udp', 'tcp']) => {
    if (!listenIps.includes(ip)) throw new Error(`coturn does not listen on ${ip} (only ${listenIps.join(', ')})`);
    return transports.map((t) => {
      if (t !== 'tls') return `turn:${ip}:${port}?transport=${t}`;
      if (!tlsPort) throw new Error('coturn was started without TLS (startCoturn({ tls: true }))');
      return `turns:${ip}:${tlsPort}?transport=tcp`;
    });
  };
  return {
    port,
    ...(tlsPort ? { tlsPort } : {}),
    ...(certificate ? { certificate } : {}),
    secret,
    realm,
    urls: urlsFor(listenIp),
    listenIps,
    relayIp,
    urlsFor,
    logFile,
    pid: child.pid!,
    running: () => child.exitCode === null && child.signalCode === null,
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
