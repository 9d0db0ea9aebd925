import { describe, expect, it, vi } from 'vitest';
import { HostLink, hostStateOf } from '../../../../renderer/app/HostLink.js';
import { silentLogger } from '../../../../renderer/lib/createLogger.js';
import type { CurrentCall } from '../../../../renderer/store/callSlice.js';
import type { GroupCallView } from '../../../../renderer/store/groupCallSlice.js';
import { createAppStore } from '../../../../renderer/store/index.js';
import { memoryBridge } from '../fakes.js';
import { alice, conversation } from '../store/fixtures.js';

const me = { ...alice, permissions: [] };

function call(overrides: Partial<CurrentCall> = {}): CurrentCall {
  return { callId: 'c1', conversationId: 10, phase: 'active', peerName: 'Bob', status: 'Connected', answeredAt: 1, muted: false, quality: null, path: 'direct', relayTransport: null, micLevel: 0, lowBandwidth: false, lowBandwidthReason: null, peerLowBandwidth: false, ...overrides };
}

function groupView(overrides: Partial<GroupCallView> = {}): GroupCallView {
  return { callId: 'g1', conversationId: 10, participantId: 'p1', phase: 'connected', status: 'Connected', participants: [], startedAt: 1, muted: false, mutedByHost: false, microphoneId: '', lowBandwidth: false, lowBandwidthReason: null, ...overrides };
}

function setup(options: { signedIn?: boolean; now?: () => number } = {}) {
  const store = createAppStore();
  if (options.signedIn ?? true) {
    store.getState().setSession('token', me);
    store.getState().setMe(me);
    store.getState().setConversations([conversation()]);
    store.getState().setSynced();
  }
  const { bridge, state, dispatch, listenerCount } = memoryBridge('token', 'electron');
  const app = { setPresence: vi.fn(async () => undefined), selectConversation: vi.fn(async () => undefined) };
  const calls = { toggleMute: vi.fn(), accept: vi.fn(async () => undefined), decline: vi.fn(async () => undefined) };
  const groupCalls = { toggleMute: vi.fn(async () => undefined), join: vi.fn(async () => undefined) };
  const devices = { choose: vi.fn(async () => undefined) };
  const link = new HostLink({ store, bridge, app, calls, groupCalls, devices, logger: silentLogger, ...(options.now ? { now: options.now } : {}) });
  link.start();
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { store, state, dispatch, listenerCount, app, calls, groupCalls, devices, link, settle };
}

