import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupCallController } from '../../../../renderer/group/GroupCallController.js';
import { silentLogger } from '../../../../renderer/lib/createLogger.js';
import { SignalingClient } from '../../../../renderer/signaling/SignalingClient.js';
import { createAppStore } from '../../../../renderer/store/index.js';
import { fakeSockets, memoryBridge } from '../fakes.js';
import { alice, bob, conversation } from '../store/fixtures.js';
import { CALL_ID, CONVERSATION_ID, callInfo, Fail, FakeGroupServer, joinResponse, participant } from './fakeGroupServer.js';
import { FakeDevice, fakeGetUserMedia, type FakeProducer, type FakeTrack, type FakeTransport } from './fakeMediasoup.js';

/** Let queued microtasks and zero-delay timers run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

function setup(options: { getUserMedia?: (c: MediaStreamConstraints) => Promise<MediaStream> } = {}) {
  const sockets = fakeSockets();
  const client = new SignalingClient({ url: 'ws://server/ws', token: 't', createSocket: sockets.create, backoff: { random: () => 1 }, logger: silentLogger });
  const store = createAppStore();
  store.getState().setSession('t', alice);
  store.getState().setConversations([conversation({ id: CONVERSATION_ID, kind: 'group', title: 'Team', members: [alice, bob] })]);
  const { bridge, state: bridgeState } = memoryBridge('t');
  const mic = fakeGetUserMedia();
  const devices: FakeDevice[] = [];
  /** The next device handed out (to hold its load open); a fresh one otherwise. */
  let nextDevice: FakeDevice | null = null;
  const controller = new GroupCallController({
    store,
    bridge,
    getUserMedia: options.getUserMedia ?? mic.getUserMedia,
    createDevice: () => {
      const device = nextDevice ?? new FakeDevice();
      nextDevice = null;
      devices.push(device);
      return device;
    },
    createStream: (track) => ({ track }) as unknown as MediaStream,
    logger: silentLogger,
  });
  controller.attach(client);
  client.connect();
  const server = new FakeGroupServer(sockets.last());
  sockets.last().open();
  return {
    controller,
    bridge,
    store,
    server,
    sockets,
    client,
    bridgeState,
    mic,
    devices,
    useDevice: (device: FakeDevice) => (nextDevice = device),
    device: () => {
      const device = devices.at(-1);
      if (!device) throw new Error('no device yet');
      return device;
    },
    micTrack: (index = -1) => mic.opened.at(index)?.stream.tracks[0] as FakeTrack,
    producer: (device: FakeDevice) => (device.send as FakeTransport).producers[0] as FakeProducer,
    /** Every producer made on the device's send transport, the first join's first. */
    producers: (device: FakeDevice) => (device.send as FakeTransport).producers as FakeProducer[],
  };
}

/** Joined and connected, with server-side Bob in the call. */
async function joined() {
  const t = setup();
  await t.controller.join(CONVERSATION_ID);
  await settle();
  return t;
}

const consumerFor = (consumerId: string, participantId = 'p-bob') => ({
  callId: CALL_ID,
  consumerId,
  producerId: `producer-${participantId}`,
  participantId,
  kind: 'audio',
  rtpParameters: { codecs: [], encodings: [] },
});

