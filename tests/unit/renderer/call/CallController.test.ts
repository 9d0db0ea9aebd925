import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallInfo } from '../../../../common/protocol/calls.js';
import { CallController } from '../../../../renderer/call/CallController.js';
import { applyOpusSettings, LOW_BANDWIDTH_OPUS, readRequestedOpus } from '../../../../renderer/call/opusSdp.js';
import { SWITCH_MAX_BITRATE, SWITCH_TIMEOUT_MS } from '../../../../renderer/call/PeerCall.js';
import { silentLogger } from '../../../../renderer/lib/createLogger.js';
import { SignalingClient } from '../../../../renderer/signaling/SignalingClient.js';
import { createAppStore } from '../../../../renderer/store/index.js';
import { fakeSockets, memoryBridge } from '../fakes.js';
import { fakeGetUserMedia, type FakeTrack } from '../group/fakeMediasoup.js';
import { alice, bob } from '../store/fixtures.js';

const settle = () => vi.advanceTimersByTimeAsync(0);

const incoming: CallInfo = { callId: 'call_1111111111111111', conversationId: 10, caller: bob, callee: alice, state: 'ringing', startedAt: 1, answeredAt: null };
const ice = { iceServers: [], iceTransportPolicy: 'all' as const, expiresAt: 0 };

/** A minimal offer/answer body: one audio section with Opus (what the fake peer connection "creates"). */
const SDP = ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1', ''].join('\r\n');

/**
 * Just enough RTCPeerConnection for PeerCall: one audio sender whose track can be replaced and
 * whose encoding parameters are recorded, descriptions that are only stored, and getStats()
 * reporting `stats` (a test makes incoming packets go missing by raising `lost`).
 */