describe('HostLink', () => {
  describe('commands', () => {
    it('toggleMute mutes the 1-on-1 call, or the group call when in one', async () => {
      const t = setup();
      t.dispatch({ type: 'toggleMute' });
      await t.settle();
      expect(t.calls.toggleMute).not.toHaveBeenCalled(); // no call: nothing to mute

      t.store.getState().setCall(call());
      t.dispatch({ type: 'toggleMute' });
      await t.settle();
      expect(t.calls.toggleMute).toHaveBeenCalledTimes(1);

      t.store.getState().setCall(null);
      t.store.getState().setGroupCall(groupView());
      t.dispatch({ type: 'toggleMute' });
      await t.settle();
      expect(t.groupCalls.toggleMute).toHaveBeenCalledTimes(1);
      expect(t.calls.toggleMute).toHaveBeenCalledTimes(1);
    });

    it('answerRing accepts, declines or declines as busy the call ringing now, and ignores other calls', async () => {
      const t = setup();
      t.store.getState().setCall(call({ phase: 'incoming', callId: 'ring-1' }));
      t.dispatch({ type: 'answerRing', callId: 'older', response: 'accept' });
      await t.settle();
      expect(t.calls.accept).not.toHaveBeenCalled();

      t.dispatch({ type: 'answerRing', callId: 'ring-1', response: 'busy' });
      await t.settle();
      expect(t.calls.decline).toHaveBeenLastCalledWith(true);
      t.dispatch({ type: 'answerRing', callId: 'ring-1', response: 'decline' });
      await t.settle();
      expect(t.calls.decline).toHaveBeenLastCalledWith(false);
      t.dispatch({ type: 'answerRing', callId: 'ring-1', response: 'accept' });
      await t.settle();
      expect(t.calls.accept).toHaveBeenCalledTimes(1);
    });

    it('setPresence, chooseDevice, openConversation and joinGroupCall go to their owners', async () => {
      const t = setup();
      t.dispatch({ type: 'setPresence', presence: 'dnd' });
      t.dispatch({ type: 'chooseDevice', role: 'speaker', device: { id: 'x', label: 'Headset' } });
      t.dispatch({ type: 'openConversation', conversationId: 10 });
      t.dispatch({ type: 'joinGroupCall', conversationId: 10 });
      t.dispatch({ type: 'openConversation', conversationId: 99 }); // not mine: ignored
      await t.settle();
      expect(t.app.setPresence).toHaveBeenCalledWith('dnd');
      expect(t.devices.choose).toHaveBeenCalledWith('speaker', { id: 'x', label: 'Headset' });
      expect(t.app.selectConversation.mock.calls).toEqual([[10], [10]]);
      expect(t.groupCalls.join).toHaveBeenCalledWith(10);
    });

    it('keeps account commands sent before sign-in finished (a deep link at launch) until the account has loaded', async () => {
      let now = 0;
      const t = setup({ signedIn: false, now: () => now });
      t.dispatch({ type: 'joinGroupCall', conversationId: 10 });
      t.dispatch({ type: 'setPresence', presence: 'dnd' });
      t.dispatch({ type: 'chooseDevice', role: 'microphone', device: null }); // needs no account: at once
      await t.settle();
      expect(t.devices.choose).toHaveBeenCalledTimes(1);
      expect(t.groupCalls.join).not.toHaveBeenCalled();
      expect(t.app.setPresence).not.toHaveBeenCalled();

      t.store.getState().setSession('token', me);
      await t.settle();
      expect(t.groupCalls.join).not.toHaveBeenCalled(); // conversations not loaded yet
      t.store.getState().setMe(me);
      t.store.getState().setConversations([conversation()]);
      t.store.getState().setSynced();
      await t.settle();
      expect(t.groupCalls.join).toHaveBeenCalledWith(10);
      expect(t.app.setPresence).toHaveBeenCalledWith('dnd');

      // Too old by the time the account loads: dropped.
      t.store.getState().signedOut();
      t.dispatch({ type: 'openConversation', conversationId: 10 });
      now += 121_000;
      t.store.getState().setSession('token', me);
      t.store.getState().setConversations([conversation()]);
      t.store.getState().setSynced();
      await t.settle();
      expect(t.app.selectConversation).toHaveBeenCalledTimes(1); // only joinGroupCall's
    });

    it('drops malformed commands (they crossed a process boundary)', async () => {
      const t = setup();
      await t.link.handle({ type: 'chooseDevice', role: 'camera', device: null });
      await t.link.handle({ type: 'setPresence', presence: 'busy' });
      await t.link.handle({ type: 'launchMissiles' });
      expect(t.devices.choose).not.toHaveBeenCalled();
      expect(t.app.setPresence).not.toHaveBeenCalled();
    });

    it('stops listening when disposed', () => {
      const t = setup();
      expect(t.listenerCount()).toBe(1);
      t.link.dispose();
      expect(t.listenerCount()).toBe(0);
    });
  });

  describe('host state', () => {
    it('reports signed in, presence, in call and muted whenever they change, once per change', () => {
      const t = setup();
      expect(t.state.hostStates).toEqual([{ signedIn: true, presence: 'online', inCall: false, muted: false }]);
      t.store.getState().setPresence(alice.id, 'dnd');
      t.store.getState().setCall(call({ phase: 'incoming' }));
      t.store.getState().updateCall({ phase: 'active' });
      t.store.getState().updateCall({ muted: true });
      t.store.getState().updateCall({ micLevel: 0.5 }); // not host state: no report
      t.store.getState().setCall(null);
      t.store.getState().signedOut();
      expect(t.state.hostStates.slice(1)).toEqual([
        { signedIn: true, presence: 'dnd', inCall: false, muted: false },
        { signedIn: true, presence: 'dnd', inCall: true, muted: false },
        { signedIn: true, presence: 'dnd', inCall: true, muted: true },
        { signedIn: true, presence: 'dnd', inCall: false, muted: false },
        { signedIn: false, presence: 'online', inCall: false, muted: false },
      ]);
    });

    it('takes the group call\'s mute state', () => {
      const store = createAppStore();
      store.getState().setGroupCall(groupView({ muted: true }));
      expect(hostStateOf(store.getState())).toEqual({ signedIn: false, presence: 'online', inCall: true, muted: true });
    });
  });
});
