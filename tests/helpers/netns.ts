import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type LaunchOptions, type Page } from '@playwright/test';
import { chromiumArgs, CHROMIUM_PATH } from './chromium.js';

/**
 * Small test networks out of Linux network namespaces (root only; see DESIGN.md "Network
 * tests"). Each client is a namespace `es-<id>-<i>` joined to the host by a veth pair:
 *
 *   namespace es-<id>-<i>            host
 *   eth0 10.213.<n>.2/24  <──veth──>  es<id>h<i> 10.213.<n>.1/24   (n = i unless taken)
 *   default route via 10.213.<n>.1
 *
 * The host forwards between the clients' veths (per-interface `forwarding`, so the global
 * `net.ipv4.ip_forward` and every other interface stay as they were) and the clients reach
 * whatever listens on the host-side addresses (coturn, the signaling server, a page server).
 * Nothing a client sends is forwarded anywhere else: a dedicated iptables chain accepts
 * forwarding only between this network's veths and drops the rest, so all traffic stays on
 * addresses the test created. Rules live only in this network's own chains (`es-<id>-fwd`,
 * `es-<id>-in`), reached from FORWARD/INPUT by jumps that match this network's veths.
 *
 * Rate limits (`limitRate`, `tc tbf`) sit on the client's two veth ends and go away with them.
 * Loss (`setLoss`) is iptables DROP: what the client sends is dropped on the host as it arrives
 * from its veth (this network's chains), what it receives is dropped at its namespace's INPUT,
 * so no sender ever sees an error (a DROP in OUTPUT would fail the sending socket with EPERM).
 *
 * Every network is recorded under /run/earshot-netns/ with its owner's pid; a later
 * `createTestNetwork` removes what a killed test process left behind.
 */

const run = promisify(execFile);

/** Where networks record what they created and which 10.213.<n> subnets they hold. */
const STATE_DIR = process.env.EARSHOT_NETNS_STATE_DIR ?? '/run/earshot-netns';

/** The wrapper that runs Chromium inside `$EARSHOT_NETNS` (see launchChromiumInNamespace). */
export const NETNS_CHROMIUM_WRAPPER = fileURLToPath(new URL('./netnsChromium.sh', import.meta.url));

export interface TestNetworkClient {
  /** Network namespace name (`ip netns exec <ns> …`). */
  ns: string;
  /** The client's address inside its namespace, e.g. `10.213.0.2`. */
  ip: string;
  /** The host's address on this client's veth (its default gateway), e.g. `10.213.0.1`. */
  gatewayIp: string;
  /** The client's subnet, e.g. `10.213.0.0/24`. */
  subnet: string;
  /** Host-side veth interface name. */
  hostVeth: string;
}

export interface TestNetwork {
  /** Random id in every name this network uses. */
  id: string;
  clients: TestNetworkClient[];
  /** The host's addresses on the veths (`clients[i].gatewayIp`), for servers to listen on. */
  hostIps: string[];
  /** Drop UDP forwarded between any two client subnets (both directions); TCP and everything to the host still pass. */
  blockDirectUdp(): Promise<void>;
  /** Drop everything (any protocol) forwarded between client subnets. */
  blockDirect(): Promise<void>;
  /** Drop every UDP packet client `index` sends (to the other clients and to the host), e.g. to force TURN over TCP. */
  blockAllUdp(index: number): Promise<void>;
  /**
   * Drop TCP connections client `index` opens to `port` (on the host and on the other clients),
   * e.g. coturn's plain TURN port, so that only TURN over TLS on its own port is left.
   */
  blockTcpPort(index: number, port: number): Promise<void>;
  /** Remove every block added above. */
  unblock(): Promise<void>;
  /**
   * Limit client `index`'s link to `kbit` kbit/s in both directions with a token bucket (`tc
   * tbf`): its namespace's eth0 (what it sends) and the host-side veth (what it receives).
   * Packets beyond the bucket wait in a queue of `latencyMs` (default 300 ms) and are dropped
   * when it is full, as on a slow, buffered uplink. Replaces an earlier limit on the same link.
   */
  limitRate(index: number, kbit: number, opts?: RateLimitOptions): Promise<void>;
  /** Remove client `index`'s rate limit (both directions); nothing to do when there is none. */
  clearRateLimit(index: number): Promise<void>;
  /**
   * Drop a random share `probability` (0 < p ≤ 1) of every packet on client `index`'s link, in
   * each direction independently (iptables `statistic --mode random`); 1 drops everything, as in
   * an outage. Any protocol: media, signaling and page loads alike. Replaces an earlier loss on
   * the same link. (`unblock()` also removes the host-side half: set the loss again after it.)
   */
  setLoss(index: number, probability: number): Promise<void>;
  /** Remove client `index`'s loss (both directions); nothing to do when there is none. */
  clearLoss(index: number): Promise<void>;
  /** Run a command inside client `index`'s namespace; resolves with its stdout. */
  exec(index: number, command: string, args: string[], opts?: { timeoutMs?: number }): Promise<string>;
  /** Remove the iptables rules and chains, the veths and the namespaces (ending what still runs inside). Safe to call twice. */
  destroy(): Promise<void>;
}

