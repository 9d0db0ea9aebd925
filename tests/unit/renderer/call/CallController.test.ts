import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallInfo } from '../../../../common/protocol/calls.js';
import { CallController } from '../../../../renderer/call/CallController.js';
import { silentLogger } from '../../../../renderer/lib/createLogger.js';
import { SignalingClient } from '../../../../renderer/signaling/SignalingClient.js';
import { createAppStore } from '../../../../renderer/store/index.js';
import { fakeSockets, memoryBridge } from '../fakes.js';
import { fakeGetUserMedia, type FakeTrack } from '../group/fakeMediasoup.js';
import { alice, bob } from '../store/fixtures.js';

const settle = () => vi.advanceTimersByTimeAsync(0);

const incoming: CallInfo = { callId: 'call_1111111111111111', conversationId: 10, caller: bob, callee: alice, state: 'ringing', startedAt: 1, answeredAt: null };
const ice = { iceServers: [], iceTransportPolicy: 'all' as const, expiresAt: 0 };

/** Just enough RTCPeerConnection for PeerCall: one audio sender whose track can be replaced. */
function fakePeerConnection() {
  const sender = { track: null as FakeTrack | null, replaceTrack: vi.fn(async (track: FakeTrack) => void (sender.track = track)) };
  const pc = {
    sender,
    addTrack: vi.fn((track: FakeTrack) => {
      sender.track = track;
      return sender;
    }),
    getSenders: () => [sender],
    getStats: async () => new Map(),
    close: vi.fn(),
    connectionState: 'new',
    iceConnectionState: 'new',
    signalingState: 'stable',
  };
  return pc;
}

function setup(opts: { getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream> } = {}) {
  const sockets = fakeSockets();
  const client = new SignalingClient({ url: 'ws://server/ws', token: 't', createSocket: sockets.create, backoff: { random: () => 1 }, logger: silentLogger });
  const store = createAppStore();
  store.getState().setSession('t', { ...alice, permissions: [] });
  store.getState().setMe({ ...alice, permissions: [] });
  const { bridge, state } = memoryBridge('t', 'electron');
  const ringer = { start: vi.fn(), stop: vi.fn() };
  const mic = fakeGetUserMedia();
  const pcs: ReturnType<typeof fakePeerConnection>[] = [];
  let microphoneId = '';
  const calls = new CallController({
    store,
    bridge,
    ringer,
    getUserMedia: opts.getUserMedia ?? mic.getUserMedia,
    createPeerConnection: () => {
      const pc = fakePeerConnection();
      pcs.push(pc);
      return pc as unknown as RTCPeerConnection;
    },
    microphoneId: () => microphoneId,
    logger: silentLogger,
  });
  calls.attach(client);
  client.connect();
  const socket = sockets.last();
  socket.onRequest = (request) =>
    queueMicrotask(() => {
      if (request.method === 'call.accept') socket.respond(request.id, { call: { ...incoming, state: 'active', answeredAt: 2 }, ice });
      else socket.respond(request.id, {});
    });
  socket.open();
  return { store, state, ringer, mic, pcs, calls, socket, useMicrophone: (id: string) => (microphoneId = id) };
}

