import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as tcpConnect, type Socket as TcpSocket } from 'node:net';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { IpcChild } from '../../../bench/lib/IpcChild.js';
import { Prng } from '../fuzz/Prng.js';
import { buildPacket, prngBytes, type PacketContext, type PacketKind } from './malformedPackets.js';
import { decodeStun, encodeStun, iceBindingRequest, StunAttr, StunClass, stunError, StunMethod, stunText } from '../stun.js';

/**
 * Sends hostile traffic at media ports at a bounded rate for a bounded time and counts what
 * went out and what came back. Runs in a child process of its own (`startMediaPortAbuser`), so
 * the abuse neither competes with the test's event loop nor stalls when the test is busy.
 */

/** Identifiers of the receiving port that make packets look real. */
export interface TargetIdentity {
  /** ICE username fragment of the transport behind the port. */
  iceUfrag?: string;
  ssrcs?: number[];
  payloadTypes?: number[];
  /** The TURN server's realm. */
  turnRealm?: string;
}

/** Where datagrams go and which kinds. */
export interface UdpTarget extends TargetIdentity {
  /** Row of the report, e.g. `SFU transports (no ICE credentials)`. */
  group: string;
  host: string;
  /** Ports sent to in turn (many for a port sweep). */
  ports: number[];
  kinds: PacketKind[];
  /** Share of the datagram rate, relative to the other targets' weights. */
  weight: number;
  /**
   * Send from a socket of its own that first passes the transport's ICE check with its real
   * password: an attacker who holds the credentials (the participant the transport was made
   * for). Without `nominate` the address becomes a valid ICE tuple (DTLS, RTP and RTCP from it
   * are processed) but not the selected one. One port only.
   */
  iceLogin?: { password: string; nominate: boolean };
}

/**
 * What a TCP connection does once open:
 * - `garbage`: random bytes, continuously;
 * - `rfc4571-huge`: an RFC 4571 frame header announcing 65535 bytes, then random bytes;
 * - `rfc4571-framed`: RFC 4571 frames each holding one hostile datagram of the target's kinds;
 * - `stun-stream`: hostile STUN/TURN messages back to back (TURN over TCP/TLS has no other framing);
 * - `stun-huge-length`: a STUN header announcing 65532 bytes, then random bytes;
 * - `hold`: nothing: connect and stay.
 */
export type TcpMode = 'garbage' | 'rfc4571-huge' | 'rfc4571-framed' | 'stun-stream' | 'stun-huge-length' | 'hold';

export interface TcpTarget extends TargetIdentity {
  group: string;
  host: string;
  port: number;
  mode: TcpMode;
  /** Connections kept open at once; one the server closes is reopened 200 ms later. */
  connections: number;
  /** Complete a TLS handshake first (certificate not checked), then act. */
  tls?: boolean;
  /** Kinds for the framed and stream modes. */
  kinds?: PacketKind[];
}

export interface AbusePlan {
  /** PRNG seed: the same seed sends the same packet structures. */
  seed: number;
  durationMs: number;
  /** Datagrams per second, over all UDP targets. */
  udpPacketsPerSecond: number;
  /** Bytes per second each writing TCP connection sends. */
  tcpBytesPerSecondPerConnection: number;
  udp: UdpTarget[];
  tcp: TcpTarget[];
}

export interface AbuseTally {
  /** Datagrams handed to the kernel without error, and those refused, per group and kind. */
  udp: Array<{ group: string; kind: string; sent: number; errors: number; bytes: number }>;
  /** Datagrams that came back, by the group of the port they came from, and what they were (e.g. `STUN error 401`). */
  udpReplies: Array<{ group: string; reply: string; count: number }>;
  /** ICE logins of `iceLogin` targets before the abuse. */
  iceLogins: Array<{ group: string; port: number; passed: boolean; attempts: number }>;
  tcp: Array<{ group: string; mode: string; port: number; opened: number; failedToOpen: number; closedByServer: number; bytesSent: number; bytesReceived: number }>;
  /** How long the abuse ran, ms. */
  elapsedMs: number;
}

