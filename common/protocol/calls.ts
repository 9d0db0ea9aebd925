import { z } from 'zod';
import { Id, Timestamp, User } from './entities.js';

/** Server-assigned call id (random, unguessable). */
export const CallId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);

/** One ICE server as RTCPeerConnection takes it; TURN entries carry short-lived REST credentials. */
export const IceServer = z.object({
  urls: z.array(z.string().max(256)).min(1),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServer>;

/** ICE configuration for one call. `relay` forces TURN (hostile networks, tests). */
export const IceConfig = z.object({
  iceServers: z.array(IceServer),
  iceTransportPolicy: z.enum(['all', 'relay']),
  /** When the TURN credentials stop working (ms since epoch); the client refetches before then. */
  expiresAt: Timestamp,
});
export type IceConfig = z.infer<typeof IceConfig>;

/** Why a 1-on-1 call ended (or never started). */
export const CallEndReason = z.enum([
  /** Normal end: one side hung up after the call was answered. */
  'hangup',
  /** The callee declined. */
  'declined',
  /** The callee declined with "busy — call back later", or was already in a call. */
  'busy',
  /** Nobody answered before the ring timeout. */
  'no_answer',
  /** The caller gave up before an answer. */
  'cancelled',
  /** Another device of the callee answered (sent to the callee's other devices). */
  'answered_elsewhere',
  /** A participant lost its connection and did not come back within the grace period. */
  'peer_lost',
  /** Media could not be established. */
  'failed',
]);
export type CallEndReason = z.infer<typeof CallEndReason>;

export const CallState = z.enum(['ringing', 'active', 'ended']);
export type CallState = z.infer<typeof CallState>;

export const CallInfo = z.object({
  callId: CallId,
  conversationId: Id,
  caller: User,
  callee: User,
  state: CallState,
  /** When the call was placed. */
  startedAt: Timestamp,
  /** When it was answered (null while ringing). */
  answeredAt: Timestamp.nullable(),
});
export type CallInfo = z.infer<typeof CallInfo>;

/** SDP and trickle ICE relayed between the two participants, and nothing else. */
export const CallSignal = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('offer'), sdp: z.string().min(1).max(32_000) }),
  z.strictObject({ type: z.literal('answer'), sdp: z.string().min(1).max(32_000) }),
  z.strictObject({
    type: z.literal('candidate'),
    candidate: z.strictObject({
      candidate: z.string().max(1024),
      sdpMid: z.string().max(64).nullable().optional(),
      sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
      usernameFragment: z.string().max(256).nullable().optional(),
    }),
  }),
]);
export type CallSignal = z.infer<typeof CallSignal>;

/** One entry of the call history. */
export const CallRecord = z.object({
  callId: CallId,
  conversationId: Id,
  kind: z.enum(['direct', 'group']),
  callerId: Id.nullable(),
  participants: z.array(z.object({ userId: Id.nullable(), displayName: z.string(), joinedAt: Timestamp.nullable(), leftAt: Timestamp.nullable() })),
  startedAt: Timestamp,
  answeredAt: Timestamp.nullable(),
  endedAt: Timestamp.nullable(),
  outcome: z.string(),
  /** Talk time in ms (answered → ended); 0 for calls never answered. */
  durationMs: z.number().int().nonnegative(),
});
export type CallRecord = z.infer<typeof CallRecord>;

export const callRequests = {
  /** Place a 1-on-1 call in a direct conversation. Errors: USER_OFFLINE, USER_BUSY, DO_NOT_DISTURB, FORBIDDEN. */
  'call.place': {
    request: z.strictObject({ conversationId: Id }),
    response: z.object({ call: CallInfo, ice: IceConfig }),
  },
  /** Answer on this device; the first device to accept wins. */
  'call.accept': {
    request: z.strictObject({ callId: CallId }),
    response: z.object({ call: CallInfo, ice: IceConfig }),
  },
  /** Refuse a ringing call; `busy` = "busy — call back later". */
  'call.decline': {
    request: z.strictObject({ callId: CallId, busy: z.boolean().default(false) }),
    response: z.object({}),
  },
  /** The caller gives up before an answer. */
  'call.cancel': {
    request: z.strictObject({ callId: CallId }),
    response: z.object({}),
  },
  /** End an answered call. */
  'call.hangup': {
    request: z.strictObject({ callId: CallId }),
    response: z.object({}),
  },
  /** Relay SDP or an ICE candidate to the other participant. */
  'call.signal': {
    request: z.strictObject({ callId: CallId, signal: CallSignal }),
    response: z.object({}),
  },
  /** After a reconnect: bind this connection to a call the user is still in. */
  'call.rejoin': {
    request: z.strictObject({ callId: CallId }),
    response: z.object({ call: CallInfo, ice: IceConfig }),
  },
  /** The caller's call history, newest first. */
  'call.history': {
    request: z.strictObject({ limit: z.number().int().min(1).max(100).default(50), before: Timestamp.optional() }),
    response: z.object({ calls: z.array(CallRecord) }),
  },
} as const;

export const callNotifications = {
  /** Ring: sent to every connected device of the callee. */
  'call.incoming': z.object({ call: CallInfo }),
  /** Sent to the caller once the callee's devices are ringing. */
  'call.ringing': z.object({ callId: CallId }),
  /** Sent to the caller's device when the callee answered. */
  'call.accepted': z.object({ call: CallInfo }),
  /** The call is over for this device, with the reason. */
  'call.ended': z.object({ callId: CallId, reason: CallEndReason, durationMs: z.number().int().nonnegative() }),
  /** SDP / ICE from the other participant. */
  'call.signal': z.object({ callId: CallId, signal: CallSignal }),
  /** The other participant's signaling connection dropped (media may continue) or came back. */
  'call.peer': z.object({ callId: CallId, connected: z.boolean() }),
  /**
   * A call that never rang this user: refused because they were in do not disturb (`dnd`) or
   * already in a call (`busy`). Sent to every connected device of the callee, so a desktop app
   * can count it as missed (tray, badge) without ringing.
   */
  'call.missed': z.object({ callId: CallId, conversationId: Id, caller: User, reason: z.enum(['dnd', 'busy']) }),
} as const;
