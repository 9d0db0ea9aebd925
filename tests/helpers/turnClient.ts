import { createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect as tcpConnect, isIPv6, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TurnTransport } from './coturn.js';
import {
  decodeStun,
  decodeXorAddress,
  encodeXorAddress,
  STUN_HEADER_BYTES,
  StunAttr,
  StunClass,
  stunError,
  StunMethod,
  stunText,
  turnAllocateRequest,
  turnLongTermKey,
  turnRequest,
  u32,
  type StunMessage,
  type TransportAddress,
  type TurnAuth,
} from './stun.js';

/**
 * A minimal TURN client (RFC 8656 with long-term credentials, RFC 8489) over UDP, TCP or TLS,
 * enough to ask coturn for a relay and for permissions the way a browser does, and to read
 * exactly what coturn answers: Allocate, CreatePermission and Refresh. Tests use it to show
 * which credentials coturn accepts, which peer addresses it will relay to, and that it still
 * allocates after being abused; it sends no media. Messages are encoded by stun.ts.
 */

export interface TurnServerAddress {
  host: string;
  port: number;
  /** How to reach it; `tls` does not check coturn's certificate. Default `udp`. */
  transport?: TurnTransport;
}

export interface TurnCredentials {
  username: string;
  password: string;
}

export interface Allocation {
  /** The relayed transport address (XOR-RELAYED-ADDRESS). */
  relayed: TransportAddress;
  /** This client as coturn sees it (XOR-MAPPED-ADDRESS). */
  mapped: TransportAddress;
  /** Seconds the allocation lives unless refreshed. */
  lifetimeSeconds: number;
}

/** Outcome of a request that coturn may refuse: the value, or the error code (401, 403, 438, …) and reason. */
export type TurnResult<T> = { ok: true; value: T } | { ok: false; code: number; reason: string };

/**
 * RFC 8489 §6.2.1, shortened: over UDP a request is sent up to 7 times, waiting 500 ms, then
 * twice as long each time up to 4 s (19.5 s in all). Over TCP/TLS it is sent once and the
 * answer awaited as long.
 */
const RETRANSMIT_WAITS_MS = [500, 1000, 2000, 4000, 4000, 4000, 4000];

/** A connection to the TURN server that carries whole STUN messages either way. */
interface StunChannel {
  /** Where what arrives goes: each message, and the end of a TCP/TLS connection. */
  listen(onMessage: (message: Buffer) => void, onClosed: () => void): void;
  send(message: Buffer): void;
  /** Whether the transport retransmits by itself (TCP, TLS): then requests are sent once. */
  reliable: boolean;
  close(): void;
}

interface Pending {
  resolve(message: StunMessage): void;
  reject(error: Error): void;
}

/** A TURN session from one socket or connection: at most one allocation (as in TURN itself). */
export class TurnClient {
  private readonly pending = new Map<string, Pending>();
  private realm: string | undefined;
  private nonce: string | undefined;
  private allocated = false;

  private constructor(
    private readonly channel: StunChannel,
    private readonly server: TurnServerAddress,
    private readonly credentials: TurnCredentials,
  ) {
    channel.listen(
      (message) => this.onMessage(message),
      () => this.failPending(new Error(`TURN server ${server.host}:${server.port} closed the connection`)),
    );
  }

  /** Open a socket (UDP) or a connection (TCP, TLS) to the TURN server, to authenticate with `credentials`. */
  static async open(server: TurnServerAddress, credentials: TurnCredentials): Promise<TurnClient> {
    const channel = (server.transport ?? 'udp') === 'udp' ? await openUdp(server) : await openStream(server);
    return new TurnClient(channel, server, credentials);
  }

