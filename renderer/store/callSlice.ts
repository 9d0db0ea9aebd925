import type { CallRecord } from '../../common/protocol/calls.js';
import type { CallQuality } from '../call/callQuality.js';
import type { LowBandwidthReason } from '../call/LowBandwidthPolicy.js';
import type { RelayTransport } from '../call/PeerCall.js';
import type { AppSlice } from './AppState.js';

/**
 * - `outgoing`: we placed the call; the other side's devices are (about to be) ringing.
 * - `incoming`: our devices ring.
 * - `active`: answered; media is (being) set up.
 */
export type CallPhase = 'outgoing' | 'incoming' | 'active';

/** The call shown in the UI (at most one at a time). */
export interface CurrentCall {
  callId: string;
  conversationId: number;
  phase: CallPhase;
  /** The other person's display name. */
  peerName: string;
  /** Status text shown to people: `Calling…`, `Ringing…`, `Connecting…`, `Connected`, `Reconnecting…`. */
  status: string;
  /** When the call was answered, local clock ms (drives the timer); null before. */
  answeredAt: number | null;
  muted: boolean;
  quality: CallQuality | null;
  /** Whether media goes directly between the two or through the TURN relay. */
  path: 'direct' | 'relay' | 'unknown';
  /** How this side reaches TURN when it relays itself (over UDP, TCP or TLS); null otherwise. */
  relayTransport: RelayTransport | null;
  /** Microphone level 0–1 (RMS), updated about ten times a second. */
  micLevel: number;
  /** Low-bandwidth mode is on for this call (Opus ~16 kbps, 60 ms packets, both directions). */
  lowBandwidth: boolean;
  /** Why it is on (the setting, the automatic switch, the call's button); null while off. */
  lowBandwidthReason: LowBandwidthReason | null;
  /** The other person's side asks for low bandwidth (their mode is on), whatever ours is. */
  peerLowBandwidth: boolean;
}

/** A visible, dismissable outcome: "Bob is offline", "Call declined", "Voice call ended · 1:02"… */
export interface CallNotice {
  text: string;
  /** Monotonic id so the same text twice still re-renders. */
  id: number;
}

export interface CallSlice {
  call: CurrentCall | null;
  /** The other side's audio; played by the call panel's <audio> element. */
  remoteStream: MediaStream | null;
  callNotice: CallNotice | null;
  callHistory: CallRecord[];
  setCall(call: CurrentCall | null): void;
  updateCall(patch: Partial<CurrentCall>): void;
  setRemoteStream(stream: MediaStream | null): void;
  showCallNotice(text: string): void;
  dismissCallNotice(): void;
  setCallHistory(calls: CallRecord[]): void;
}

let noticeIds = 0;

export const initialCallState = {
  call: null as CurrentCall | null,
  remoteStream: null as MediaStream | null,
  callNotice: null as CallNotice | null,
  callHistory: [] as CallRecord[],
};

export const createCallSlice: AppSlice<CallSlice> = (set) => ({
  ...initialCallState,
  setCall: (call) => set({ call }),
  updateCall: (patch) => set((state) => (state.call ? { call: { ...state.call, ...patch } } : {})),
  setRemoteStream: (remoteStream) => set({ remoteStream }),
  showCallNotice: (text) => set({ callNotice: { text, id: ++noticeIds } }),
  dismissCallNotice: () => set({ callNotice: null }),
  setCallHistory: (callHistory) => set({ callHistory }),
});
