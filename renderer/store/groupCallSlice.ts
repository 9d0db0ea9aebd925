import type { GroupCallInfo, GroupParticipant } from '../../common/protocol/groupCalls.js';
import type { LowBandwidthReason } from '../call/LowBandwidthPolicy.js';
import type { AppSlice } from './AppState.js';

/**
 * - `joining`: starting or joining; signaling and media are being set up.
 * - `connected`: in the call; audio flows.
 * - `reconnecting`: media is being set up again (the SFU lost its worker, or signaling came back).
 */
export type GroupCallPhase = 'joining' | 'connected' | 'reconnecting';

/** The group call this device takes part in (at most one at a time). */
export interface GroupCallView {
  /** Empty until the server answered group.join. */
  callId: string;
  conversationId: number;
  /** My participant id in the call (changes on every join); null until joined. */
  participantId: string | null;
  phase: GroupCallPhase;
  /** Status text shown to people: `Starting…`, `Joining…`, `Connected`, `Reconnecting audio…`. */
  status: string;
  /** Everyone in the call, me included, in the server's order. */
  participants: GroupParticipant[];
  /** When the call started (server clock, ms since epoch); null until joined. */
  startedAt: number | null;
  /** My microphone is muted (by me or by the host). */
  muted: boolean;
  /** The host muted me and has not allowed me to unmute yet. */
  mutedByHost: boolean;
  /** The microphone in use (MediaDeviceInfo.deviceId); '' = the system default. */
  microphoneId: string;
  /** Low-bandwidth mode: Opus at ~16 kbps, and only the active speakers are received. */
  lowBandwidth: boolean;
  /** Why it is on (the setting, the automatic switch, the call's button); null while off. */
  lowBandwidthReason: LowBandwidthReason | null;
}

/**
 * A visible outcome or request about group calls, until dismissed: "The call is full",
 * "Muted by host". `askToUnmute` is the host's request, shown with an Unmute button.
 */
export interface GroupCallNotice {
  text: string;
  kind: 'info' | 'askToUnmute';
  /** Monotonic id so the same text twice still re-renders. */
  id: number;
}

export interface GroupCallSlice {
  groupCall: GroupCallView | null;
  /** The ongoing call of each of my conversations that has one, by conversation id. */
  ongoingGroupCalls: Record<number, GroupCallInfo>;
  /** The audio of each other participant I receive, by participant id; one <audio> each. */
  remoteStreams: Record<string, MediaStream>;
  /** Participant ids speaking now, loudest first. */
  speakers: string[];
  groupNotice: GroupCallNotice | null;
  setGroupCall(view: GroupCallView | null): void;
  updateGroupCall(patch: Partial<GroupCallView>): void;
  /** A conversation's call started or changed (`call`), or ended (null). */
  setOngoingGroupCall(conversationId: number, call: GroupCallInfo | null): void;
  /** Replace every ongoing call (sync.state after a (re)connect). */
  setOngoingGroupCalls(calls: GroupCallInfo[]): void;
  setParticipantStream(participantId: string, stream: MediaStream | null): void;
  clearParticipantStreams(): void;
  setSpeakers(participantIds: string[]): void;
  showGroupNotice(text: string, kind?: GroupCallNotice['kind']): void;
  dismissGroupNotice(): void;
}

let noticeIds = 0;

export const initialGroupCallState = {
  groupCall: null as GroupCallView | null,
  ongoingGroupCalls: {} as Record<number, GroupCallInfo>,
  remoteStreams: {} as Record<string, MediaStream>,
  speakers: [] as string[],
  groupNotice: null as GroupCallNotice | null,
};

export const createGroupCallSlice: AppSlice<GroupCallSlice> = (set) => ({
  ...initialGroupCallState,
  setGroupCall: (groupCall) => set({ groupCall }),
  updateGroupCall: (patch) => set((state) => (state.groupCall ? { groupCall: { ...state.groupCall, ...patch } } : {})),
  setOngoingGroupCall: (conversationId, call) =>
    set((state) => {
      const ongoingGroupCalls = { ...state.ongoingGroupCalls };
      if (call) ongoingGroupCalls[conversationId] = call;
      else delete ongoingGroupCalls[conversationId];
      return { ongoingGroupCalls };
    }),
  setOngoingGroupCalls: (calls) => set({ ongoingGroupCalls: Object.fromEntries(calls.map((call) => [call.conversationId, call])) }),
  setParticipantStream: (participantId, stream) =>
    set((state) => {
      // Nothing to drop: hand back the same state so subscribers are not woken.
      if (!stream && !(participantId in state.remoteStreams)) return state;
      const remoteStreams = { ...state.remoteStreams };
      if (stream) remoteStreams[participantId] = stream;
      else delete remoteStreams[participantId];
      return { remoteStreams };
    }),
  clearParticipantStreams: () => set({ remoteStreams: {}, speakers: [] }),
  setSpeakers: (speakers) => set({ speakers }),
  showGroupNotice: (text, kind = 'info') => set({ groupNotice: { text, kind, id: ++noticeIds } }),
  dismissGroupNotice: () => set({ groupNotice: null }),
});

/** My own entry in the call's participant list (undefined until joined, or once dropped). */
export function myParticipant(view: GroupCallView | null): GroupParticipant | undefined {
  if (!view?.participantId) return undefined;
  return view.participants.find((p) => p.participantId === view.participantId);
}

/** Whether I host the call I am in (host controls: mute others, mute all, ask to unmute). */
export function isGroupHost(view: GroupCallView | null): boolean {
  return myParticipant(view)?.host ?? false;
}