  /**
   * Allocate a UDP relay (`family` ipv6 asks for an IPv6 relayed address, RFC 6156). The first
   * attempt goes without credentials, as a browser's does; coturn's 401 brings realm and nonce,
   * and the second attempt is signed with them. Refusals come back as `{ ok: false, code }`.
   */
  async allocate(family: 'ipv4' | 'ipv6' = 'ipv4'): Promise<TurnResult<Allocation>> {
    const answer = await this.authenticated((auth, transactionId) => turnAllocateRequest({ auth, family, transactionId }));
    if (answer.cls !== StunClass.success) return refusal(answer);
    this.allocated = true;
    const address = (type: number) => decodeXorAddress(answer.attributes.get(type)!, answer.transactionId);
    return {
      ok: true,
      value: {
        relayed: address(StunAttr.xorRelayedAddress),
        mapped: address(StunAttr.xorMappedAddress),
        lifetimeSeconds: answer.attributes.get(StunAttr.lifetime)?.readUInt32BE(0) ?? 0,
      },
    };
  }

  /** Ask coturn to let `peer` (an IPv4 or IPv6 address) talk through the relay: CreatePermission. */
  async createPermission(peer: string): Promise<TurnResult<void>> {
    const answer = await this.authenticated((auth, transactionId) =>
      // The IPv6 address is masked with the transaction id, so each attempt encodes it anew.
      turnRequest(StunMethod.createPermission, [{ type: StunAttr.xorPeerAddress, value: encodeXorAddress(peer, 0, transactionId) }], { auth, transactionId }),
    );
    return answer.cls === StunClass.success ? { ok: true, value: undefined } : refusal(answer);
  }

  /** Refresh the allocation for `lifetimeSeconds` (0 releases it); the value is the lifetime coturn granted. */
  async refresh(lifetimeSeconds: number): Promise<TurnResult<number>> {
    const answer = await this.authenticated((auth, transactionId) => turnRequest(StunMethod.refresh, [{ type: StunAttr.lifetime, value: u32(lifetimeSeconds) }], { auth, transactionId }));
    if (answer.cls !== StunClass.success) return refusal(answer);
    if (lifetimeSeconds === 0) this.allocated = false;
    return { ok: true, value: answer.attributes.get(StunAttr.lifetime)?.readUInt32BE(0) ?? 0 };
  }

  /** Release the allocation (Refresh with lifetime 0), if any, and close the socket or connection. */
  async close(): Promise<void> {
    if (this.allocated) await this.refresh(0).catch(() => undefined);
    this.allocated = false;
    this.failPending(new Error('TURN client closed'));
    this.channel.close();
  }

  /**
   * Send a request signed with the long-term credential. Without a nonce yet, or when coturn says
   * the nonce is stale (438), it first learns one from coturn's 401/438 answer and tries once
   * more. `request` builds each attempt with its own transaction id.
   */
  private async authenticated(request: (auth: TurnAuth | undefined, transactionId: Buffer) => Buffer): Promise<StunMessage> {
    for (let attempt = 0; ; attempt++) {
      const transactionId = randomBytes(12);
      const auth = this.auth();
      const answer = await this.transact(request(auth, transactionId), transactionId);
      const code = stunError(answer)?.code;
      // A 401 to a signed request is a refusal of the credential: report it, do not loop.
      if (attempt === 0 && (code === 438 || (code === 401 && !auth))) {
        const realm = stunText(answer, StunAttr.realm);
        const nonce = stunText(answer, StunAttr.nonce);
        if (realm && nonce) {
          this.realm = realm;
          this.nonce = nonce;
          continue;
        }
      }
      return answer;
    }
  }

  private auth(): TurnAuth | undefined {
    if (this.realm === undefined || this.nonce === undefined) return undefined;
    const { username, password } = this.credentials;
    return { username, realm: this.realm, nonce: this.nonce, key: turnLongTermKey(username, this.realm, password) };
  }

