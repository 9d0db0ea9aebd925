import { describe, expect, it } from 'vitest';
import type { GroupCallInfo, GroupParticipant } from '../../../../common/protocol/index.js';
import { isGroupHost, myParticipant, type GroupCallView } from '../../../../renderer/store/groupCallSlice.js';
import { createAppStore } from '../../../../renderer/store/index.js';
import { alice } from './fixtures.js';

const CALL_ID = 'call_AAAAAAAAAAAAAAAA';

function participant(participantId: string, overrides: Partial<GroupParticipant> = {}): GroupParticipant {
  return { participantId, userId: 1, displayName: participantId, guest: false, host: false, muted: false, mutedByHost: false, joinedAt: 1, ...overrides };
}

function call(conversationId: number, participants: GroupParticipant[] = []): GroupCallInfo {
  return { callId: CALL_ID, conversationId, startedAt: 1, cap: 50, participants };
}

function view(overrides: Partial<GroupCallView> = {}): GroupCallView {
  return {
    callId: CALL_ID,
    conversationId: 10,
    participantId: 'me',
    phase: 'connected',
    status: 'Connected',
    participants: [participant('me', { host: true }), participant('other')],
    startedAt: 1,
    muted: false,
    mutedByHost: false,
    microphoneId: '',
    lowBandwidth: false,
    lowBandwidthReason: null,
    ...overrides,
  };
}

const stream = (id: string) => ({ id }) as unknown as MediaStream;

describe('groupCallSlice', () => {
  describe('#setOngoingGroupCall', () => {
    it('adds, replaces and removes a conversation’s call', () => {
      const store = createAppStore();
      store.getState().setOngoingGroupCall(10, call(10));
      store.getState().setOngoingGroupCall(11, call(11));
      store.getState().setOngoingGroupCall(10, call(10, [participant('a')]));
      expect(store.getState().ongoingGroupCalls[10]?.participants).toHaveLength(1);
      store.getState().setOngoingGroupCall(10, null);
      expect(Object.keys(store.getState().ongoingGroupCalls)).toEqual(['11']);
    });

    it('replaces every ongoing call at once (sync)', () => {
      const store = createAppStore();
      store.getState().setOngoingGroupCall(10, call(10));
      store.getState().setOngoingGroupCalls([call(12)]);
      expect(Object.keys(store.getState().ongoingGroupCalls)).toEqual(['12']);
    });
  });

  describe('#updateGroupCall', () => {
    it('patches the current call and ignores patches when there is none', () => {
      const store = createAppStore();
      store.getState().updateGroupCall({ muted: true });
      expect(store.getState().groupCall).toBeNull();
      store.getState().setGroupCall(view());
      store.getState().updateGroupCall({ muted: true, status: 'Reconnecting audio…' });
      expect(store.getState().groupCall).toMatchObject({ muted: true, status: 'Reconnecting audio…', callId: CALL_ID });
    });
  });

  describe('#setParticipantStream', () => {
    it('keeps one stream per participant and drops it on null', () => {
      const store = createAppStore();
      store.getState().setParticipantStream('a', stream('1'));
      store.getState().setParticipantStream('b', stream('2'));
      store.getState().setParticipantStream('a', stream('3'));
      expect(store.getState().remoteStreams).toEqual({ a: stream('3'), b: stream('2') });
      store.getState().setParticipantStream('a', null);
      expect(Object.keys(store.getState().remoteStreams)).toEqual(['b']);
    });

    it('does not notify subscribers when dropping a stream it does not hold', () => {
      const store = createAppStore();
      let changes = 0;
      store.subscribe(() => changes++);
      store.getState().setParticipantStream('nobody', null);
      expect(changes).toBe(0);
    });

    it('clears streams and speakers together', () => {
      const store = createAppStore();
      store.getState().setParticipantStream('a', stream('1'));
      store.getState().setSpeakers(['a']);
      store.getState().clearParticipantStreams();
      expect(store.getState()).toMatchObject({ remoteStreams: {}, speakers: [] });
    });
  });

  describe('notices', () => {
    it('shows a notice with a fresh id each time, of the given kind', () => {
      const store = createAppStore();
      store.getState().showGroupNotice('Muted by host');
      const first = store.getState().groupNotice;
      store.getState().showGroupNotice('Muted by host');
      expect(first).toMatchObject({ text: 'Muted by host', kind: 'info' });
      expect(store.getState().groupNotice?.id).not.toBe(first?.id);
      store.getState().showGroupNotice('The host asks you to unmute', 'askToUnmute');
      expect(store.getState().groupNotice?.kind).toBe('askToUnmute');
      store.getState().dismissGroupNotice();
      expect(store.getState().groupNotice).toBeNull();
    });
  });

  describe('helpers', () => {
    it('finds my entry and whether I host', () => {
      expect(myParticipant(view())?.participantId).toBe('me');
      expect(isGroupHost(view())).toBe(true);
      expect(isGroupHost(view({ participantId: 'other' }))).toBe(false);
      expect(isGroupHost(view({ participantId: null }))).toBe(false);
      expect(isGroupHost(null)).toBe(false);
    });
  });

  it('is emptied on sign-out', () => {
    const store = createAppStore();
    store.getState().setSession('t', alice);
    store.getState().setGroupCall(view());
    store.getState().setOngoingGroupCall(10, call(10));
    store.getState().setParticipantStream('a', stream('1'));
    store.getState().showGroupNotice('The call is full');
    store.getState().signedOut();
    expect(store.getState()).toMatchObject({ groupCall: null, ongoingGroupCalls: {}, remoteStreams: {}, speakers: [], groupNotice: null });
  });
});
