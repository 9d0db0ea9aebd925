import { z } from 'zod';
import { CallId, IceConfig } from './calls.js';
import { Id, Timestamp } from './entities.js';

/**
 * mediasoup parameter objects (RTP capabilities/parameters, DTLS and ICE parameters) cross the
 * wire as JSON objects. Their inner structure is validated by mediasoup itself on the server
 * (ortc.validate*) and by mediasoup-client in the page; here they are bounded in size and shape.
 */
const MediaJson = z.looseObject({}).refine((value) => {
  // JSON.stringify overflows the stack on objects nested a few thousand deep (a 30 KB frame).
  // A refinement must refuse that, not throw: the throw escapes safeParse.
  try {
    return JSON.stringify(value).length <= 16_000;
  } catch {
    return false;
  }
}, 'object too large or too deeply nested');

/** A participant of a group call: a member (userId) or a guest (userId null). */
export const GroupParticipant = z.object({
  /** Unique within the call (a user joining from two devices is two participants). */
  participantId: z.string(),
  userId: Id.nullable(),
  displayName: z.string(),
  guest: z.boolean(),
  host: z.boolean(),
  muted: z.boolean(),
  /** Muted by the host and not (yet) allowed to unmute. */
  mutedByHost: z.boolean(),
  joinedAt: Timestamp,
});
export type GroupParticipant = z.infer<typeof GroupParticipant>;

export const GroupCallInfo = z.object({
  callId: CallId,
  conversationId: Id,
  startedAt: Timestamp,
  /** Participant cap (default 50). */
  cap: z.number().int().positive(),
  participants: z.array(GroupParticipant),
});
export type GroupCallInfo = z.infer<typeof GroupCallInfo>;

export const TransportParams = z.object({
  id: z.string(),
  iceParameters: MediaJson,
  iceCandidates: z.array(MediaJson),
  dtlsParameters: MediaJson,
});
export type TransportParams = z.infer<typeof TransportParams>;

export const groupCallRequests = {
  /** Start a voice call in a conversation (any kind), becoming its host; joins it too. */
  'group.start': {
    request: z.strictObject({ conversationId: Id }),
    response: z.object({ call: GroupCallInfo }),
  },
  /**
   * Join the conversation's ongoing call. Returns everything to set up mediasoup-client in one
   * round trip: router capabilities and the send and receive transports. ROOM_FULL at the cap.
   */
  'group.join': {
    request: z.strictObject({ conversationId: Id }),
    response: z.object({
      call: GroupCallInfo,
      participantId: z.string(),
      routerRtpCapabilities: MediaJson,
      sendTransport: TransportParams,
      recvTransport: TransportParams,
      ice: IceConfig,
    }),
  },
  /**
   * Join with plain (unencrypted, ICE-less) RTP instead of WebRTC: for processes on the SFU's own
   * host only (load-test bots, a future SIP gateway). Refused with FORBIDDEN unless the server
   * enables it (`sfuPlainRtp`, off by default). The participant sends Opus RTP to `sendTransport`
   * (the SFU learns its address from the first packet) and receives everyone else's on
   * 127.0.0.1:`recvPort`; then `group.produce`, `group.ready` and `group.resumeConsumer` as usual.
   */
  'group.joinPlainRtp': {
    request: z.strictObject({ conversationId: Id, recvPort: z.number().int().min(1024).max(65535) }),
    response: z.object({
      call: GroupCallInfo,
      participantId: z.string(),
      routerRtpCapabilities: MediaJson,
      sendTransport: z.object({ id: z.string(), ip: z.string(), port: z.number().int() }),
      recvTransportId: z.string(),
    }),
  },
  'group.connectTransport': {
    request: z.strictObject({ callId: CallId, transportId: z.string().max(64), dtlsParameters: MediaJson }),
    response: z.object({}),
  },
  /**
   * Publish the microphone (one audio producer per participant). `replace`: swap the
   * participant's current producer for this one in one step (new codec options mid-call, e.g.
   * low-bandwidth mode's longer packets); without it a second producer is refused (CONFLICT).
   */
  'group.produce': {
    request: z.strictObject({ callId: CallId, transportId: z.string().max(64), rtpParameters: MediaJson, replace: z.boolean().optional() }),
    response: z.object({ producerId: z.string() }),
  },
  /** The page is ready to receive: the server creates (paused) consumers for every other producer. */
  'group.ready': {
    request: z.strictObject({ callId: CallId, rtpCapabilities: MediaJson }),
    response: z.object({}),
  },
  /** Start a consumer the page has set up (consumers are created paused). */
  'group.resumeConsumer': {
    request: z.strictObject({ callId: CallId, consumerId: z.string().max(64) }),
    response: z.object({}),
  },
  /** New ICE parameters for a transport (network change, failure). */
  'group.restartIce': {
    request: z.strictObject({ callId: CallId, transportId: z.string().max(64) }),
    response: z.object({ iceParameters: MediaJson }),
  },
  /**
   * What this participant receives (low-bandwidth mode): `all` (the default at every join)
   * or `speakers`, only the last few active speakers (up to 3; someone who spoke within the
   * last 3 s keeps their place). The server pauses the participant's other consumers and
   * resumes them when they speak. Changes only the sender's own consumers.
   */
  'group.setReceiveMode': {
    request: z.strictObject({ callId: CallId, mode: z.enum(['all', 'speakers']) }),
    response: z.object({}),
  },
  /** Self mute/unmute. Unmuting is FORBIDDEN while muted by the host. */
  'group.setMuted': {
    request: z.strictObject({ callId: CallId, muted: z.boolean() }),
    response: z.object({}),
  },
  /** Host: mute one participant (the server pauses their producer). */
  'group.hostMute': {
    request: z.strictObject({ callId: CallId, participantId: z.string().max(64) }),
    response: z.object({}),
  },
  /** Host: mute everyone but the host. */
  'group.hostMuteAll': {
    request: z.strictObject({ callId: CallId }),
    response: z.object({}),
  },
  /** Host: allow a participant muted by the host to unmute, and ask them to. They decide. */
  'group.askToUnmute': {
    request: z.strictObject({ callId: CallId, participantId: z.string().max(64) }),
    response: z.object({}),
  },
  'group.leave': {
    request: z.strictObject({ callId: CallId }),
    response: z.object({}),
  },
} as const;

export const groupCallNotifications = {
  /** The conversation's call started, changed (participants, mute, host) or ended (`call: null`). Sent to members. */
  'group.updated': z.object({ conversationId: Id, call: GroupCallInfo.nullable() }),
  /** A participant's stream to receive (created paused; answer with group.resumeConsumer). */
  'group.newConsumer': z.object({
    callId: CallId,
    consumerId: z.string(),
    producerId: z.string(),
    participantId: z.string(),
    kind: z.literal('audio'),
    rtpParameters: MediaJson,
  }),
  'group.consumerClosed': z.object({ callId: CallId, consumerId: z.string() }),
  /** Who is speaking now (loudest first), from the SFU's audio-level observer. */
  'group.speakers': z.object({ callId: CallId, participantIds: z.array(z.string()) }),
  /** To one participant: the host muted you, or asks you to unmute. */
  'group.hostAction': z.object({ callId: CallId, action: z.enum(['muted', 'askToUnmute']) }),
  /** The SFU lost this call's media worker: set up media again with group.join (automatic). */
  'group.rejoin': z.object({ callId: CallId, conversationId: Id }),
} as const;