/** The IPC request the child answers. */
export type AbuseRequest = { op: 'run'; plan: AbusePlan };

const TICK_MS = 10;
/** Source sockets the datagrams without an ICE login are spread over (as many source ports). */
const POOL_SOCKETS = 16;

function count<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/**
 * A UDP socket on 127.0.0.1 whose port is none of `avoid`: the kernel picks ephemeral ports,
 * and a port in a range the abuser sweeps would have it sending to itself.
 */
async function udpSocket(avoid: ReadonlySet<number>, onMessage: (data: Buffer, port: number) => void): Promise<UdpSocket> {
  for (;;) {
    const socket = createSocket('udp4');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    if (avoid.has(socket.address().port)) {
      socket.close();
      continue;
    }
    socket.on('message', (data, rinfo) => onMessage(data, rinfo.port));
    return socket;
  }
}

function describeReply(data: Buffer): string {
  const stun = decodeStun(data);
  if (!stun) return 'not STUN';
  if (stun.cls === StunClass.error) return `STUN error ${stunError(stun)?.code ?? '?'}`;
  return stun.cls === StunClass.success ? 'STUN success' : 'STUN request/indication';
}

/** Run `plan` in this process; resolves with the tally when the time is up and every socket is closed. */
export async function runAbuse(plan: AbusePlan): Promise<AbuseTally> {
  const rng = new Prng(plan.seed);
  const sent = new Map<string, { group: string; kind: string; sent: number; errors: number; bytes: number }>();
  const replies = new Map<string, number>();
  const contexts = new Map<UdpTarget | TcpTarget, PacketContext>();
  const contextOf = (target: UdpTarget | TcpTarget): PacketContext => {
    let context = contexts.get(target);
    if (!context) {
      context = {
        rng,
        ssrcs: target.ssrcs ?? [],
        payloadTypes: target.payloadTypes ?? [],
        ...(target.iceUfrag ? { iceUfrag: target.iceUfrag } : {}),
        ...(target.turnRealm ? { turn: { realm: target.turnRealm } } : {}),
      };
      contexts.set(target, context);
    }
    return context;
  };

  // Replies are told apart by the port they came from: a target's own ports first, then sweeps.
  const groupOfPort = new Map<number, UdpTarget>();
  for (const t of [...plan.udp].sort((a, b) => a.ports.length - b.ports.length)) for (const p of t.ports) if (!groupOfPort.has(p)) groupOfPort.set(p, t);
  const onReply = (data: Buffer, port: number, from?: UdpTarget) => {
    const target = from ?? groupOfPort.get(port);
    count(replies, `${target?.group ?? `port ${port}`}\t${describeReply(data)}`);
    // Keep coturn's newest nonce, so Allocates with wrong credentials look current.
    const stun = target?.turnRealm ? decodeStun(data) : null;
    const nonce = stun && stunText(stun, StunAttr.nonce);
    if (target && stun && nonce) contextOf(target).turn = { realm: stunText(stun, StunAttr.realm) ?? target.turnRealm!, nonce };
  };

  const targetPorts = new Set(plan.udp.flatMap((t) => t.ports));
  const pool = await Promise.all(Array.from({ length: POOL_SOCKETS }, () => udpSocket(targetPorts, (d, p) => onReply(d, p))));
  const own = new Map<UdpTarget, UdpSocket>();
  const iceLogins: AbuseTally['iceLogins'] = [];
  for (const target of plan.udp.filter((t) => t.iceLogin)) {
    own.set(target, await udpSocket(targetPorts, (d, p) => onReply(d, p, target)));
    iceLogins.push(await iceLogin(own.get(target)!, target));
  }

  const started = Date.now();
  const deadline = started + plan.durationMs;
  const tcpSlots = plan.tcp.flatMap((target) => {
    const stats = { group: target.group, mode: target.mode + (target.tls ? ' (TLS)' : ''), port: target.port, opened: 0, failedToOpen: 0, closedByServer: 0, bytesSent: 0, bytesReceived: 0 };
    return { stats, runs: Array.from({ length: target.connections }, () => runTcpSlot(target, contextOf(target), plan.tcpBytesPerSecondPerConnection, deadline, stats)) };
  });

  // Datagrams: every tick, as many as are due at the planned rate, at most five ticks' worth at once.
  const weights = plan.udp.map((t) => t.weight);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const nextPort = new Map<UdpTarget, number>();
  let scheduled = 0;
  const maxBurst = Math.ceil((plan.udpPacketsPerSecond * TICK_MS) / 1000) * 5;
  const send = () => {
    let roll = rng.next() * totalWeight;
    const target = plan.udp.find((_, i) => (roll -= weights[i]!) < 0) ?? plan.udp[plan.udp.length - 1]!;
    const index = nextPort.get(target) ?? 0;
    nextPort.set(target, index + 1);
    const port = target.ports[index % target.ports.length]!;
    const kind = rng.pick(target.kinds);
    const packet = buildPacket(kind, contextOf(target));
    const socket = own.get(target) ?? pool[rng.int(0, pool.length - 1)]!;
    const key = `${target.group}\t${kind}`;
    const row = sent.get(key) ?? { group: target.group, kind, sent: 0, errors: 0, bytes: 0 };
    sent.set(key, row);
    socket.send(packet, port, target.host, (error) => {
      if (error) row.errors++;
      else {
        row.sent++;
        row.bytes += packet.length;
      }
    });
  };
  if (plan.udp.length > 0) {
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = Date.now();
        const due = Math.floor((Math.min(now, deadline) - started) * (plan.udpPacketsPerSecond / 1000));
        // Fallen behind (a stalled event loop): skip what is overdue rather than burst it out.
        scheduled = Math.max(scheduled, due - maxBurst);
        for (; scheduled < due; scheduled++) send();
        if (now >= deadline) {
          clearInterval(timer);
          resolve();
        }
      }, TICK_MS);
    });
  }
  await Promise.all(tcpSlots.flatMap((s) => s.runs));
  const elapsedMs = Date.now() - started;
  // Late replies still count.
  await sleep(300);
  for (const socket of [...pool, ...own.values()]) socket.close();

  return {
    udp: [...sent.values()],
    udpReplies: [...replies].map(([key, n]) => {
      const [group, reply] = key.split('\t') as [string, string];
      return { group, reply, count: n };
    }),
    iceLogins,
    tcp: tcpSlots.map((s) => s.stats),
    elapsedMs,
  };
}

