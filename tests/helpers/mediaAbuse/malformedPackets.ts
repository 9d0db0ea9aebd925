import type { Prng } from '../fuzz/Prng.js';
import { encodeStun, encodeStunAttribute, iceBindingRequest, StunAttr, StunClass, StunMethod, turnAllocateRequest, turnLongTermKey, u32 } from '../stun.js';

/**
 * Hostile datagrams for the media-port abuse test: what an attacker can throw at an SFU's
 * WebRTC ports and at a TURN server. Each kind names one way of being wrong; the structure of
 * every packet (lengths, fields, which live SSRC) comes from the seeded PRNG, so a run is
 * replayed with its seed.
 *
 * How mediasoup's WebRtcTransport sorts a datagram, by its first byte (RFC 7983): 0–3 STUN,
 * 20–63 DTLS, 128–191 RTP or RTCP (RTCP when the second byte is 192–223); anything else is
 * dropped. STUN is parsed from any sender; DTLS, RTP and RTCP only from an address that passed
 * an ICE check, and RTP/RTCP then go through SRTP authentication before any parsing that
 * matters (a failed SRTP check parses the header once, for the log line).
 */

/** What a packet is built for: the receiving port's live identifiers, when known. */
export interface PacketContext {
  rng: Prng;
  /** ICE username fragment of the receiving transport: checks carry `<ufrag>:<sender's>`. */
  iceUfrag?: string;
  /** SSRCs live on the receiving transport (its producers' and consumers'). */
  ssrcs: readonly number[];
  /** RTP payload types live there (Opus). */
  payloadTypes: readonly number[];
  /** The TURN server's realm and the newest nonce it handed out (for Allocates with wrong credentials). */
  turn?: { realm: string; nonce?: string };
}

/** `n` bytes from the PRNG. */
export function prngBytes(rng: Prng, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i += 4) {
    const word = Math.floor(rng.next() * 0x1_0000_0000);
    for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
  }
  return out;
}

const ascii = (rng: Prng, min: number, max: number): string => prngBytes(rng, rng.int(min, max)).toString('base64url').slice(0, max);
const liveSsrc = (c: PacketContext): number => (c.ssrcs.length > 0 && c.rng.chance(0.8) ? c.rng.pick(c.ssrcs) : c.rng.int(0, 0xffff_ffff));
const livePt = (c: PacketContext): number => (c.payloadTypes.length > 0 && c.rng.chance(0.8) ? c.rng.pick(c.payloadTypes) : c.rng.int(0, 127));
const ufragOf = (c: PacketContext): string => c.iceUfrag ?? ascii(c.rng, 4, 32);
const u16 = (value: number): Buffer => {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value & 0xffff, 0);
  return out;
};

/** A well-formed-looking ICE check for the target whose password is wrong. */
const wrongPasswordCheck = (c: PacketContext): Buffer =>
  iceBindingRequest({ remoteUfrag: ufragOf(c), localUfrag: ascii(c.rng, 4, 8), password: ascii(c.rng, 22, 32), useCandidate: c.rng.chance(0.5) });

/** Random attributes (types, lengths and values) after a valid header. */
function randomAttributes(c: PacketContext): Buffer[] {
  const { rng } = c;
  return Array.from({ length: rng.int(0, 8) }, () => {
    const type = rng.chance(0.5) ? rng.pick(Object.values(StunAttr)) : rng.int(0, 0xffff);
    return encodeStunAttribute({ type, value: prngBytes(rng, rng.int(0, 64)) });
  });
}

/** A 12-byte RTP header (version 2 unless given). */
function rtpHeader(c: PacketContext, opts: { firstByte?: number } = {}): Buffer {
  const h = Buffer.alloc(12);
  h[0] = opts.firstByte ?? 0x80;
  h[1] = (c.rng.chance(0.3) ? 0x80 : 0) | livePt(c);
  h.writeUInt16BE(c.rng.int(0, 0xffff), 2);
  h.writeUInt32BE(c.rng.int(0, 0xffff_ffff), 4);
  h.writeUInt32BE(liveSsrc(c), 8);
  return h;
}

/** An RTCP header: version 2, count/format, packet type, length in 32-bit words minus one. */
function rtcpHeader(count: number, packetType: number, lengthWords: number): Buffer {
  const h = Buffer.alloc(4);
  h[0] = 0x80 | (count & 0x1f);
  h[1] = packetType;
  h.writeUInt16BE(lengthWords & 0xffff, 2);
  return h;
}

