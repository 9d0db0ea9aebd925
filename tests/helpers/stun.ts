import { createHash, createHmac, randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { crc32 } from 'node:zlib';

/**
 * STUN messages (RFC 8489) as ICE (RFC 8445) and TURN (RFC 8656) use them, encoded and parsed
 * by hand, so that tests can send well-formed requests (an ICE check that passes, a TURN
 * Allocate with real credentials: turnClient.ts) and, from the same encoder, every kind of
 * broken one (mediaAbuse/malformedPackets.ts).
 */

export const STUN_MAGIC_COOKIE = 0x2112a442;
export const STUN_HEADER_BYTES = 20;

/** Methods used here (RFC 8489 / RFC 8656). */
export const StunMethod = { binding: 0x001, allocate: 0x003, refresh: 0x004, send: 0x006, data: 0x007, createPermission: 0x008, channelBind: 0x009 } as const;

/** The two class bits of the message type. */
export const StunClass = { request: 0, indication: 1, success: 2, error: 3 } as const;
export type StunClass = (typeof StunClass)[keyof typeof StunClass];

/** Attribute types used here. Below 0x8000: comprehension-required. */
export const StunAttr = {
  mappedAddress: 0x0001,
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  unknownAttributes: 0x000a,
  channelNumber: 0x000c,
  lifetime: 0x000d,
  xorPeerAddress: 0x0012,
  data: 0x0013,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedAddressFamily: 0x0017,
  requestedTransport: 0x0019,
  xorMappedAddress: 0x0020,
  priority: 0x0024,
  useCandidate: 0x0025,
  software: 0x8022,
  fingerprint: 0x8028,
  iceControlled: 0x8029,
  iceControlling: 0x802a,
} as const;

/** UDP in REQUESTED-TRANSPORT (its IANA protocol number): the only relay TURN offers a client. */
const PROTOCOL_UDP = 17;

export interface StunAttribute {
  type: number;
  value: Buffer;
}

export interface StunMessageInit {
  method: number;
  cls: StunClass;
  /** 12 bytes; random by default. */
  transactionId?: Buffer;
  attributes?: StunAttribute[];
  /** Append MESSAGE-INTEGRITY keyed with this (ICE: the password; TURN: `turnLongTermKey`). */
  integrityKey?: Buffer | string;
  /** Append FINGERPRINT (last). */
  fingerprint?: boolean;
}

/** The 14-bit message type: method bits interleaved with the class bits C0 (bit 4) and C1 (bit 8). */
export function stunMessageType(method: number, cls: StunClass): number {
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | ((cls & 1) << 4) | ((cls & 2) << 7);
}

/** One attribute, its value padded to a multiple of 4 bytes. */
export function encodeStunAttribute({ type, value }: StunAttribute): Buffer {
  const out = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(value.length, 2);
  value.copy(out, 4);
  return out;
}

function header(type: number, length: number, transactionId: Buffer): Buffer {
  const out = Buffer.alloc(STUN_HEADER_BYTES);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(length, 2);
  out.writeUInt32BE(STUN_MAGIC_COOKIE, 4);
  transactionId.copy(out, 8, 0, 12);
  return out;
}

/**
 * Encode a message. MESSAGE-INTEGRITY is the HMAC-SHA1 of everything before it with the header
 * length already counting it; FINGERPRINT is the CRC-32 of everything before it (length counting
 * it too) XOR 0x5354554e (RFC 8489 §14.5, §14.7).
 */
export function encodeStun(init: StunMessageInit): Buffer {
  const transactionId = init.transactionId ?? randomBytes(12);
  const type = stunMessageType(init.method, init.cls);
  let body = Buffer.concat((init.attributes ?? []).map(encodeStunAttribute));
  if (init.integrityKey !== undefined) {
    const covered = Buffer.concat([header(type, body.length + 24, transactionId), body]);
    const mac = createHmac('sha1', init.integrityKey).update(covered).digest();
    body = Buffer.concat([body, encodeStunAttribute({ type: StunAttr.messageIntegrity, value: mac })]);
  }
  if (init.fingerprint) {
    const covered = Buffer.concat([header(type, body.length + 8, transactionId), body]);
    body = Buffer.concat([body, encodeStunAttribute({ type: StunAttr.fingerprint, value: u32(crc32(covered) ^ 0x5354554e) })]);
  }
  return Buffer.concat([header(type, body.length, transactionId), body]);
}

/** A message as received. */
export interface StunMessage {
  method: number;
  cls: StunClass;
  transactionId: Buffer;
  /**
   * Attribute values by type, unpadded. Only the first of each type counts (RFC 8489 §14); a
   * value that runs past the length in the header is cut there.
   */
  attributes: Map<number, Buffer>;
}

/** Parse `data` as a STUN message, or null when it is none (first two bits not zero, or no magic cookie). */
export function decodeStun(data: Buffer): StunMessage | null {
  if (data.length < STUN_HEADER_BYTES || (data[0]! & 0xc0) !== 0 || data.readUInt32BE(4) !== STUN_MAGIC_COOKIE) return null;
  const type = data.readUInt16BE(0);
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const cls = (((type & 0x0010) >> 4) | ((type & 0x0100) >> 7)) as StunClass;
  const attributes = new Map<number, Buffer>();
  const end = Math.min(data.length, STUN_HEADER_BYTES + data.readUInt16BE(2));
  for (let at = STUN_HEADER_BYTES; at + 4 <= end; ) {
    const attrType = data.readUInt16BE(at);
    const length = data.readUInt16BE(at + 2);
    if (!attributes.has(attrType)) attributes.set(attrType, data.subarray(at + 4, Math.min(end, at + 4 + length)));
    at += 4 + Math.ceil(length / 4) * 4;
  }
  return { method, cls, transactionId: data.subarray(8, STUN_HEADER_BYTES), attributes };
}

/** ERROR-CODE of an error response: class × 100 + number (e.g. 401), and the reason phrase. */
export function stunError(message: StunMessage): { code: number; reason: string } | undefined {
  const value = message.attributes.get(StunAttr.errorCode);
  if (!value || value.length < 4) return undefined;
  return { code: (value[2]! & 0x07) * 100 + value[3]!, reason: value.subarray(4).toString('utf8') };
}

/** A UTF-8 attribute (USERNAME, REALM, NONCE, SOFTWARE), if present. */
export function stunText(message: StunMessage, type: number): string | undefined {
  return message.attributes.get(type)?.toString('utf8');
}

export interface TransportAddress {
  family: 'ipv4' | 'ipv6';
  address: string;
  port: number;
}

/**
 * An XOR-*-ADDRESS value (RFC 8489 §14.2): the port XOR the cookie's top half, the address XOR
 * the cookie (and, for IPv6, the transaction id after it).
 */
export function encodeXorAddress(ip: string, port: number, transactionId: Buffer): Buffer {
  const mask = Buffer.concat([u32(STUN_MAGIC_COOKIE), transactionId]);
  const bytes = isIPv4(ip) ? ip.split('.').map(Number) : isIPv6(ip) ? ipv6Bytes(ip) : null;
  if (!bytes) throw new Error(`not an IP address: ${ip}`);
  const value = Buffer.alloc(4 + bytes.length);
  value[1] = bytes.length === 4 ? 0x01 : 0x02;
  value.writeUInt16BE(port ^ (STUN_MAGIC_COOKIE >>> 16), 2);
  bytes.forEach((byte, i) => (value[4 + i] = byte ^ mask[i]!));
  return value;
}

/** The address in an XOR-*-ADDRESS value; IPv6 as eight uncompressed groups (`2001:db8:0:0:0:0:0:1`). */
export function decodeXorAddress(value: Buffer, transactionId: Buffer): TransportAddress {
  const mask = Buffer.concat([u32(STUN_MAGIC_COOKIE), transactionId]);
  const port = value.readUInt16BE(2) ^ (STUN_MAGIC_COOKIE >>> 16);
  const bytes = [...value.subarray(4)].map((byte, i) => byte ^ mask[i]!);
  if (value[1] === 0x01) return { family: 'ipv4', address: bytes.join('.'), port };
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return { family: 'ipv6', address: groups.join(':'), port };
}

/** The 16 bytes of an IPv6 address, `::` and an embedded IPv4 tail (`::ffff:127.0.0.1`) included. */
function ipv6Bytes(ip: string): number[] {
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  const groups = tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** An ICE connectivity check from a controlling agent: USERNAME `<remote ufrag>:<our ufrag>`, signed with the remote password. */
export function iceBindingRequest(opts: { remoteUfrag: string; localUfrag: string; password: string; useCandidate?: boolean; transactionId?: Buffer }): Buffer {
  return encodeStun({
    method: StunMethod.binding,
    cls: StunClass.request,
    ...(opts.transactionId ? { transactionId: opts.transactionId } : {}),
    attributes: [
      { type: StunAttr.username, value: Buffer.from(`${opts.remoteUfrag}:${opts.localUfrag}`) },
      { type: StunAttr.priority, value: u32(0x6e7f1eff) },
      { type: StunAttr.iceControlling, value: randomBytes(8) },
      ...(opts.useCandidate ? [{ type: StunAttr.useCandidate, value: Buffer.alloc(0) }] : []),
    ],
    integrityKey: opts.password,
    fingerprint: true,
  });
}

/** TURN long-term credential key: MD5(username ":" realm ":" password) (RFC 8489 §9.2.2). */
export function turnLongTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest();
}

/** What signs a TURN request: the credential's username and key, with the realm and nonce the server handed out. */
export interface TurnAuth {
  username: string;
  realm: string;
  nonce: string;
  /** `turnLongTermKey(username, realm, password)`. */
  key: Buffer;
}

/**
 * A TURN request with FINGERPRINT, as browsers send them. With `auth`: USERNAME, REALM and
 * NONCE after `attributes`, then MESSAGE-INTEGRITY keyed with the long-term key.
 */
export function turnRequest(method: number, attributes: StunAttribute[], opts: { auth?: TurnAuth | undefined; transactionId?: Buffer } = {}): Buffer {
  const { auth } = opts;
  return encodeStun({
    method,
    cls: StunClass.request,
    ...(opts.transactionId ? { transactionId: opts.transactionId } : {}),
    attributes: [
      ...attributes,
      ...(auth
        ? [
            { type: StunAttr.username, value: Buffer.from(auth.username) },
            { type: StunAttr.realm, value: Buffer.from(auth.realm) },
            { type: StunAttr.nonce, value: Buffer.from(auth.nonce) },
          ]
        : []),
    ],
    ...(auth ? { integrityKey: auth.key } : {}),
    fingerprint: true,
  });
}

/** A TURN Allocate request for a UDP relay; `family` ipv6 asks for an IPv6 relayed address (REQUESTED-ADDRESS-FAMILY, RFC 6156). */
export function turnAllocateRequest(opts: { auth?: TurnAuth | undefined; family?: 'ipv4' | 'ipv6'; transactionId?: Buffer } = {}): Buffer {
  const attributes: StunAttribute[] = [{ type: StunAttr.requestedTransport, value: Buffer.from([PROTOCOL_UDP, 0, 0, 0]) }];
  if (opts.family === 'ipv6') attributes.push({ type: StunAttr.requestedAddressFamily, value: Buffer.from([0x02, 0, 0, 0]) });
  return turnRequest(StunMethod.allocate, attributes, opts);
}

/** `value` as 4 bytes, big-endian. */
export function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0, 0);
  return out;
}