/** Pass the target's ICE check with its real password (up to 20 tries, 100 ms apart). */
async function iceLogin(socket: UdpSocket, target: UdpTarget): Promise<AbuseTally['iceLogins'][number]> {
  const port = target.ports[0]!;
  const login = target.iceLogin!;
  for (let attempt = 1; attempt <= 20; attempt++) {
    const transactionId = randomBytes(12);
    const answered = new Promise<boolean>((resolve) => {
      const onMessage = (data: Buffer) => {
        const stun = decodeStun(data);
        if (!stun?.transactionId.equals(transactionId)) return;
        socket.off('message', onMessage);
        resolve(stun.cls === StunClass.success);
      };
      socket.on('message', onMessage);
      setTimeout(() => {
        socket.off('message', onMessage);
        resolve(false);
      }, 100);
    });
    socket.send(iceBindingRequest({ remoteUfrag: target.iceUfrag!, localUfrag: 'abus', password: login.password, useCandidate: login.nominate, transactionId }), port, target.host);
    if (await answered) return { group: target.group, port, passed: true, attempts: attempt };
  }
  return { group: target.group, port, passed: false, attempts: 20 };
}

/** One TCP connection slot: open, act per `mode` until the deadline; reopen when the server closes it. */
async function runTcpSlot(target: TcpTarget, context: PacketContext, bytesPerSecond: number, deadline: number, stats: AbuseTally['tcp'][number]): Promise<void> {
  const { rng } = context;
  const chunk = Math.max(1, Math.round((bytesPerSecond * 50) / 1000));
  const hostile = () => buildPacket(rng.pick(target.kinds ?? ['random']), context);
  while (Date.now() < deadline - 200) {
    const socket = await openTcp(target, deadline);
    if (!socket) {
      stats.failedToOpen++;
      await sleep(200);
      continue;
    }
    stats.opened++;
    const write = (data: Buffer) => {
      if (socket.destroyed || socket.writableLength > 64 * 1024) return; // never queue more than the server takes
      stats.bytesSent += data.length;
      socket.write(data);
    };
    socket.on('data', (d: Buffer) => (stats.bytesReceived += d.length));
    const closed = new Promise<'closed'>((resolve) => socket.once('close', () => resolve('closed')));
    const opening: Partial<Record<TcpMode, Buffer>> = {
      'rfc4571-huge': Buffer.from([0xff, 0xff]),
      'stun-huge-length': stunHugeLength(prngBytes(rng, 12)),
    };
    if (opening[target.mode]) write(opening[target.mode]!);
    const timer = setInterval(() => {
      switch (target.mode) {
        case 'garbage':
        case 'rfc4571-huge':
        case 'stun-huge-length':
          return write(prngBytes(rng, chunk));
        case 'rfc4571-framed': {
          const frames: Buffer[] = [];
          for (let size = 0; size < chunk; ) {
            const packet = hostile().subarray(0, 0xffff);
            const length = Buffer.alloc(2);
            length.writeUInt16BE(packet.length, 0);
            frames.push(length, packet);
            size += packet.length + 2;
          }
          return write(Buffer.concat(frames));
        }
        case 'stun-stream': {
          const messages: Buffer[] = [];
          for (let size = 0; size < chunk; size += messages[messages.length - 1]!.length) messages.push(hostile());
          return write(Buffer.concat(messages));
        }
        case 'hold':
          return;
      }
    }, 50);
    const outcome = await Promise.race([closed, sleep(Math.max(0, deadline - Date.now())).then(() => 'deadline' as const)]);
    clearInterval(timer);
    if (outcome === 'closed') {
      stats.closedByServer++;
      await sleep(200);
    } else {
      socket.destroy();
    }
  }
}