/** An RTCP packet whose header length is right (`lie`: off by a random amount). */
function rtcpPacket(c: PacketContext, count: number, packetType: number, body: Buffer, lie = false): Buffer {
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  const words = padded.length / 4 + (lie ? c.rng.pick([-3, -1, 1, 7, 0x4000, 0xffff]) : 0);
  return Buffer.concat([rtcpHeader(count, packetType, Math.max(0, words)), padded]);
}

/** One RTCP packet of a random type with a garbage body (sometimes a wrong length). */
function garbageRtcp(c: PacketContext): Buffer {
  const { rng } = c;
  const ssrcs = Buffer.concat(Array.from({ length: rng.int(1, 4) }, () => u32(liveSsrc(c))));
  const lie = rng.chance(0.3);
  switch (rng.int(0, 8)) {
    case 0: // SR: sender SSRC, NTP, RTP ts, counts; up to 31 report blocks announced
      return rtcpPacket(c, rng.int(0, 31), 200, Buffer.concat([u32(liveSsrc(c)), prngBytes(rng, 20 + 24 * rng.int(0, 3))]), lie);
    case 1: // RR
      return rtcpPacket(c, rng.int(0, 31), 201, Buffer.concat([u32(liveSsrc(c)), ssrcs, prngBytes(rng, 24 * rng.int(0, 3))]), lie);
    case 2: // SDES with garbage items
      return rtcpPacket(c, rng.int(0, 31), 202, Buffer.concat([ssrcs, prngBytes(rng, rng.int(0, 80))]), lie);
    case 3: // BYE of live SSRCs, with a reason whose length byte overruns
      return rtcpPacket(c, rng.int(0, 31), 203, Buffer.concat([ssrcs, Buffer.from([rng.int(0, 255)]), prngBytes(rng, rng.int(0, 20))]), lie);
    case 4: // APP
      return rtcpPacket(c, rng.int(0, 31), 204, Buffer.concat([u32(liveSsrc(c)), Buffer.from('ABCD'), prngBytes(rng, rng.int(0, 40))]), lie);
    case 5: // RTPFB: generic NACK (fmt 1) or transport-wide CC (fmt 15) with garbage FCI
      return rtcpPacket(c, rng.pick([1, 3, 15, rng.int(0, 31)]), 205, Buffer.concat([u32(liveSsrc(c)), u32(liveSsrc(c)), prngBytes(rng, 4 * rng.int(0, 12))]), lie);
    case 6: // PSFB: PLI (1), FIR (4) or REMB (15, 'REMB', SSRC count up to 255 but few listed)
      return rtcpPacket(
        c,
        rng.pick([1, 4, 15]),
        206,
        Buffer.concat([
          u32(liveSsrc(c)),
          u32(0),
          ...(rng.chance(0.5) ? [Buffer.from('REMB'), Buffer.from([rng.int(0, 255)]), prngBytes(rng, 3), ssrcs] : [prngBytes(rng, 4 * rng.int(0, 6))]),
        ]),
        lie,
      );
    case 7: // XR with garbage report blocks
      return rtcpPacket(c, 0, 207, Buffer.concat([u32(liveSsrc(c)), prngBytes(rng, 4 * rng.int(0, 10))]), lie);
    default: // an unassigned packet type in the RTCP range
      return rtcpPacket(c, rng.int(0, 31), rng.int(192, 223), prngBytes(rng, rng.int(0, 60)), lie);
  }
}

/** A DTLS record header: content type, version, epoch, 48-bit sequence number, length. */
function dtlsRecord(c: PacketContext, contentType: number, fragment: Buffer, lieAboutLength: boolean): Buffer {
  const { rng } = c;
  const h = Buffer.alloc(13);
  h[0] = contentType;
  h.writeUInt16BE(rng.pick([0xfefd, 0xfeff, rng.int(0, 0xffff)]), 1);
  h.writeUInt16BE(rng.pick([0, 1, rng.int(0, 0xffff)]), 3);
  h.writeUIntBE(rng.int(0, 0xffff_ffff), 5, 6);
  h.writeUInt16BE(lieAboutLength ? rng.int(0, 0xffff) : fragment.length, 11);
  return Buffer.concat([h, fragment]);
}