describe('CallController', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  describe('ringing', () => {
    it('rings here and tells the host (ring window, notification) with the caller\'s name', async () => {
      const t = setup();
      t.socket.notify('call.incoming', { call: incoming });
      await settle();
      expect(t.ringer.start).toHaveBeenCalledWith('ringtone');
      expect(t.state.ringsStarted).toEqual([{ callId: 'call_1111111111111111', callerName: 'Bob', conversationId: 10 }]);
      expect(t.store.getState().call).toMatchObject({ phase: 'incoming', peerName: 'Bob' });
    });

    it('ends the host\'s ring as missed when the caller gives up or nobody answers', async () => {
      for (const reason of ['cancelled', 'no_answer'] as const) {
        const t = setup();
        t.socket.notify('call.incoming', { call: incoming });
        t.socket.notify('call.ended', { callId: 'call_1111111111111111', reason, durationMs: 0 });
        await settle();
        expect(t.state.ringsEnded).toEqual([{ callId: 'call_1111111111111111', missed: true }]);
        expect(t.store.getState().callNotice?.text).toBe('Missed call from Bob');
      }
    });

    it('ends the host\'s ring as not missed when answered or declined here', async () => {
      const accepted = setup();
      accepted.socket.notify('call.incoming', { call: incoming });
      await settle();
      await accepted.calls.accept();
      expect(accepted.state.ringsEnded).toEqual([{ callId: 'call_1111111111111111', missed: false }]);

      const declined = setup();
      declined.socket.notify('call.incoming', { call: incoming });
      await settle();
      await declined.calls.decline(true);
      expect(declined.state.ringsEnded).toEqual([{ callId: 'call_1111111111111111', missed: false }]);
      expect(declined.socket.sent.find((r) => r.method === 'call.decline')?.data).toEqual({ callId: 'call_1111111111111111', busy: true });
    });

    it('plays no ringtone in do not disturb; the host still hears of it (it records a missed call)', async () => {
      const t = setup();
      t.store.getState().setPresence(alice.id, 'dnd');
      t.socket.notify('call.incoming', { call: incoming });
      await settle();
      expect(t.ringer.start).not.toHaveBeenCalled();
      expect(t.state.ringsStarted).toHaveLength(1);
      expect(t.store.getState().call?.status).toBe('Incoming call (do not disturb)');
    });
  });

  describe('#accept', () => {
    it('answers without waiting for the microphone to open', async () => {
      let grant: () => void = () => undefined;
      const mic = fakeGetUserMedia();
      const t = setup({ getUserMedia: (c) => new Promise((resolve) => (grant = () => resolve(mic.getUserMedia(c)))) });
      t.socket.notify('call.incoming', { call: incoming });
      await settle();
      const accepting = t.calls.accept();
      await settle();
      // The microphone has not opened yet, and the server already has the answer.
      expect(t.socket.sent.map((r) => r.method)).toContain('call.accept');
      expect(t.pcs).toHaveLength(0);
      grant();
      await accepting;
      await settle();
      expect(t.pcs).toHaveLength(1);
      expect(t.store.getState().call?.phase).toBe('active');
    });

    it('hangs an answered call up when the microphone cannot be opened, and says why', async () => {
      const t = setup({ getUserMedia: () => Promise.reject(new Error('Permission denied')) });
      t.socket.notify('call.incoming', { call: incoming });
      await settle();
      await t.calls.accept();
      await settle();
      expect(t.socket.sent.map((r) => r.method)).toEqual(expect.arrayContaining(['call.accept', 'call.hangup']));
      expect(t.store.getState().call).toBeNull();
      expect(t.store.getState().callNotice?.text).toBe('Could not answer: Permission denied');
      expect(t.pcs).toHaveLength(0);
    });
  });

  describe('#switchMicrophone', () => {
    it('opens the chosen microphone for new calls', async () => {
      const t = setup();
      t.useMicrophone('headset');
      t.socket.notify('call.incoming', { call: incoming });
      await settle();
      await t.calls.accept();
      expect(t.mic.opened[0]?.constraints.audio).toMatchObject({ deviceId: { exact: 'headset' }, echoCancellation: true });
    });

    it('replaces the sender\'s track mid-call without a new sender, keeps mute, and stops the old microphone', async () => {
      const t = setup();
      t.socket.notify('call.incoming', { call: incoming });
      await settle();
      await t.calls.accept();
      await settle();
      const pc = t.pcs[0]!;
      const oldTrack = pc.sender.track!;
      t.calls.toggleMute();
      await t.calls.switchMicrophone('usb-mic');
      expect(t.mic.opened.at(-1)?.constraints.audio).toMatchObject({ deviceId: { exact: 'usb-mic' } });
      expect(pc.sender.replaceTrack).toHaveBeenCalledTimes(1);
      expect(pc.getSenders()).toHaveLength(1);
      expect(pc.sender.track).not.toBe(oldTrack);
      expect(pc.sender.track?.enabled).toBe(false);
      expect(oldTrack.stopped).toBe(true);
      expect(t.pcs).toHaveLength(1);
    });

    it('does nothing outside a call', async () => {
      const t = setup();
      await t.calls.switchMicrophone('usb-mic');
      expect(t.mic.opened).toEqual([]);
    });
  });
});