/** A Binding request header announcing 65532 bytes of attributes, without them: what follows on the stream is read as its body. */
function stunHugeLength(transactionId: Buffer): Buffer {
  const header = encodeStun({ method: StunMethod.binding, cls: StunClass.request, transactionId });
  header.writeUInt16BE(0xfffc, 2);
  return header;
}

/** A connected socket (TLS-handshaken when asked), or null when the connection failed or the deadline passed. */
async function openTcp(target: TcpTarget, deadline: number): Promise<TcpSocket | null> {
  const socket = target.tls ? tlsConnect({ host: target.host, port: target.port, rejectUnauthorized: false }) : tcpConnect(target.port, target.host);
  socket.on('error', () => undefined);
  const ready = await Promise.race([
    new Promise<boolean>((resolve) => {
      socket.once(target.tls ? 'secureConnect' : 'connect', () => resolve(true));
      socket.once('close', () => resolve(false));
    }),
    sleep(Math.min(5000, Math.max(0, deadline - Date.now()))).then(() => false),
  ]);
  if (!ready) socket.destroy();
  return ready ? socket : null;
}

/** The abuser in a child process of its own (see abuserProcess.ts). */
export interface MediaPortAbuser {
  pid: number;
  /** Run a plan; resolves with the tally when it is done. */
  run(plan: AbusePlan): Promise<AbuseTally>;
  close(): Promise<void>;
}

export async function startMediaPortAbuser(): Promise<MediaPortAbuser> {
  const child = await IpcChild.start<AbuseRequest, { run: AbuseTally }>(path.join(import.meta.dirname, 'abuserProcess.ts'), 'media-port abuser');
  return { pid: child.pid, run: (plan) => child.request({ op: 'run', plan }), close: () => child.close() };
}