/** Every kind of hostile datagram, by name. */
export const PACKET_KINDS = {
  // Anything at all.
  random: (c: PacketContext) => prngBytes(c.rng, c.rng.int(1, 1400)),
  empty: () => Buffer.alloc(0),
  jumbo: (c: PacketContext) => prngBytes(c.rng, c.rng.chance(0.9) ? c.rng.int(1500, 9000) : c.rng.int(9000, 65_000)),

  // STUN / ICE.
  /** The worst case: a valid-looking check for a live transport (its real ufrag), signed with a wrong password. */
  'stun-wrong-password': wrongPasswordCheck,
  'stun-no-integrity': (c: PacketContext) =>
    encodeStun({
      method: StunMethod.binding,
      cls: StunClass.request,
      attributes: [
        { type: StunAttr.username, value: Buffer.from(`${ufragOf(c)}:x`) },
        { type: StunAttr.priority, value: u32(1) },
      ],
      fingerprint: true,
    }),
  'stun-bad-fingerprint': (c: PacketContext) => {
    const packet = wrongPasswordCheck(c);
    packet.writeUInt32BE(c.rng.int(0, 0xffff_ffff), packet.length - 4);
    return packet;
  },
  /** MESSAGE-INTEGRITY of the wrong size, or a second one, or attributes after FINGERPRINT. */
  'stun-misplaced-attrs': (c: PacketContext) => {
    const { rng } = c;
    const base = [
      { type: StunAttr.username, value: Buffer.from(`${ufragOf(c)}:${ascii(rng, 4, 8)}`) },
      { type: StunAttr.priority, value: u32(rng.int(0, 0xffff_ffff)) },
    ];
    const broken = rng.pick([
      [{ type: StunAttr.messageIntegrity, value: prngBytes(rng, rng.pick([0, 4, 19, 21, 64])) }],
      [
        { type: StunAttr.messageIntegrity, value: prngBytes(rng, 20) },
        { type: StunAttr.messageIntegrity, value: prngBytes(rng, 20) },
      ],
      [
        { type: StunAttr.fingerprint, value: prngBytes(rng, rng.pick([4, 3, 8])) },
        { type: StunAttr.messageIntegrity, value: prngBytes(rng, 20) },
      ],
      [
        { type: StunAttr.priority, value: prngBytes(rng, rng.pick([0, 2, 8])) },
        { type: StunAttr.username, value: prngBytes(rng, rng.pick([0, 513, 1000])) },
      ],
    ]);
    return encodeStun({ method: StunMethod.binding, cls: StunClass.request, attributes: [...base, ...broken], fingerprint: rng.chance(0.5) });
  },
  /** A comprehension-required attribute nobody knows, in an otherwise ordinary check. */
  'stun-unknown-required-attr': (c: PacketContext) =>
    encodeStun({
      method: StunMethod.binding,
      cls: StunClass.request,
      attributes: [
        { type: StunAttr.username, value: Buffer.from(`${ufragOf(c)}:${ascii(c.rng, 4, 8)}`) },
        { type: StunAttr.priority, value: u32(c.rng.int(1, 0xffff_ffff)) },
        { type: c.rng.int(0x0030, 0x7fff), value: prngBytes(c.rng, c.rng.int(0, 40)) },
      ],
      integrityKey: ascii(c.rng, 22, 32),
      fingerprint: true,
    }),
  /** An attribute whose length runs past the end of the message. */
  'stun-attr-overrun': (c: PacketContext) => {
    const packet = wrongPasswordCheck(c);
    // The first attribute (USERNAME) claims more bytes than the message holds.
    packet.writeUInt16BE(c.rng.int(packet.length, 0xffff), 22);
    return packet;
  },
  'stun-random-attrs': (c: PacketContext) => {
    const body = Buffer.concat(randomAttributes(c));
    const packet = encodeStun({ method: c.rng.int(0, 0xfff), cls: c.rng.int(0, 3) as StunClass });
    packet.writeUInt16BE(body.length, 2);
    return Buffer.concat([packet, body]);
  },
  /** A valid check cut short (the header still announces the full length). */
  'stun-truncated': (c: PacketContext) => {
    const packet = wrongPasswordCheck(c);
    return packet.subarray(0, c.rng.int(1, packet.length - 1));
  },
  /** The header's length field lies: longer, shorter, odd, or the maximum. */
  'stun-length-lie': (c: PacketContext) => {
    const packet = wrongPasswordCheck(c);
    packet.writeUInt16BE(c.rng.pick([0, 1, 3, packet.length, packet.length - 24, 0xfffc, 0xffff, c.rng.int(0, 0xffff)]) & 0xffff, 2);
    return packet;
  },
  /** Success and error responses nobody asked for (an ICE-lite server sends no requests). */
  'stun-unsolicited-response': (c: PacketContext) =>
    encodeStun({
      method: c.rng.chance(0.8) ? StunMethod.binding : c.rng.int(0, 0xfff),
      cls: c.rng.pick([StunClass.success, StunClass.error]),
      attributes: [
        { type: StunAttr.xorMappedAddress, value: prngBytes(c.rng, c.rng.pick([8, 20, 3])) },
        { type: StunAttr.errorCode, value: prngBytes(c.rng, c.rng.pick([4, 40, 2])) },
      ],
      fingerprint: c.rng.chance(0.5),
    }),

  // RTP: live SSRCs and payload types, unencrypted (SRTP authentication must drop them).
  'rtp-garbage-payload': (c: PacketContext) => Buffer.concat([rtpHeader(c), prngBytes(c.rng, c.rng.int(1, 1200))]),
  /** Version 0 or 1: the first byte lands in the STUN, DTLS or unknown ranges instead. */
  'rtp-bad-version': (c: PacketContext) => Buffer.concat([rtpHeader(c, { firstByte: c.rng.int(0, 0x7f) }), prngBytes(c.rng, c.rng.int(0, 200))]),
  'rtp-truncated-header': (c: PacketContext) => rtpHeader(c).subarray(0, c.rng.int(1, 11)),
  /** Up to 15 CSRCs announced, fewer bytes present. */
  'rtp-csrc-overflow': (c: PacketContext) => {
    const count = c.rng.int(1, 15);
    return Buffer.concat([rtpHeader(c, { firstByte: 0x80 | count }), prngBytes(c.rng, c.rng.int(0, 4 * count - 1))]);
  },
  /** A header extension whose length (in words) runs far past the packet, or elements that do. */
  'rtp-huge-extension': (c: PacketContext) => {
    const { rng } = c;
    const profile = rng.pick([0xbede, 0x1000, rng.int(0, 0xffff)]);
    const words = rng.pick([0xffff, rng.int(1, 0xffff), 1]);
    // With a plausible length, the elements inside overrun it instead (one-byte header: len = L + 1).
    const elements = words === 1 ? Buffer.from([(rng.int(1, 14) << 4) | 15, 0, 0, 0]) : prngBytes(rng, rng.int(0, 40));
    return Buffer.concat([rtpHeader(c, { firstByte: 0x90 }), u16(profile), u16(words), elements, prngBytes(rng, rng.int(0, 60))]);
  },
  /** The padding bit set, with a padding count beyond the payload (or zero). */
  'rtp-padding-overflow': (c: PacketContext) => {
    const payload = prngBytes(c.rng, c.rng.int(1, 40));
    payload[payload.length - 1] = c.rng.pick([0, 255, payload.length + 12, payload.length + 1]);
    return Buffer.concat([rtpHeader(c, { firstByte: 0xa0 }), payload]);
  },

  // RTCP.
  'rtcp-garbage': garbageRtcp,
  /** A compound packet: several RTCP packets back to back, some with wrong lengths, and trailing junk. */
  'rtcp-compound': (c: PacketContext) => Buffer.concat([...Array.from({ length: c.rng.int(2, 6) }, () => garbageRtcp(c)), prngBytes(c.rng, c.rng.pick([0, 1, 3, 7]))]),
  /** A header alone whose length announces up to 256 KiB. */
  'rtcp-bad-length': (c: PacketContext) => Buffer.concat([rtcpHeader(c.rng.int(0, 31), c.rng.int(200, 207), c.rng.int(1, 0xffff)), prngBytes(c.rng, c.rng.pick([0, 4, 8, 3]))]),

  // DTLS-looking records (content types 20–25) with garbage inside.
  'dtls-record-garbage': (c: PacketContext) => dtlsRecord(c, c.rng.int(20, 25), prngBytes(c.rng, c.rng.int(0, 300)), c.rng.chance(0.4)),
  /** A handshake record holding a "ClientHello" (or another message) whose inner lengths and fragment offsets lie. */
  'dtls-handshake-malformed': (c: PacketContext) => {
    const { rng } = c;
    const body = prngBytes(rng, rng.int(0, 200));
    const hs = Buffer.alloc(12);
    hs[0] = rng.pick([1, 1, 1, 2, 11, 12, 14, 16, 20, rng.int(0, 255)]);
    hs.writeUIntBE(rng.pick([body.length, rng.int(0, 0xffffff)]), 1, 3);
    hs.writeUInt16BE(rng.int(0, 3), 4);
    hs.writeUIntBE(rng.pick([0, rng.int(0, 0xffffff)]), 6, 3);
    hs.writeUIntBE(rng.pick([body.length, rng.int(0, 0xffffff)]), 9, 3);
    if (hs[0] === 1 && body.length >= 40) body.writeUInt16BE(0xfefd, 0); // client_version DTLS 1.2, the rest garbage
    return dtlsRecord(c, 22, Buffer.concat([hs, body]), rng.chance(0.2));
  },
  'dtls-alert': (c: PacketContext) => dtlsRecord(c, 21, Buffer.from([c.rng.pick([1, 2]), c.rng.int(0, 255)]), false),

  // TURN (to coturn).
  'turn-allocate-no-auth': () => turnAllocateRequest(),
  /** An Allocate with a plausible REST-API username, the realm and newest nonce, signed with a wrong password. */
  'turn-allocate-wrong-auth': (c: PacketContext) => {
    const realm = c.turn?.realm ?? 'earshot.test';
    const username = `${Math.floor(Date.now() / 1000) + 600}:${c.rng.int(1, 10_000)}`;
    return turnAllocateRequest({ auth: { username, realm, nonce: c.turn?.nonce ?? ascii(c.rng, 16, 32), key: turnLongTermKey(username, realm, ascii(c.rng, 20, 28)) } });
  },
  /** Refresh, CreatePermission, ChannelBind and Send without an allocation, with random attributes. */
  'turn-bogus-request': (c: PacketContext) => {
    const { rng } = c;
    const method = rng.pick([StunMethod.refresh, StunMethod.createPermission, StunMethod.channelBind, StunMethod.send, StunMethod.data]);
    const cls = method === StunMethod.send || method === StunMethod.data ? StunClass.indication : StunClass.request;
    const attributes = [
      { type: StunAttr.xorPeerAddress, value: prngBytes(rng, rng.pick([8, 20, 2])) },
      { type: StunAttr.channelNumber, value: prngBytes(rng, 4) },
      { type: StunAttr.lifetime, value: prngBytes(rng, rng.pick([4, 0])) },
      { type: StunAttr.data, value: prngBytes(rng, rng.int(0, 300)) },
    ].filter(() => rng.chance(0.6));
    return encodeStun({ method, cls, attributes, ...(rng.chance(0.5) ? { integrityKey: prngBytes(rng, 16) } : {}), fingerprint: rng.chance(0.5) });
  },
  /** ChannelData (first byte 0x40–0x4f) for channels nobody bound, lengths lying. */
  'turn-channel-data': (c: PacketContext) => {
    const data = prngBytes(c.rng, c.rng.int(0, 400));
    return Buffer.concat([u16(c.rng.int(0x4000, 0x4fff)), u16(c.rng.pick([data.length, c.rng.int(0, 0xffff)])), data]);
  },
  /** An ordinary STUN Binding request: a TURN server answers it; counts as delivered when the answer comes. */
  'stun-binding': () => encodeStun({ method: StunMethod.binding, cls: StunClass.request, fingerprint: true }),
} as const;