function fakePeerConnection() {
  const sender = {
    track: null as FakeTrack | null,
    replaceTrack: vi.fn(async (track: FakeTrack) => void (sender.track = track)),
    parameters: { encodings: [{}] as RTCRtpEncodingParameters[] },
    getParameters: () => structuredClone(sender.parameters),
    setParameters: vi.fn(async (parameters: { encodings: RTCRtpEncodingParameters[] }) => void (sender.parameters = parameters)),
  };
  const stats = { lost: 0, received: 0 };
  const pc = {
    sender,
    stats,
    addTrack: vi.fn((track: FakeTrack) => {
      sender.track = track;
      return sender;
    }),
    getSenders: () => [sender],
    getStats: async () => new Map([['in', { id: 'in', type: 'inbound-rtp', kind: 'audio', packetsLost: stats.lost, packetsReceived: stats.received }]]),
    localDescription: null as RTCSessionDescriptionInit | null,
    remoteDescription: null as RTCSessionDescriptionInit | null,
    /** An offer applied and not answered yet: the next local description is the answer. */
    answering: false,
    setLocalDescription: vi.fn(async () => {
      pc.localDescription = { type: pc.answering ? 'answer' : 'offer', sdp: SDP };
      setSignalingState(pc.answering ? 'stable' : 'have-local-offer');
      pc.answering = false;
    }),
    setRemoteDescription: vi.fn(async (description: RTCSessionDescriptionInit) => {
      pc.remoteDescription = description;
      pc.answering = description.type === 'offer';
      setSignalingState(description.type === 'offer' ? 'have-remote-offer' : 'stable');
    }),
    close: vi.fn(),
    connectionState: 'new',
    iceConnectionState: 'new',
    signalingState: 'stable' as RTCSignalingState,
    onsignalingstatechange: null as (() => void) | null,
  };
  const setSignalingState = (state: RTCSignalingState) => {
    if (pc.signalingState === state) return;
    pc.signalingState = state;
    pc.onsignalingstatechange?.();
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

/** Bob calls, Alice (this controller) answers and gets Bob's offer; the answer goes back. */
async function answered(t: ReturnType<typeof setup>, offer = SDP) {
  t.socket.notify('call.incoming', { call: incoming });
  await settle();
  await t.calls.accept();
  await settle();
  t.socket.notify('call.signal', { callId: incoming.callId, signal: { type: 'offer', sdp: offer } });
  await settle();
  return t.pcs[0]!;
}

/** The descriptions this side sent through call.signal, oldest first. */
function sentDescriptions(t: ReturnType<typeof setup>): Array<{ type: string; sdp: string }> {
  return t.socket.sent
    .filter((r) => r.method === 'call.signal')
    .map((r) => (r.data as { signal: { type: string; sdp?: string } }).signal)
    .filter((s): s is { type: string; sdp: string } => s.type !== 'candidate');
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

    it('counts a call the server refused (do not disturb) as missed with the host, silently', async () => {
      const t = setup();
      t.store.getState().setPresence(alice.id, 'dnd');
      t.socket.notify('call.missed', { callId: 'call_2222222222222222', conversationId: 10, caller: bob, reason: 'dnd' });
      await settle();
      expect(t.state.ringsEnded).toEqual([{ callId: 'call_2222222222222222', missed: true }]);
      expect(t.state.ringsStarted).toEqual([]);
      expect(t.state.notifications).toEqual([]);
      expect(t.ringer.start).not.toHaveBeenCalled();
      expect(t.store.getState().call).toBeNull();
    });

    it('counts a call missed while in another call and says who tried, without touching the call', async () => {
      const t = setup();
      const pc = await answered(t);
      t.ringer.start.mockClear();
      t.socket.notify('call.missed', { callId: 'call_2222222222222222', conversationId: 11, caller: { ...bob, id: 9, displayName: 'Carol' }, reason: 'busy' });
      await settle();
      expect(t.state.ringsEnded).toContainEqual({ callId: 'call_2222222222222222', missed: true });
      expect(t.state.notifications).toEqual([
        { title: 'Missed call', body: 'Carol tried to call you while you were in a call', tag: 'missed-call:call_2222222222222222' },
      ]);
      expect(t.ringer.start).not.toHaveBeenCalled();
      expect(t.store.getState().call).toMatchObject({ callId: incoming.callId, peerName: 'Bob' });
      expect(pc.close).not.toHaveBeenCalled();
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

  describe('low-bandwidth mode', () => {
    it('with the setting on, starts the call at 16 kbps in 60 ms packets both ways and says so', async () => {
      const t = setup();
      t.state.settings.lowBandwidth = 'on';
      const pc = await answered(t);
      // Our encoder: the offer we apply is tightened to our settings; our sender is capped too.
      expect(readRequestedOpus(pc.remoteDescription!.sdp!)).toEqual({ maxAverageBitrate: 16_000, ptime: 60 });
      expect(pc.sender.parameters.encodings[0]?.maxBitrate).toBe(16_000);
      // Theirs: our answer asks them to send the same way.
      const answer = sentDescriptions(t).find((d) => d.type === 'answer')!;
      expect(readRequestedOpus(answer.sdp)).toEqual({ maxAverageBitrate: 16_000, ptime: 60 });
      expect(answer.sdp).toContain('useinbandfec=1');
      expect(t.store.getState().call).toMatchObject({ lowBandwidth: true, lowBandwidthReason: 'setting' });
    });

    it('with the setting off, asks for and sends full quality', async () => {
      const t = setup();
      t.state.settings.lowBandwidth = 'off';
      const pc = await answered(t);
      expect(readRequestedOpus(pc.remoteDescription!.sdp!)).toEqual({ maxAverageBitrate: 32_000, ptime: 20 });
      expect(readRequestedOpus(sentDescriptions(t)[0]!.sdp)).toEqual({ maxAverageBitrate: 32_000, ptime: 20 });
      expect(t.store.getState().call).toMatchObject({ lowBandwidth: false, lowBandwidthReason: null, peerLowBandwidth: false });
    });

    it('on "auto", switches on mid-call after 10 s of poor quality: the cap at once, the packet time by renegotiating', async () => {
      const t = setup();
      const pc = await answered(t);
      expect(t.store.getState().call?.lowBandwidth).toBe(false);
      // 20 % of the incoming packets go missing every second.
      for (let second = 0; second < 9; second++) {
        pc.stats.lost += 10;
        pc.stats.received += 40;
        await vi.advanceTimersByTimeAsync(1000);
      }
      expect(t.store.getState().call?.quality).toBe('poor');
      expect(t.store.getState().call?.lowBandwidth).toBe(false);
      for (let second = 0; second < 3; second++) {
        pc.stats.lost += 10;
        pc.stats.received += 40;
        await vi.advanceTimersByTimeAsync(1000);
      }
      expect(t.store.getState().call).toMatchObject({ lowBandwidth: true, lowBandwidthReason: 'auto' });
      const offer = sentDescriptions(t).at(-1)!;
      expect(offer.type).toBe('offer');
      expect(readRequestedOpus(offer.sdp)).toEqual({ maxAverageBitrate: 16_000, ptime: 60 });
      // While the offer for longer packets is out, the sender leaves the link room for it.
      expect(pc.sender.parameters.encodings[0]?.maxBitrate).toBe(SWITCH_MAX_BITRATE);
      t.socket.notify('call.signal', { callId: incoming.callId, signal: { type: 'answer', sdp: applyOpusSettings(SDP, LOW_BANDWIDTH_OPUS) } });
      await settle();
      expect(pc.signalingState).toBe('stable');
      expect(pc.sender.parameters.encodings[0]?.maxBitrate).toBe(16_000);
      expect(readRequestedOpus(pc.remoteDescription!.sdp!)).toEqual({ maxAverageBitrate: 16_000, ptime: 60 });
      // The call goes on: no hang-up, the same peer connection.
      expect(t.socket.sent.map((r) => r.method)).not.toContain('call.hangup');
      expect(t.pcs).toHaveLength(1);
      expect(pc.close).not.toHaveBeenCalled();
    });

    it('the panel\'s button switches it on and off mid-call, and then the automatic switch stays away', async () => {
      const t = setup();
      const pc = await answered(t);
      t.calls.setLowBandwidth(true);
      await settle();
      expect(t.store.getState().call).toMatchObject({ lowBandwidth: true, lowBandwidthReason: 'manual' });
      expect(readRequestedOpus(sentDescriptions(t).at(-1)!.sdp)).toEqual({ maxAverageBitrate: 16_000, ptime: 60 });
      // Switched back before the answer came: the cap lifts at once, the next offer waits for the answer.
      t.calls.setLowBandwidth(false);
      await settle();
      expect(t.store.getState().call).toMatchObject({ lowBandwidth: false, lowBandwidthReason: null });
      expect(pc.sender.parameters.encodings[0]?.maxBitrate).toBe(32_000);
      t.socket.notify('call.signal', { callId: incoming.callId, signal: { type: 'answer', sdp: SDP } });
      await settle();
      expect(readRequestedOpus(sentDescriptions(t).at(-1)!.sdp)).toEqual({ maxAverageBitrate: 32_000, ptime: 20 });
      expect(pc.sender.parameters.encodings[0]?.maxBitrate).toBe(32_000);
      for (let second = 0; second < 15; second++) {
        pc.stats.lost += 10;
        pc.stats.received += 40;
        await vi.advanceTimersByTimeAsync(1000);
      }
      expect(t.store.getState().call?.lowBandwidth).toBe(false);
    });

    it('if the answer to the switch never comes, the sender goes back up to the mode\'s own cap', async () => {
      const t = setup();
      const pc = await answered(t);
      t.calls.setLowBandwidth(true);
      await settle();
      expect(pc.signalingState).toBe('have-local-offer');
      expect(pc.sender.parameters.encodings[0]?.maxBitrate).toBe(SWITCH_MAX_BITRATE);
      await vi.advanceTimersByTimeAsync(SWITCH_TIMEOUT_MS);
      expect(pc.sender.parameters.encodings[0]?.maxBitrate).toBe(16_000);
    });

    it('switching to shorter packets (mode off) needs no room: full quality at once', async () => {
      const t = setup();
      t.state.settings.lowBandwidth = 'on';
      const pc = await answered(t);
      t.calls.setLowBandwidth(false);
      await settle();
      const caps = pc.sender.setParameters.mock.calls.map(([p]) => p.encodings[0]?.maxBitrate);
      expect(caps).not.toContain(SWITCH_MAX_BITRATE);
      expect(pc.sender.parameters.encodings[0]?.maxBitrate).toBe(32_000);
    });

    it('shows when the other side asked for low bandwidth, and our encoder follows it', async () => {
      const t = setup();
      t.state.settings.lowBandwidth = 'off';
      const pc = await answered(t, applyOpusSettings(SDP, LOW_BANDWIDTH_OPUS));
      expect(t.store.getState().call).toMatchObject({ lowBandwidth: false, peerLowBandwidth: true });
      expect(readRequestedOpus(pc.remoteDescription!.sdp!)).toEqual({ maxAverageBitrate: 16_000, ptime: 60 });
      // Our own cap follows their ask (a higher sender cap would let Chromium's estimator go past it).
      expect(pc.sender.parameters.encodings[0]?.maxBitrate).toBe(16_000);
    });
  });
});
