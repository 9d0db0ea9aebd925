import { z } from 'zod';
import { IceConfig } from './calls.js';

/**
 * The connection test ("Test my connection" in settings): what the page needs from the server
 * to check each way media could travel. Any signed-in account may run it (guests may not);
 * `diagnostics.sfuProbe` is rate limited per user.
 */

/** One of the SFU's ICE candidates (mediasoup `IceCandidate`): always `host`, TCP ones passive. */
export const SfuProbeCandidate = z.object({
  foundation: z.string().max(64),
  priority: z.number().int().nonnegative(),
  /** IPv4 or IPv6 address the client should reach (the announced address when one is set). */
  ip: z.string().max(64),
  protocol: z.enum(['udp', 'tcp']),
  port: z.number().int().min(1).max(65535),
  type: z.literal('host'),
  tcpType: z.literal('passive').optional(),
});
export type SfuProbeCandidate = z.infer<typeof SfuProbeCandidate>;

/**
 * A throwaway WebRTC transport on the SFU, just for an ICE connectivity check: the page runs ICE
 * against it with a bare RTCPeerConnection (the SFU is ICE-lite and answers binding requests
 * signed with `password`), which proves that media packets can reach the SFU and come back, by
 * the same path a group call would use. No DTLS or media follows; the server closes it when ICE
 * has connected or after `expiresInMs`, whichever comes first.
 */
export const SfuProbe = z.object({
  /** The transport's id (for the server log; nothing to send back). */
  probeId: z.string().max(64),
  iceParameters: z.object({ usernameFragment: z.string().min(4).max(256), password: z.string().min(22).max(256) }),
  iceCandidates: z.array(SfuProbeCandidate).min(1).max(16),
  /** The SFU's DTLS certificate fingerprints (an SDP answer must carry one). */
  dtlsFingerprints: z.array(z.object({ algorithm: z.string().max(16), value: z.string().max(256) })).min(1).max(8),
  /** How long the transport stays open, ms. */
  expiresInMs: z.number().int().positive(),
});
export type SfuProbe = z.infer<typeof SfuProbe>;

export const diagnosticsRequests = {
  /**
   * The ICE servers this user's calls would get (STUN URLs and TURN URLs with fresh
   * credentials) and whether group calls run on this server. Changes nothing, so the page also
   * times its round trip to measure the signaling connection.
   */
  'diagnostics.ice': {
    request: z.strictObject({}),
    response: z.object({
      ice: IceConfig,
      /** Whether this server has an SFU (group calls); false means `diagnostics.sfuProbe` answers UNAVAILABLE. */
      groupCalls: z.boolean(),
    }),
  },
  /**
   * Open a throwaway transport on the SFU to check that media can reach it (see SfuProbe). One
   * per user at a time (a new one replaces the previous); RATE_LIMITED beyond the per-user
   * budget or the server-wide cap; UNAVAILABLE without an SFU.
   */
  'diagnostics.sfuProbe': {
    request: z.strictObject({}),
    response: SfuProbe,
  },
} as const;