export type PacketKind = keyof typeof PACKET_KINDS;

export function buildPacket(kind: PacketKind, context: PacketContext): Buffer {
  return PACKET_KINDS[kind](context);
}

/** Kinds for groups of targets. */
export const STUN_KINDS: PacketKind[] = [
  'stun-wrong-password',
  'stun-no-integrity',
  'stun-bad-fingerprint',
  'stun-misplaced-attrs',
  'stun-unknown-required-attr',
  'stun-attr-overrun',
  'stun-random-attrs',
  'stun-truncated',
  'stun-length-lie',
  'stun-unsolicited-response',
];
export const RTP_KINDS: PacketKind[] = ['rtp-garbage-payload', 'rtp-bad-version', 'rtp-truncated-header', 'rtp-csrc-overflow', 'rtp-huge-extension', 'rtp-padding-overflow'];
export const RTCP_KINDS: PacketKind[] = ['rtcp-garbage', 'rtcp-compound', 'rtcp-bad-length'];
export const DTLS_KINDS: PacketKind[] = ['dtls-record-garbage', 'dtls-handshake-malformed', 'dtls-alert'];
export const TURN_KINDS: PacketKind[] = ['turn-allocate-no-auth', 'turn-allocate-wrong-auth', 'turn-bogus-request', 'turn-channel-data', 'stun-binding'];
export const NOISE_KINDS: PacketKind[] = ['random', 'empty', 'jumbo'];