export interface RateLimitOptions {
  /** Bucket size, bytes: how much may leave at line rate after a pause. Default 3000 (a few packets, at least one full-size). */
  burstBytes?: number;
  /** Longest a packet may wait in the queue before tbf drops it, ms. Default 300. */
  latencyMs?: number;
}

let tcProbe: Promise<{ ok: boolean; reason?: string }> | undefined;

/**
 * Whether `tc` can put a tbf qdisc on a link here (iproute2's `tc` and the kernel's sch_tbf).
 * Checked once per process on a throwaway veth pair inside a throwaway namespace.
 */
export function canLimitRate(): Promise<{ ok: boolean; reason?: string }> {
  tcProbe ??= (async () => {
    const ns = await canCreateNamespaces();
    if (!ns.ok) return ns;
    try {
      await sh('tc', ['-V']);
    } catch {
      return { ok: false, reason: '`tc` not found (apt-get install iproute2)' };
    }
    const probeNs = `es-tcprobe-${randomBytes(3).toString('hex')}`;
    try {
      await sh('ip', ['netns', 'add', probeNs]);
      await sh('ip', ['-n', probeNs, 'link', 'add', 'name', 'esprobea', 'type', 'veth', 'peer', 'name', 'esprobeb']);
      await sh('ip', ['netns', 'exec', probeNs, 'tc', 'qdisc', 'add', 'dev', 'esprobea', 'root', 'tbf', 'rate', '48kbit', 'burst', '3000', 'latency', '300ms']);
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: `cannot add a tbf qdisc: ${(error as Error).message}` };
    } finally {
      await sh('ip', ['netns', 'del', probeNs]).catch(() => undefined);
    }
  })();
  return tcProbe;
}

interface NetworkRecord {
  id: string;
  pid: number;
  octets: number[];
  namespaces: string[];
  veths: string[];
  chains: { fwd: string; input: string };
}

