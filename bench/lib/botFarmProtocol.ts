/**
 * The IPC contract between BotFarm (parent) and botFarmProcess (child): one request / one reply
 * per `id`. Plain JSON over Node's child-process channel.
 */
import type { SessionResponse } from '../../common/protocol/index.js';
import type { BotReceiveStats } from './PlainRtpBot.js';

export interface BotSpec {
  session: SessionResponse;
  conversationId: number;
  /** Tone (Hz) or null for digital silence (Opus DTX). */
  toneHz: number | null;
  /** Read and count what arrives (default true); see PlainRtpBotOptions.listen. */
  listen?: boolean;
}

export type FarmRequest =
  | { op: 'join'; wsUrl: string; bots: BotSpec[]; concurrency: number }
  | { op: 'setTones'; tones: Array<number | null> }
  | { op: 'consumerCounts' }
  | { op: 'receiveStats' }
  | { op: 'joinTimes' }
  | { op: 'closeAll' };

/** Outcome of one bot's join: its index in the farm, or the error code that refused it. */
export type JoinOutcome = { ok: true; index: number } | { ok: false; code: string; message: string };

export interface FarmReplies {
  join: JoinOutcome[];
  setTones: null;
  consumerCounts: number[];
  receiveStats: BotReceiveStats[];
  /** Per bot: group.join sent → first RTP packet received, ms (null while none). */
  joinTimes: Array<number | null>;
  closeAll: null;
}

export type FarmMessage = { id: number; request: FarmRequest };
export type FarmReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