describe('GroupCallController', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  describe('#start', () => {
    it('starts the call, joins it, then publishes the microphone and tells the server it is ready side by side', async () => {
      const t = setup();
      await t.controller.start(CONVERSATION_ID);
      await settle();
      expect(t.server.invalid).toEqual([]);
      // group.ready goes out without waiting for the producer (whose answer waits for every other participant's consumer).
      const methods = t.server.methods();
      expect(methods.slice(0, 2)).toEqual(['group.start', 'group.join']);
      expect([...methods.slice(2)].sort()).toEqual(['group.connectTransport', 'group.produce', 'group.ready']);
      expect(methods.indexOf('group.ready')).toBeLessThan(methods.indexOf('group.produce'));
      const device = t.device();
      expect(device.loadedWith).toEqual(joinResponse(callInfo([]), 'x').routerRtpCapabilities);
      // ICE servers and policy from the join response reach both transports.
      for (const transport of [device.send, device.recv]) {
        expect(transport?.options.iceServers).toEqual([{ urls: ['turn:turn.example:3478'], username: 'u', credential: 'c' }]);
        expect(transport?.options.iceTransportPolicy).toBe('all');
      }
      expect(t.server.sent('group.connectTransport')[0]).toMatchObject({ callId: CALL_ID, transportId: 'send-1' });
      expect(t.server.sent('group.produce')[0]).toMatchObject({ callId: CALL_ID, transportId: 'send-1' });
      expect(t.server.sent('group.ready')[0]).toEqual({ callId: CALL_ID, rtpCapabilities: device.rtpCapabilities });
      const producer = t.producer(device);
      expect(producer.id).toBe('producer-me');
      expect(producer.codecOptions).toEqual({ opusStereo: false, opusDtx: true, opusFec: true, opusMaxAverageBitrate: 32000 });
      // Same microphone processing as 1-on-1 calls.
      expect(t.mic.opened[0]?.constraints).toEqual({
        audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
        video: false,
      });
      const view = t.store.getState().groupCall;
      expect(view).toMatchObject({ callId: CALL_ID, participantId: 'p-me', phase: 'connected', status: 'Connected', muted: false });
      expect(view?.participants.map((p) => p.displayName)).toEqual(['Alice', 'Bob']);
      expect(t.store.getState().ongoingGroupCalls[CONVERSATION_ID]?.callId).toBe(CALL_ID);
    });

    it('forces TURN when the user chose relay-only', async () => {
      const t = setup();
      await t.bridge.setSetting('turnOnly', true);
      await t.controller.join(CONVERSATION_ID);
      await settle();
      expect(t.device().send?.options.iceTransportPolicy).toBe('relay');
    });
  });

  describe('#join', () => {
    it('shows "The call is full" on ROOM_FULL and stops the microphone', async () => {
      const t = setup();
      t.server.on('group.join', () => {
        throw new Fail('ROOM_FULL');
      });
      await t.controller.join(CONVERSATION_ID);
      await settle();
      expect(t.store.getState().groupCall).toBeNull();
      expect(t.store.getState().groupNotice?.text).toBe('The call is full');
      expect(t.micTrack().stopped).toBe(true);
      expect(t.devices).toHaveLength(0);
    });

    it('shows "You are not allowed to join this call" on FORBIDDEN', async () => {
      const t = setup();
      t.server.on('group.join', () => {
        throw new Fail('FORBIDDEN');
      });
      await t.controller.join(CONVERSATION_ID);
      await settle();
      expect(t.store.getState().groupNotice?.text).toBe('You are not allowed to join this call');
    });

    it('shows why when the microphone cannot be opened, and does not ask the server', async () => {
      const t = setup({ getUserMedia: () => Promise.reject(new Error('Permission denied')) });
      await t.controller.join(CONVERSATION_ID);
      expect(t.store.getState().groupNotice?.text).toBe('Cannot use the microphone: Permission denied');
      expect(t.server.methods()).toEqual([]);
    });

    it('leaves again when the user left while group.join was in flight', async () => {
      const t = setup();
      let answer: (() => void) | null = null;
      t.server.on('group.join', () => new Promise((resolve) => (answer = () => resolve(joinResponse(callInfo([participant('p-me', 1, 'Alice')]), 'p-me')))));
      const joining = t.controller.join(CONVERSATION_ID);
      await settle();
      await t.controller.leave();
      answer!();
      await joining;
      await settle();
      expect(t.server.sent('group.leave')).toEqual([{ callId: CALL_ID }]);
      expect(t.devices).toHaveLength(0);
      expect(t.micTrack().stopped).toBe(true);
    });
  });

  describe('consumers', () => {
    it('queues a newConsumer that arrives before the receive transport exists, then consumes and resumes it', async () => {
      const t = setup();
      const device = new FakeDevice();
      const release = device.holdLoad();
      t.useDevice(device);
      const joining = t.controller.join(CONVERSATION_ID);
      await settle();
      // Joined, but the device is still loading: no transports yet.
      expect(device.recv).toBeNull();
      t.server.notify('group.newConsumer', consumerFor('consumer-bob'));
      await settle();
      expect(t.store.getState().remoteStreams).toEqual({});
      release();
      await joining;
      await settle();
      expect(device.recv?.consumers.map((c) => c.id)).toEqual(['consumer-bob']);
      expect(t.server.sent('group.resumeConsumer')).toEqual([{ callId: CALL_ID, consumerId: 'consumer-bob' }]);
      const stream = t.store.getState().remoteStreams['p-bob'] as unknown as { track: MediaStreamTrack };
      expect(stream.track).toBe(device.recv?.consumers[0]?.track);
    });

    it('consumes what the server announces while group.ready is still in flight', async () => {
      const t = setup();
      t.server.on('group.ready', () => {
        t.server.notify('group.newConsumer', consumerFor('consumer-bob'));
        return {};
      });
      await t.controller.join(CONVERSATION_ID);
      await settle();
      expect(t.device().recv?.consumers.map((c) => c.id)).toEqual(['consumer-bob']);
      expect(Object.keys(t.store.getState().remoteStreams)).toEqual(['p-bob']);
      expect(t.server.invalid).toEqual([]);
    });

    it('ignores consumers of another call', async () => {
      const t = await joined();
      t.server.notify('group.newConsumer', { ...consumerFor('consumer-x'), callId: 'call_BBBBBBBBBBBBBBBB' });
      await settle();
      expect(t.device().recv?.consumers).toEqual([]);
    });

    it('closes the consumer and drops the stream on consumerClosed', async () => {
      const t = await joined();
      t.server.notify('group.newConsumer', consumerFor('consumer-bob'));
      await settle();
      t.server.notify('group.consumerClosed', { callId: CALL_ID, consumerId: 'consumer-bob' });
      await settle();
      expect(t.device().recv?.consumers[0]?.closed).toBe(true);
      expect(t.store.getState().remoteStreams).toEqual({});
    });

    it('marks who is speaking', async () => {
      const t = await joined();
      t.server.notify('group.speakers', { callId: CALL_ID, participantIds: ['p-bob'] });
      await settle();
      expect(t.store.getState().speakers).toEqual(['p-bob']);
    });
  });

  describe('mute', () => {
    it('mutes locally first, then tells the server; unmute asks the server first', async () => {
      const t = await joined();
      const producer = t.producer(t.device());
      await t.controller.toggleMute();
      expect(producer.paused).toBe(true);
      expect(t.micTrack().enabled).toBe(false);
      expect(t.store.getState().groupCall?.muted).toBe(true);
      await t.controller.toggleMute();
      expect(t.server.sent('group.setMuted')).toEqual([
        { callId: CALL_ID, muted: true },
        { callId: CALL_ID, muted: false },
      ]);
      expect(producer.paused).toBe(false);
      expect(t.micTrack().enabled).toBe(true);
    });

    it('stays muted and says "Muted by host" when the server refuses to unmute', async () => {
      const t = await joined();
      await t.controller.setMuted(true);
      t.server.on('group.setMuted', () => {
        throw new Fail('FORBIDDEN');
      });
      await t.controller.setMuted(false);
      await settle();
      expect(t.store.getState().groupCall).toMatchObject({ muted: true, mutedByHost: true });
      expect(t.store.getState().groupNotice?.text).toBe('Muted by host');
      expect(t.producer(t.device()).paused).toBe(true);
    });

    it('muted before the join answered: the producer starts paused and the server is told', async () => {
      const t = setup();
      const device = new FakeDevice();
      const release = device.holdLoad();
      t.useDevice(device);
      const joining = t.controller.join(CONVERSATION_ID);
      await settle();
      await t.controller.setMuted(true);
      release();
      await joining;
      await settle();
      expect(t.producer(device).paused).toBe(true);
      expect(t.micTrack().enabled).toBe(false);
      expect(t.server.sent('group.setMuted')).toContainEqual({ callId: CALL_ID, muted: true });
    });
  });

  describe('group.hostAction', () => {
    it('muted: pauses the producer, disables the track and shows "Muted by host"', async () => {
      const t = await joined();
      t.server.notify('group.hostAction', { callId: CALL_ID, action: 'muted' });
      await settle();
      expect(t.producer(t.device()).paused).toBe(true);
      expect(t.micTrack().enabled).toBe(false);
      expect(t.store.getState().groupCall).toMatchObject({ muted: true, mutedByHost: true });
      expect(t.store.getState().groupNotice).toMatchObject({ text: 'Muted by host', kind: 'info' });
    });

    it('askToUnmute: asks, but never unmutes by itself; Unmute then does', async () => {
      const t = await joined();
      t.server.notify('group.hostAction', { callId: CALL_ID, action: 'muted' });
      await settle();
      t.server.notify('group.hostAction', { callId: CALL_ID, action: 'askToUnmute' });
      await settle();
      expect(t.store.getState().groupNotice).toMatchObject({ text: 'The host asks you to unmute', kind: 'askToUnmute' });
      expect(t.store.getState().groupCall).toMatchObject({ muted: true, mutedByHost: false });
      expect(t.producer(t.device()).paused).toBe(true);
      expect(t.micTrack().enabled).toBe(false);
      expect(t.server.sent('group.setMuted')).toEqual([]);

      await t.controller.setMuted(false);
      expect(t.producer(t.device()).paused).toBe(false);
      expect(t.store.getState().groupNotice).toBeNull();
    });

    it('a group.updated that says the host muted me mutes locally too', async () => {
      const t = await joined();
      t.server.notify('group.updated', {
        conversationId: CONVERSATION_ID,
        call: callInfo([participant('p-me', 1, 'Alice', { muted: true, mutedByHost: true }), participant('p-bob', 2, 'Bob', { host: true })]),
      });
      await settle();
      expect(t.producer(t.device()).paused).toBe(true);
      expect(t.store.getState().groupCall).toMatchObject({ muted: true, mutedByHost: true });
    });
  });

  describe('host controls', () => {
    it('sends hostMute, hostMuteAll and askToUnmute for the current call', async () => {
      const t = await joined();
      await t.controller.hostMute('p-bob');
      await t.controller.hostMuteAll();
      await t.controller.askToUnmute('p-bob');
      expect(t.server.sent('group.hostMute')).toEqual([{ callId: CALL_ID, participantId: 'p-bob' }]);
      expect(t.server.sent('group.hostMuteAll')).toEqual([{ callId: CALL_ID }]);
      expect(t.server.sent('group.askToUnmute')).toEqual([{ callId: CALL_ID, participantId: 'p-bob' }]);
      expect(t.server.invalid).toEqual([]);
    });
  });

  describe('rejoin', () => {
    it('group.rejoin: drops media but keeps the microphone, joins again and comes back', async () => {
      const t = await joined();
      t.server.notify('group.newConsumer', consumerFor('consumer-bob'));
      await settle();
      const first = t.device();
      const track = t.micTrack();
      const second = new FakeDevice();
      const release = second.holdLoad();
      t.useDevice(second);
      t.server.on('group.join', () =>
        joinResponse(callInfo([participant('p-me2', 1, 'Alice', { host: true }), participant('p-bob', 2, 'Bob')]), 'p-me2', '2'),
      );
      t.server.notify('group.rejoin', { callId: CALL_ID, conversationId: CONVERSATION_ID });
      await settle();
      expect(t.store.getState().groupCall).toMatchObject({ phase: 'reconnecting', status: 'Reconnecting audio…' });
      expect(first.send?.closed).toBe(true);
      expect(first.recv?.closed).toBe(true);
      expect(t.store.getState().remoteStreams).toEqual({});
      expect(track.stopped).toBe(false);

      release();
      await settle();
      expect(t.mic.opened).toHaveLength(1);
      expect(t.producer(second).track).toBe(track);
      expect(t.server.sent('group.join')).toHaveLength(2);
      expect(t.server.sent('group.ready').at(-1)).toMatchObject({ callId: CALL_ID });
      expect(t.store.getState().groupCall).toMatchObject({ phase: 'connected', status: 'Connected', participantId: 'p-me2' });
    });

    it('a new consumer announced while rejoining waits for the new receive transport', async () => {
      const t = await joined();
      const second = new FakeDevice();
      const release = second.holdLoad();
      t.useDevice(second);
      t.server.notify('group.rejoin', { callId: CALL_ID, conversationId: CONVERSATION_ID });
      await settle();
      t.server.notify('group.newConsumer', consumerFor('consumer-bob-2'));
      await settle();
      release();
      await settle();
      expect(second.recv?.consumers.map((c) => c.id)).toEqual(['consumer-bob-2']);
    });

    it('joins again after a signaling reconnect', async () => {
      const t = await joined();
      const track = t.micTrack();
      t.sockets.last().serverClose(1006);
      await settle();
      expect(t.client.state).toBe('reconnecting');
      await vi.advanceTimersByTimeAsync(20_000);
      const socket = t.sockets.last();
      t.server.attach(socket);
      socket.open();
      await settle();
      expect(t.server.sent('group.join')).toHaveLength(2);
      expect(t.devices).toHaveLength(2);
      expect(t.devices[0]?.send?.closed).toBe(true);
      expect(track.stopped).toBe(false);
      expect(t.store.getState().groupCall).toMatchObject({ phase: 'connected', status: 'Connected' });
    });

    it('ends with a notice when the call is gone on rejoin', async () => {
      const t = await joined();
      t.server.on('group.join', () => {
        throw new Fail('CALL_NOT_FOUND');
      });
      t.server.notify('group.rejoin', { callId: CALL_ID, conversationId: CONVERSATION_ID });
      await settle();
      expect(t.store.getState().groupCall).toBeNull();
      expect(t.store.getState().groupNotice?.text).toBe('The call has ended');
      expect(t.micTrack().stopped).toBe(true);
    });
  });

  describe('group.updated', () => {
    it('tracks calls in my conversations and announces one that starts', async () => {
      const t = setup();
      t.server.notify('group.updated', { conversationId: CONVERSATION_ID, call: callInfo([]) });
      await settle();
      expect(t.store.getState().ongoingGroupCalls[CONVERSATION_ID]?.callId).toBe(CALL_ID);
      expect(t.bridgeState.notifications).toEqual([{ title: 'Voice call started', body: 'A voice call started in Team', tag: `group-call:${CALL_ID}` }]);
      t.server.notify('group.updated', { conversationId: CONVERSATION_ID, call: callInfo([participant('p-bob', 2, 'Bob', { host: true })]) });
      await settle();
      expect(t.store.getState().ongoingGroupCalls[CONVERSATION_ID]?.participants).toHaveLength(1);
      expect(t.bridgeState.notifications).toHaveLength(1);
      t.server.notify('group.updated', { conversationId: CONVERSATION_ID, call: null });
      await settle();
      expect(t.store.getState().ongoingGroupCalls).toEqual({});
    });

    it('does not announce a call I start', async () => {
      const t = setup();
      t.server.on('group.start', () => {
        t.server.notify('group.updated', { conversationId: CONVERSATION_ID, call: callInfo([]) });
        return { call: callInfo([]) };
      });
      await t.controller.start(CONVERSATION_ID);
      await settle();
      expect(t.bridgeState.notifications).toEqual([]);
    });

    it('keeps the participant list of my call current', async () => {
      const t = await joined();
      t.server.notify('group.updated', {
        conversationId: CONVERSATION_ID,
        call: callInfo([participant('p-me', 1, 'Alice', { host: true }), participant('p-bob', 2, 'Bob', { muted: true })]),
      });
      await settle();
      expect(t.store.getState().groupCall?.participants[1]).toMatchObject({ displayName: 'Bob', muted: true });
    });

    it('tears everything down when my call ends', async () => {
      const t = await joined();
      t.server.notify('group.updated', { conversationId: CONVERSATION_ID, call: null });
      await settle();
      expect(t.store.getState().groupCall).toBeNull();
      expect(t.device().send?.closed).toBe(true);
      expect(t.micTrack().stopped).toBe(true);
    });

    it('ends locally when I am no longer listed (replaced from another device)', async () => {
      const t = await joined();
      t.server.notify('group.updated', { conversationId: CONVERSATION_ID, call: callInfo([participant('p-other', 1, 'Alice'), participant('p-bob', 2, 'Bob')]) });
      await settle();
      expect(t.store.getState().groupCall).toBeNull();
      expect(t.micTrack().stopped).toBe(true);
    });
  });

  describe('transports', () => {
    it('restarts ICE when a transport fails and shows the reconnection', async () => {
      const t = await joined();
      const send = t.device().send as FakeTransport;
      send.emitState('failed');
      await settle();
      expect(t.store.getState().groupCall?.status).toBe('Reconnecting audio…');
      expect(t.server.sent('group.restartIce')).toEqual([{ callId: CALL_ID, transportId: 'send-1' }]);
      expect(send.iceRestarts).toEqual([{ usernameFragment: 'u2', password: 'p2' }]);
      send.emitState('connected');
      expect(t.store.getState().groupCall?.status).toBe('Connected');
    });
  });

  describe('#leave', () => {
    it('sends group.leave, closes the transports and stops the microphone', async () => {
      const t = await joined();
      await t.controller.leave();
      expect(t.server.sent('group.leave')).toEqual([{ callId: CALL_ID }]);
      expect(t.device().send?.closed).toBe(true);
      expect(t.device().recv?.closed).toBe(true);
      expect(t.micTrack().stopped).toBe(true);
      expect(t.store.getState().groupCall).toBeNull();
    });
  });

  describe('#switchMicrophone', () => {
    it('replaces the producer track with the chosen input and stops the old one', async () => {
      const t = await joined();
      const old = t.micTrack();
      await t.controller.switchMicrophone('usb-mic');
      const fresh = t.micTrack();
      expect(t.mic.opened.at(-1)?.constraints).toMatchObject({ audio: { deviceId: { exact: 'usb-mic' } } });
      expect(t.producer(t.device()).track).toBe(fresh);
      expect(old.stopped).toBe(true);
      expect(t.store.getState().groupCall?.microphoneId).toBe('usb-mic');
    });
  });

  describe('low-bandwidth mode', () => {
    it('with the setting on, receives only the active speakers from the start and sends 16 kbps in 60 ms packets', async () => {
      const t = setup();
      t.bridgeState.settings.lowBandwidth = 'on';
      await t.controller.join(CONVERSATION_ID);
      await settle();
      expect(t.server.invalid).toEqual([]);
      const methods = t.server.methods();
      // Before group.ready, so no consumer is ever resumed for a silent participant.
      expect(methods.indexOf('group.setReceiveMode')).toBeGreaterThan(-1);
      expect(methods.indexOf('group.setReceiveMode')).toBeLessThan(methods.indexOf('group.ready'));
      expect(t.server.sent('group.setReceiveMode')).toEqual([{ callId: CALL_ID, mode: 'speakers' }]);
      const producer = t.producer(t.device());
      expect(producer.codecOptions).toEqual({ opusStereo: false, opusDtx: true, opusFec: true, opusMaxAverageBitrate: 32000, opusPtime: 60 });
      expect(producer.encodings).toEqual([{ maxBitrate: 16_000 }]);
      expect(t.store.getState().groupCall).toMatchObject({ phase: 'connected', lowBandwidth: true, lowBandwidthReason: 'setting' });
    });

    it('by default receives everyone and sends at the normal rate', async () => {
      const t = await joined();
      expect(t.server.sent('group.setReceiveMode')).toEqual([]);
      expect(t.producer(t.device()).encodings).toBeUndefined();
      expect(t.store.getState().groupCall).toMatchObject({ lowBandwidth: false, lowBandwidthReason: null });
    });

    it('the panel\'s button switches the send cap, the receive mode and the packet time mid-call, both ways', async () => {
      const t = await joined();
      const producer = t.producer(t.device());
      t.controller.setLowBandwidth(true);
      await settle();
      // The cap first, on the producer that is sending now; then a replacement producer with 60 ms packets.
      expect(producer.encodingChanges).toEqual([{ maxBitrate: 16_000 }]);
      expect(t.server.sent('group.setReceiveMode')).toEqual([{ callId: CALL_ID, mode: 'speakers' }]);
      expect(t.server.sent('group.produce')).toHaveLength(2);
      expect(t.server.sent('group.produce')[0]).not.toHaveProperty('replace');
      expect(t.server.sent('group.produce')[1]).toMatchObject({ callId: CALL_ID, transportId: 'send-1', replace: true });
      const [, low] = t.producers(t.device());
      expect(low!.codecOptions).toMatchObject({ opusPtime: 60 });
      expect(low!.encodings).toEqual([{ maxBitrate: 16_000 }]);
      expect(low!.track).toBe(producer.track);
      expect(producer.closed).toBe(true);
      expect(low!.closed).toBe(false);
      expect(t.store.getState().groupCall).toMatchObject({ lowBandwidth: true, lowBandwidthReason: 'manual' });
      t.controller.setLowBandwidth(false);
      await settle();
      expect(low!.encodingChanges.at(-1)).toEqual({ maxBitrate: 32_000 });
      const normal = t.producers(t.device())[2]!;
      expect(normal.codecOptions).not.toHaveProperty('opusPtime');
      expect(normal.encodings).toBeUndefined();
      expect(low!.closed).toBe(true);
      expect(t.server.sent('group.setReceiveMode').at(-1)).toEqual({ callId: CALL_ID, mode: 'all' });
      expect(t.store.getState().groupCall?.lowBandwidth).toBe(false);
    });

    it('a muted participant\'s replacement producer starts paused', async () => {
      const t = await joined();
      await t.controller.toggleMute();
      await settle();
      expect(t.producer(t.device()).paused).toBe(true);
      t.controller.setLowBandwidth(true);
      await settle();
      expect(t.producers(t.device())[1]!.paused).toBe(true);
    });

    it('a microphone switch during the switch lands on the replacement producer', async () => {
      const t = await joined();
      t.controller.setLowBandwidth(true);
      const switching = t.controller.switchMicrophone('usb-mic');
      await settle();
      await switching;
      const [first, second] = t.producers(t.device());
      expect(first!.closed).toBe(true);
      expect(second!.track).toBe(t.micTrack());
      expect(second!.track).not.toBe(t.micTrack(0));
    });

    it('on "auto", switches on after 10 s of poor quality on the receive transport', async () => {
      const t = await joined();
      const recv = t.device().recv as FakeTransport;
      const producer = t.producer(t.device());
      let lost = 0;
      let received = 0;
      const lossySecond = async () => {
        lost += 10;
        received += 40; // 20 % loss
        recv.stats = new Map([['in', { type: 'inbound-rtp', kind: 'audio', packetsLost: lost, packetsReceived: received, jitter: 0.01 }]]);
        await vi.advanceTimersByTimeAsync(1000);
      };
      for (let i = 0; i < 9; i++) await lossySecond();
      expect(t.store.getState().groupCall?.lowBandwidth).toBe(false);
      for (let i = 0; i < 3; i++) await lossySecond();
      expect(t.store.getState().groupCall).toMatchObject({ lowBandwidth: true, lowBandwidthReason: 'auto' });
      expect(producer.encodingChanges).toEqual([{ maxBitrate: 16_000 }]);
      expect(t.producers(t.device())[1]!.codecOptions).toMatchObject({ opusPtime: 60 });
      expect(t.server.sent('group.setReceiveMode')).toEqual([{ callId: CALL_ID, mode: 'speakers' }]);
      // Still in the call.
      expect(t.server.sent('group.leave')).toEqual([]);
      expect(t.store.getState().groupCall?.phase).toBe('connected');
    });

    it('keeps the mode across a rejoin: the new join asks for speakers only and produces with 60 ms packets', async () => {
      const t = await joined();
      t.controller.setLowBandwidth(true);
      await settle();
      t.server.notify('group.rejoin', { callId: CALL_ID, conversationId: CONVERSATION_ID });
      await settle();
      const producer = t.producer(t.device());
      expect(t.devices).toHaveLength(2);
      expect(producer.codecOptions).toMatchObject({ opusPtime: 60 });
      expect(t.server.sent('group.produce').at(-1)).not.toHaveProperty('replace');
      expect(t.server.sent('group.setReceiveMode')).toEqual([
        { callId: CALL_ID, mode: 'speakers' },
        { callId: CALL_ID, mode: 'speakers' },
      ]);
    });
  });
});