async function sh(command: string, args: string[], timeoutMs = 15_000): Promise<string> {
  try {
    const { stdout } = await run(command, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
    const detail = e.code === 'ENOENT' ? 'not installed' : (e.stderr || e.stdout || e.message).trim();
    throw new Error(`${command} ${args.join(' ')}: ${detail}`, { cause: error });
  }
}

/** Run `ip netns exec <ns> command args…`; resolves with stdout. */
export function runInNamespace(ns: string, command: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<string> {
  return sh('ip', ['netns', 'exec', ns, command, ...args], opts.timeoutMs);
}

const sysctlKey = (key: string) => path.join('/proc/sys', ...key.split('.'));
const writeSysctl = (key: string, value: string) => writeFileSync(sysctlKey(key), value);

let probe: Promise<{ ok: boolean; reason?: string }> | undefined;

/**
 * Whether this machine can build test networks: root, `ip` (iproute2), `iptables`, and a
 * throwaway namespace with a veth pair and a throwaway iptables chain can be created. The
 * answer is cached per process. Use as `test.skip(!ok, reason)` and print the reason.
 */
export function canCreateNamespaces(): Promise<{ ok: boolean; reason?: string }> {
  probe ??= (async () => {
    if (process.platform !== 'linux') return { ok: false, reason: `network namespaces need Linux (this is ${process.platform})` };
    if (process.getuid?.() !== 0) return { ok: false, reason: 'network namespaces need root (run the tests as root)' };
    const suffix = randomBytes(3).toString('hex');
    const ns = `es-probe-${suffix}`;
    try {
      await sh('ip', ['-V']);
    } catch {
      return { ok: false, reason: '`ip` not found (apt-get install iproute2)' };
    }
    try {
      await sh('iptables', ['-V']);
    } catch {
      return { ok: false, reason: '`iptables` not found (apt-get install iptables)' };
    }
    try {
      await sh('ip', ['netns', 'add', ns]);
    } catch (error) {
      return { ok: false, reason: `cannot create a network namespace: ${(error as Error).message}` };
    }
    try {
      // The veth pair lives inside the probe namespace, so the host never sees it.
      await sh('ip', ['-n', ns, 'link', 'add', 'name', 'esprobea', 'type', 'veth', 'peer', 'name', 'esprobeb']);
    } catch (error) {
      return { ok: false, reason: `cannot create a veth pair: ${(error as Error).message}` };
    } finally {
      await sh('ip', ['netns', 'del', ns]).catch(() => undefined);
    }
    const chain = `es-probe-${suffix}`;
    try {
      await sh('iptables', ['-w', '5', '-N', chain]);
      await sh('iptables', ['-w', '5', '-X', chain]);
    } catch (error) {
      return { ok: false, reason: `cannot create an iptables chain: ${(error as Error).message}` };
    }
    return { ok: true };
  })();
  return probe;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readRecords(): NetworkRecord[] {
  let names: string[];
  try {
    names = readdirSync(STATE_DIR);
  } catch {
    return [];
  }
  const records: NetworkRecord[] = [];
  for (const name of names.filter((n) => n.startsWith('net-') && n.endsWith('.json'))) {
    try {
      records.push(JSON.parse(readFileSync(path.join(STATE_DIR, name), 'utf8')) as NetworkRecord);
    } catch {
      // Half-written by a process that died while writing: nothing was created yet.
      rmSync(path.join(STATE_DIR, name), { force: true });
    }
  }
  return records;
}

const iptables = (...args: string[]) => sh('iptables', ['-w', '10', ...args]);

/** Kill what still runs in `ns` (only processes this network's owner started there), then remove it all. */
async function removeResources(rec: NetworkRecord): Promise<Error[]> {
  const errors: Error[] = [];
  const attempt = async (fn: () => Promise<unknown>, ignore: RegExp) => {
    try {
      await fn();
    } catch (error) {
      if (!ignore.test((error as Error).message)) errors.push(error as Error);
    }
  };
  const missing = /No such file|does not exist|Cannot find device|No chain|Bad rule|not found|Invalid argument/i;
  // 1. iptables: the jumps (one per veth, in FORWARD and INPUT), then the chains.
  for (const [parent, chain] of [
    ['FORWARD', rec.chains.fwd],
    ['INPUT', rec.chains.input],
  ] as const) {
    for (const veth of rec.veths) {
      // A rule inserted twice would need two deletes; loop until it is gone.
      for (let i = 0; i < 4; i++) {
        const gone = await iptables('-D', parent, '-i', veth, '-j', chain).then(
          () => false,
          () => true,
        );
        if (gone) break;
      }
    }
    await attempt(() => iptables('-F', chain), missing);
    await attempt(() => iptables('-X', chain), missing);
  }
  // 2. Processes still inside the namespaces (a browser a test forgot to close).
  for (const ns of rec.namespaces) {
    const pids = (await sh('ip', ['netns', 'pids', ns]).catch(() => ''))
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  // 3. Links first (a namespace that a process still holds would keep its veth alive), then namespaces.
  for (const veth of rec.veths) await attempt(() => sh('ip', ['link', 'del', veth]), missing);
  for (const ns of rec.namespaces) await attempt(() => sh('ip', ['netns', 'del', ns]), missing);
  // 4. State files.
  for (const octet of rec.octets) {
    const file = path.join(STATE_DIR, `octet-${octet}`);
    try {
      if (readFileSync(file, 'utf8').split(' ')[0] === rec.id) rmSync(file, { force: true });
    } catch {
      // not ours or already gone
    }
  }
  rmSync(path.join(STATE_DIR, `net-${rec.id}.json`), { force: true });
  return errors;
}

/** Remove networks whose owning process is gone (a test run that was killed before teardown). */
export async function sweepStaleNetworks(): Promise<void> {
  for (const rec of readRecords()) if (!alive(rec.pid)) await removeResources(rec);
  // Octet claims without a live network record (owner died between claim and record).
  let names: string[];
  try {
    names = readdirSync(STATE_DIR);
  } catch {
    return;
  }
  const live = new Set(readRecords().map((r) => r.id));
  for (const name of names.filter((n) => n.startsWith('octet-'))) {
    const file = path.join(STATE_DIR, name);
    try {
      const [id, pid] = readFileSync(file, 'utf8').trim().split(' ');
      if (id && !live.has(id) && !alive(Number(pid))) rmSync(file, { force: true });
    } catch {
      // raced with its owner
    }
  }
}

/**
 * Claim `count` free subnets 10.213.<n>.0/24, preferring n = 0, 1, … . A claim is a file
 * created with O_EXCL, so two test processes never pick the same subnet; subnets already on
 * any host interface are skipped too.
 */
async function claimOctets(id: string, count: number): Promise<number[]> {
  const used = new Set<number>();
  for (const m of (await sh('ip', ['-4', '-o', 'addr', 'show'])).matchAll(/inet 10\.213\.(\d+)\./g)) used.add(Number(m[1]));
  const octets: number[] = [];
  for (let n = 0; n < 255 && octets.length < count; n++) {
    if (used.has(n)) continue;
    try {
      const fd = openSync(path.join(STATE_DIR, `octet-${n}`), 'wx');
      writeFileSync(fd, `${id} ${process.pid}\n`);
      closeSync(fd);
      octets.push(n);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  if (octets.length < count) throw new Error(`no free 10.213.<n>.0/24 subnet for ${count} clients`);
  return octets;
}

/**
 * Build a test network of `clients` namespaces (see the file comment). Always `destroy()` it
 * (in a fixture teardown or `finally`), also when the test fails.
 */
export async function createTestNetwork(opts: { clients: number } = { clients: 2 }): Promise<TestNetwork> {
  const count = opts.clients;
  if (!Number.isInteger(count) || count < 1 || count > 16) throw new Error(`clients must be 1..16, got ${count}`);
  mkdirSync(STATE_DIR, { recursive: true });
  await sweepStaleNetworks();
  const id = randomBytes(3).toString('hex');
  const octets = await claimOctets(id, count);
  const rec: NetworkRecord = {
    id,
    pid: process.pid,
    octets,
    namespaces: octets.map((_, i) => `es-${id}-${i}`),
    veths: octets.map((_, i) => `es${id}h${i}`),
    chains: { fwd: `es-${id}-fwd`, input: `es-${id}-in` },
  };
  // Record first, so a crash part-way is swept by the next run.
  writeFileSync(path.join(STATE_DIR, `net-${id}.json`), JSON.stringify(rec));

  const clients: TestNetworkClient[] = octets.map((n, i) => ({
    ns: rec.namespaces[i]!,
    ip: `10.213.${n}.2`,
    gatewayIp: `10.213.${n}.1`,
    subnet: `10.213.${n}.0/24`,
    hostVeth: rec.veths[i]!,
  }));
  const { fwd, input } = rec.chains;

  /** The base rules of the forward chain: client↔client only, everything else dropped. */
  const baseRules = async () => {
    await iptables('-F', fwd);
    for (const c of clients) await iptables('-A', fwd, '-o', c.hostVeth, '-j', 'ACCEPT');
    await iptables('-A', fwd, '-j', 'DROP');
    await iptables('-F', input);
  };

  let destroyed = false;
  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    const errors = await removeResources(rec);
    if (errors.length > 0) throw new AggregateError(errors, `test network ${id}: teardown left errors: ${errors.map((e) => e.message).join('; ')}`);
  };

  try {
    for (const [i, c] of clients.entries()) {
      const peer = `es${id}c${i}`;
      await sh('ip', ['netns', 'add', c.ns]);
      await sh('ip', ['link', 'add', 'name', c.hostVeth, 'type', 'veth', 'peer', 'name', peer]);
      await sh('ip', ['link', 'set', peer, 'netns', c.ns]);
      // Inside: lo up, no IPv6 (no link-local candidates), eth0 with the client address.
      await sh('ip', ['-n', c.ns, 'link', 'set', 'lo', 'up']);
      // (/proc/sys/net is per namespace; a kernel without IPv6 has nothing to disable.)
      await runInNamespace(c.ns, 'sh', ['-c', 'for f in all default; do echo 1 > /proc/sys/net/ipv6/conf/$f/disable_ipv6; done 2>/dev/null; true']);
      await sh('ip', ['-n', c.ns, 'link', 'set', peer, 'name', 'eth0']);
      await sh('ip', ['-n', c.ns, 'addr', 'add', `${c.ip}/24`, 'dev', 'eth0']);
      await sh('ip', ['-n', c.ns, 'link', 'set', 'eth0', 'up']);
      await sh('ip', ['-n', c.ns, 'route', 'add', 'default', 'via', c.gatewayIp]);
      // Host side: only this interface's settings change.
      if (existsSync(sysctlKey(`net.ipv6.conf.${c.hostVeth}.disable_ipv6`))) writeSysctl(`net.ipv6.conf.${c.hostVeth}.disable_ipv6`, '1');
      writeSysctl(`net.ipv4.conf.${c.hostVeth}.forwarding`, '1');
      await sh('ip', ['addr', 'add', `${c.gatewayIp}/24`, 'dev', c.hostVeth]);
      await sh('ip', ['link', 'set', c.hostVeth, 'up']);
    }
    await iptables('-N', fwd);
    await iptables('-N', input);
    await baseRules();
    for (const c of clients) {
      await iptables('-I', 'FORWARD', '1', '-i', c.hostVeth, '-j', fwd);
      await iptables('-I', 'INPUT', '1', '-i', c.hostVeth, '-j', input);
    }
  } catch (error) {
    await destroy().catch(() => undefined);
    throw error;
  }

  /** Per client: the DROP rules its current loss added, to delete them exactly. */
  const lossRules = new Map<number, { hostChains: string[]; match: string[] }>();
  const clientAt = (index: number) => {
    const c = clients[index];
    if (!c) throw new Error(`no client ${index}`);
    return c;
  };
  const clearLoss = async (index: number) => {
    const c = clientAt(index);
    const rules = lossRules.get(index);
    if (!rules) return;
    lossRules.delete(index);
    const gone = /Bad rule|No chain|does not exist/i;
    const tolerate = (error: Error) => {
      if (!gone.test(error.message)) throw error;
    };
    for (const chain of rules.hostChains) await iptables('-D', chain, '-i', c.hostVeth, ...rules.match, '-j', 'DROP').catch(tolerate);
    await runInNamespace(c.ns, 'iptables', ['-w', '10', '-D', 'INPUT', '-i', 'eth0', ...rules.match, '-j', 'DROP']).catch(tolerate);
  };

  const blockBetweenClients = async (protocol: string[]) => {
    for (const a of clients)
      for (const b of clients) if (a !== b) await iptables('-I', fwd, '1', '-s', a.subnet, '-d', b.subnet, ...protocol, '-j', 'DROP');
  };

  return {
    id,
    clients,
    hostIps: clients.map((c) => c.gatewayIp),
    blockDirectUdp: () => blockBetweenClients(['-p', 'udp']),
    blockDirect: () => blockBetweenClients([]),
    blockAllUdp: async (index) => {
      const c = clients[index];
      if (!c) throw new Error(`no client ${index}`);
      await iptables('-I', fwd, '1', '-i', c.hostVeth, '-p', 'udp', '-j', 'DROP');
      await iptables('-I', input, '1', '-i', c.hostVeth, '-p', 'udp', '-j', 'DROP');
    },
    blockTcpPort: async (index, port) => {
      const c = clients[index];
      if (!c) throw new Error(`no client ${index}`);
      for (const chain of [fwd, input]) await iptables('-I', chain, '1', '-i', c.hostVeth, '-p', 'tcp', '--dport', String(port), '-j', 'DROP');
    },
    unblock: baseRules,
    limitRate: async (index, kbit, rateOpts = {}) => {
      const c = clients[index];
      if (!c) throw new Error(`no client ${index}`);
      if (!(kbit > 0)) throw new Error(`rate must be positive, got ${kbit}`);
      const tbf = ['root', 'tbf', 'rate', `${kbit}kbit`, 'burst', String(rateOpts.burstBytes ?? 3000), 'latency', `${rateOpts.latencyMs ?? 300}ms`];
      // `replace` adds the qdisc or swaps an earlier one.
      await runInNamespace(c.ns, 'tc', ['qdisc', 'replace', 'dev', 'eth0', ...tbf]);
      await sh('tc', ['qdisc', 'replace', 'dev', c.hostVeth, ...tbf]);
    },
    clearRateLimit: async (index) => {
      const c = clients[index];
      if (!c) throw new Error(`no client ${index}`);
      const none = /No such file|Cannot delete qdisc with handle of zero|Invalid handle/i;
      for (const del of [() => runInNamespace(c.ns, 'tc', ['qdisc', 'del', 'dev', 'eth0', 'root']), () => sh('tc', ['qdisc', 'del', 'dev', c.hostVeth, 'root'])]) {
        await del().catch((error: Error) => {
          if (!none.test(error.message)) throw error;
        });
      }
    },
    setLoss: async (index, probability) => {
      const c = clientAt(index);
      if (!(probability > 0 && probability <= 1)) throw new Error(`loss probability must be in (0, 1], got ${probability}`);
      await clearLoss(index);
      const match = probability === 1 ? [] : ['-m', 'statistic', '--mode', 'random', '--probability', String(probability)];
      lossRules.set(index, { hostChains: [fwd, input], match });
      // Sent by the client: dropped as it arrives on the host (forwarded or for the host itself).
      for (const chain of [fwd, input]) await iptables('-I', chain, '1', '-i', c.hostVeth, ...match, '-j', 'DROP');
      // Sent to the client (by the other clients and by the host): dropped as it arrives in its namespace.
      await runInNamespace(c.ns, 'iptables', ['-w', '10', '-I', 'INPUT', '1', '-i', 'eth0', ...match, '-j', 'DROP']);
    },
    clearLoss,
    exec: (index, command, args, execOpts) => {
      const c = clients[index];
      if (!c) return Promise.reject(new Error(`no client ${index}`));
      return runInNamespace(c.ns, command, args, execOpts);
    },
    destroy,
  };
}

export interface NamespaceChromiumOptions {
  /** WAV file the fake microphone plays (see tones.ts). */
  fakeAudioFile?: string;
  /**
   * Plain-http origins Chromium should treat as secure (for getUserMedia), e.g.
   * `http://10.213.0.1:8080`: pages served on a veth address are not a secure context.
   */
  secureOrigins?: string[];
  /** Certificates to accept by public-key hash, e.g. a test coturn's TLS certificate (see chromium.ts). */
  trustedSpkis?: string[];
  /** More Chromium flags. */
  args?: string[];
}

/**
 * Launch headless Chromium inside network namespace `ns`. Playwright talks to the browser over
 * a pipe (file descriptors survive `exec`), so the executable is a wrapper that runs
 * `ip netns exec "$EARSHOT_NETNS" chromium "$@"`. The caller closes it (`browser.close()`).
 */
export function launchChromiumInNamespace(ns: string, opts: NamespaceChromiumOptions = {}): Promise<Browser> {
  try {
    accessSync(NETNS_CHROMIUM_WRAPPER, constants.X_OK);
  } catch {
    chmodSync(NETNS_CHROMIUM_WRAPPER, 0o755); // the executable bit can be lost by copies and checkouts
  }
  const args = chromiumArgs({ ...(opts.fakeAudioFile ? { fakeAudioFile: opts.fakeAudioFile } : {}), ...(opts.trustedSpkis ? { trustedSpkis: opts.trustedSpkis } : {}) });
  if (opts.secureOrigins?.length) args.push(`--unsafely-treat-insecure-origin-as-secure=${opts.secureOrigins.join(',')}`);
  args.push(...(opts.args ?? []));
  const launch: LaunchOptions = {
    executablePath: NETNS_CHROMIUM_WRAPPER,
    args,
    env: { ...process.env, EARSHOT_NETNS: ns, EARSHOT_CHROMIUM: CHROMIUM_PATH },
  };
  return chromium.launch(launch);
}

export interface CandidateInfo {
  /** `host`, `srflx`, `prflx` or `relay`. */
  type: string;
  /** Empty for a remote `prflx` candidate (Chromium hides its address). */
  address: string;
  port: number;
  /** Transport between this end and its peer/TURN server: `udp` or `tcp`. */
  protocol: string;
  /** For relay candidates: how the client reaches the TURN server (`udp`, `tcp`, `tls`). */
  relayProtocol?: string;
}

export interface IceSnapshot {
  /** The selected candidate pair, or null before one is selected. */
  pair: { local: CandidateInfo; remote: CandidateInfo } | null;
  /** Every candidate this end gathered. */
  localCandidates: CandidateInfo[];
}

/**
 * The ICE state of every open RTCPeerConnection of the page, oldest first (from getStats()).
 * Needs `installAudioProbe(page)` (it records the page's peer connections in `window.__pcs`),
 * so it works with the real app as well as with a reference page. A group call has two: the
 * mediasoup send and receive transports.
 */
export async function iceSnapshots(page: Page): Promise<IceSnapshot[]> {
  return page.evaluate(async () => {
    const pcs = ((window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []).filter((pc) => pc.connectionState !== 'closed');
    const info = (c: Record<string, unknown>) => ({
      type: String(c.candidateType),
      address: String(c.address ?? c.ip ?? ''),
      port: Number(c.port),
      protocol: String(c.protocol),
      ...(typeof c.relayProtocol === 'string' ? { relayProtocol: c.relayProtocol } : {}),
    });
    const snapshots: IceSnapshot[] = [];
    for (const pc of pcs) {
      const stats = new Map<string, Record<string, unknown>>();
      (await pc.getStats()).forEach((s: Record<string, unknown>) => stats.set(s.id as string, s));
      let pair: IceSnapshot['pair'] = null;
      for (const s of stats.values()) {
        if (s.type !== 'transport' || typeof s.selectedCandidatePairId !== 'string') continue;
        const p = stats.get(s.selectedCandidatePairId);
        const local = p && stats.get(p.localCandidateId as string);
        const remote = p && stats.get(p.remoteCandidateId as string);
        if (local && remote) pair = { local: info(local), remote: info(remote) };
      }
      const localCandidates = [...stats.values()].filter((s) => s.type === 'local-candidate').map(info);
      snapshots.push({ pair, localCandidates });
    }
    return snapshots;
  });
}

/** The ICE state of the page's newest open RTCPeerConnection (see iceSnapshots). */
export async function iceSnapshot(page: Page): Promise<IceSnapshot> {
  return (await iceSnapshots(page)).at(-1) ?? { pair: null, localCandidates: [] };
}

/** The selected candidate pair of the page's newest open RTCPeerConnection (see iceSnapshot). */
export async function selectedCandidatePair(page: Page): Promise<IceSnapshot['pair']> {
  return (await iceSnapshot(page)).pair;
}

export interface ConnectionPath {
  /**
   * `relay` when both ends' selected pairs go through the TURN server, `direct` when neither
   * does, `mixed` when they disagree, `none` before both ends have selected a pair.
   */
  path: 'relay' | 'direct' | 'mixed' | 'none';
  /** Per end: its selected pair, with a remote `prflx` resolved to the peer's own candidate type where it can be. */
  ends: { local: CandidateInfo; remote: CandidateInfo; remoteResolved: string }[];
}

/**
 * The path of a 1-on-1 connection judged from both ends. Two things make one end's getStats()
 * alone unreliable: with trickle ICE a peer's checks often arrive before its candidate is
 * signalled, so the remote end of a relayed pair can read `prflx` (address hidden); and the
 * two ends' selected pairs need not be the same pair (A host → B's relay while B host → A's
 * relay). So a remote `prflx` is resolved against the other end's own gathered candidates
 * (by port, and address when known), and each end is classified separately.
 */
export async function connectionPath(a: Page, b: Page): Promise<ConnectionPath> {
  const snaps = [await iceSnapshot(a), await iceSnapshot(b)];
  const ends: ConnectionPath['ends'] = [];
  for (const [i, snap] of snaps.entries()) {
    if (!snap.pair) return { path: 'none', ends };
    const { local, remote } = snap.pair;
    const other = snaps[1 - i]!.localCandidates;
    const match = other.find((c) => c.port === remote.port && c.protocol === remote.protocol && (!remote.address || c.address === remote.address));
    ends.push({ local, remote, remoteResolved: remote.type === 'prflx' && match ? match.type : remote.type });
  }
  const relayed = ends.map((e) => e.local.type === 'relay' || e.remoteResolved === 'relay');
  const path = relayed.every(Boolean) ? 'relay' : relayed.some(Boolean) ? 'mixed' : 'direct';
  return { path, ends };
}