  /** Send one request (retransmitting over UDP) until the answer with its transaction id arrives; reject when none does. */
  private transact(message: Buffer, transactionId: Buffer): Promise<StunMessage> {
    const key = transactionId.toString('hex');
    const waits = this.channel.reliable ? [RETRANSMIT_WAITS_MS.reduce((a, b) => a + b)] : RETRANSMIT_WAITS_MS;
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let sends = 0;
      const send = () => {
        if (sends === waits.length) {
          this.pending.delete(key);
          reject(new Error(`no answer from TURN server ${this.server.host}:${this.server.port} (${this.server.transport ?? 'udp'})`));
          return;
        }
        this.channel.send(message);
        timer = setTimeout(send, waits[sends++]);
      };
      const settle = () => {
        clearTimeout(timer);
        this.pending.delete(key);
      };
      this.pending.set(key, {
        resolve: (answer) => (settle(), resolve(answer)),
        reject: (error) => (settle(), reject(error)),
      });
      send();
    });
  }

  private onMessage(data: Buffer): void {
    const message = decodeStun(data);
    if (message) this.pending.get(message.transactionId.toString('hex'))?.resolve(message);
  }

  private failPending(error: Error): void {
    for (const p of [...this.pending.values()]) p.reject(error);
  }
}

/**
 * Open a client, allocate once, release the allocation and close: whether the TURN server
 * grants a relay to these credentials right now. Rejects when it does not answer.
 */
export async function allocateOnce(server: TurnServerAddress, credentials: TurnCredentials, family: 'ipv4' | 'ipv6' = 'ipv4'): Promise<TurnResult<Allocation>> {
  const client = await TurnClient.open(server, credentials);
  try {
    return await client.allocate(family);
  } finally {
    await client.close();
  }
}

/** TURN REST API credentials as the signaling server mints them (username `expiry:user`, password base64 HMAC-SHA1). */
export function turnRestCredentials(secret: string, user: string, ttlSeconds: number): TurnCredentials {
  const username = `${Math.floor(Date.now() / 1000) + ttlSeconds}:${user}`;
  return { username, password: createHmac('sha1', secret).update(username).digest('base64') };
}

/** Only the code and reason of an error answer (code 0 when it has no ERROR-CODE). */
function refusal(answer: StunMessage): { ok: false; code: number; reason: string } {
  const error = stunError(answer) ?? { code: 0, reason: 'error response without ERROR-CODE' };
  return { ok: false, ...error };
}

/** A UDP socket towards the server, on an ephemeral port of the matching address family. */
async function openUdp(server: TurnServerAddress): Promise<StunChannel> {
  const socket = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  // Errors on a connectionless socket (e.g. ICMP port unreachable) show as a missing answer.
  socket.on('error', () => undefined);
  return {
    listen: (onMessage) => socket.on('message', onMessage),
    send: (message) => socket.send(message, server.port, server.host),
    reliable: false,
    close: () => socket.close(),
  };
}

/** A TCP or TLS connection to the server; STUN messages go back to back on it (RFC 8656 §3.1). */
async function openStream(server: TurnServerAddress): Promise<StunChannel> {
  const tls = server.transport === 'tls';
  const { host, port } = server;
  const socket: Socket = tls ? tlsConnect({ host, port, rejectUnauthorized: false }) : tcpConnect(port, host);
  socket.on('error', () => undefined); // 'close' follows and says it
  await new Promise<void>((resolve, reject) => {
    socket.once(tls ? 'secureConnect' : 'connect', () => resolve());
    socket.once('close', () => reject(new Error(`could not connect to TURN server ${host}:${port}${tls ? ' (TLS)' : ''}`)));
  });
  return {
    listen: (onMessage, onClosed) => {
      socket.once('close', onClosed);
      // Each message is as long as its header says. (ChannelData would need framing of its own,
      // but no channel is ever bound, so only STUN comes back.)
      let buffered = Buffer.alloc(0);
      socket.on('data', (data: Buffer) => {
        buffered = Buffer.concat([buffered, data]);
        while (buffered.length >= STUN_HEADER_BYTES && buffered.length >= STUN_HEADER_BYTES + buffered.readUInt16BE(2)) {
          const length = STUN_HEADER_BYTES + buffered.readUInt16BE(2);
          onMessage(buffered.subarray(0, length));
          buffered = buffered.subarray(length);
        }
      });
    },
    send: (message) => socket.write(message),
    reliable: true,
    close: () => socket.destroy(),
  };
}
