import type { DesktopBridge } from '../../common/bridge.js';
import { EarshotError, type ErrorCode } from '../../common/errors.js';
import type { GroupCallInfo, ParsedNotification, RequestData, RequestMethod, ResponseData } from '../../common/protocol/index.js';
import { LowBandwidthPolicy } from '../call/LowBandwidthPolicy.js';
import { openMicrophone } from '../call/openMicrophone.js';
import { createLogger, type Logger } from '../lib/createLogger.js';
import { describeError } from '../lib/describeError.js';
import type { SignalingClient } from '../signaling/SignalingClient.js';
import { conversationName } from '../store/conversationsSlice.js';
import type { GroupCallView } from '../store/groupCallSlice.js';
import type { AppStore } from '../store/index.js';
import { GROUP_MAX_BITRATE, GroupMedia, type NewConsumer } from './GroupMedia.js';
import type { GroupDevice } from './groupMediaTypes.js';

export interface GroupCallControllerOptions {
  store: AppStore;
  bridge: DesktopBridge;
  /** Injected for tests; default navigator.mediaDevices.getUserMedia. */
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  /**
   * A fresh mediasoup-client Device per join; default `Device.factory()` (handler detected from
   * the browser), with mediasoup-client loaded on first use so it stays out of the start-up bundle.
   */
  createDevice?: () => GroupDevice | Promise<GroupDevice>;
  /** Wraps a received track for playback; default `new MediaStream([track])`. */
  createStream?: (track: MediaStreamTrack) => MediaStream;
  /** The microphone a join opens (MediaDeviceInfo.deviceId; '' = the system default). Default: always ''. */
  microphoneId?: () => string;
  /** How often call quality is sampled for the automatic low-bandwidth switch, ms. Default 1000. */
  qualityIntervalMs?: number;
  logger?: Logger;
}

/** Status texts (STYLE.md §14: state is visible as text). */
export const GROUP_STATUS = {
  starting: 'Starting…',
  joining: 'Joining…',
  connected: 'Connected',
  reconnecting: 'Reconnecting audio…',
} as const;

/** What people read when joining fails, by error code. */
const JOIN_ERRORS: Partial<Record<ErrorCode, string>> = {
  ROOM_FULL: 'The call is full',
  FORBIDDEN: 'You are not allowed to join this call',
  CALL_NOT_FOUND: 'The call has already ended',
  UNAVAILABLE: 'Voice calls are not available on this server',
};

const START_ERRORS: Partial<Record<ErrorCode, string>> = {
  FORBIDDEN: 'You are not allowed to start a call here',
  UNAVAILABLE: 'Voice calls are not available on this server',
};

function errorCode(error: unknown): ErrorCode {
  return error instanceof EarshotError ? error.code : 'INTERNAL';
}

interface Live {
  conversationId: number;
  /** null until group.join answered. */
  callId: string | null;
  participantId: string | null;
  /** The microphone: opened once per call, kept across rejoins, stopped on leave. */
  mic: MediaStream | null;
  /** This join's mediasoup objects; null while (re)joining. */
  media: GroupMedia | null;
  /** newConsumer notifications that arrived before the receive transport existed. */
  queued: NewConsumer[];
  /** Bumped by every (re)join: a join overtaken by a newer one stops at its next await. */
  attempt: number;
  /** Low-bandwidth mode for this call (kept across rejoins); null until the setting is read. */
  lowBandwidth: LowBandwidthPolicy | null;
  /** Samples call quality for the automatic switch while it may still happen. */
  qualityTimer: ReturnType<typeof setInterval> | undefined;
}

/**
 * The group voice call flow in the renderer: start/join through signaling, mediasoup-client
 * setup (one send transport with the microphone, one receive transport with a consumer per
 * other participant), mute and host controls, rejoin when the SFU worker dies or signaling
 * comes back, and the group call slice kept current. Ongoing calls of every conversation are
 * tracked from group.updated so the UI can offer "Join call".
 */
export class GroupCallController {
  private readonly store: AppStore;
  private readonly bridge: DesktopBridge;
  private readonly getUserMedia: ((constraints: MediaStreamConstraints) => Promise<MediaStream>) | undefined;
  private readonly createDevice: () => GroupDevice | Promise<GroupDevice>;
  private readonly createStream: (track: MediaStreamTrack) => MediaStream;
  private readonly microphoneId: () => string;
  private readonly qualityIntervalMs: number;
  private readonly log: Logger;
  private client: SignalingClient | null = null;
  private offClient: (() => void) | null = null;
  private live: Live | null = null;

  constructor(options: GroupCallControllerOptions) {
    this.store = options.store;
    this.bridge = options.bridge;
    this.getUserMedia = options.getUserMedia;
    this.createDevice = options.createDevice ?? (async () => (await import('mediasoup-client')).Device.factory());
    this.createStream = options.createStream ?? ((track) => new MediaStream([track]));
    this.microphoneId = options.microphoneId ?? (() => '');
    this.qualityIntervalMs = options.qualityIntervalMs ?? 1000;
    this.log = options.logger ?? createLogger('group-calls');
  }

  /** Follow the app's signaling client (AppController.onClient). */
  attach(client: SignalingClient | null): void {
    this.offClient?.();
    this.offClient = null;
    this.client = client;
    if (!client) {
      this.finish(null);
      this.store.getState().setOngoingGroupCalls([]);
      return;
    }
    const offs = [
      client.on('notification', (n) => this.onNotification(n)),
      client.on('connected', ({ reconnect }) => {
        // The server may have dropped us (grace expired) or kept us: either way a join sets media up again.
        // (A join that has not sent group.join yet will do so itself.)
        if (reconnect && this.live && this.live.attempt > 0) void this.reconnectMedia(this.live);
      }),
    ];
    this.offClient = () => offs.forEach((off) => off());
  }

  /** "Start voice call": create the conversation's call (becoming its host), then join it. */
  async start(conversationId: number): Promise<void> {
    await this.enter(conversationId, true);
  }

  /** "Join call": join the conversation's ongoing call. */
  async join(conversationId: number): Promise<void> {
    await this.enter(conversationId, false);
  }

  /** "Leave call": tell the server, close the transports and stop the microphone. */
  async leave(): Promise<void> {
    const live = this.live;
    if (!live) return;
    this.finish(null);
    if (live.callId) await this.client?.request('group.leave', { callId: live.callId }).catch((e: unknown) => this.log.warn(`[call:${live.callId}] leave failed`, e));
  }

  /** The Mute / Unmute button. */
  async toggleMute(): Promise<void> {
    const view = this.store.getState().groupCall;
    if (view) await this.setMuted(!view.muted);
  }

  /**
   * Mute or unmute myself. Muting is local first (nothing more leaves the page), then told to
   * the server; unmuting asks the server first, which refuses (FORBIDDEN) while the host has
   * me muted.
   */
  async setMuted(muted: boolean): Promise<void> {
    const live = this.live;
    const view = this.store.getState().groupCall;
    if (!live || !view || view.muted === muted) return;
    if (muted) {
      this.setLocalMuted(live, true);
      if (live.callId) await this.request('group.setMuted', { callId: live.callId, muted: true }).catch((e: unknown) => this.log.warn('setMuted failed', e));
      return;
    }
    if (live.callId) {
      try {
        await this.request('group.setMuted', { callId: live.callId, muted: false });
      } catch (error) {
        if (this.live !== live) return;
        if (errorCode(error) === 'FORBIDDEN') {
          this.store.getState().updateGroupCall({ mutedByHost: true });
          this.store.getState().showGroupNotice('Muted by host');
        } else {
          this.store.getState().showGroupNotice(`Could not unmute: ${describeError(error)}`);
        }
        return;
      }
      if (this.live !== live) return;
    }
    this.setLocalMuted(live, false);
    const notice = this.store.getState().groupNotice;
    if (notice && (notice.kind === 'askToUnmute' || notice.text === 'Muted by host')) this.store.getState().dismissGroupNotice();
  }

  /** Host: mute one participant (the server pauses their producer). */
  async hostMute(participantId: string): Promise<void> {
    await this.hostRequest((callId) => this.request('group.hostMute', { callId, participantId }));
  }

  /** Host: mute everyone else. */
  async hostMuteAll(): Promise<void> {
    await this.hostRequest((callId) => this.request('group.hostMuteAll', { callId }));
  }

  /** Host: allow a participant to unmute and ask them to (they decide). */
  async askToUnmute(participantId: string): Promise<void> {
    await this.hostRequest((callId) => this.request('group.askToUnmute', { callId, participantId }));
  }

  /**
   * The panel's "Low bandwidth mode" button. Mid-call the microphone's bitrate cap and what
   * this page receives (everyone, or only the active speakers) change at once; the packet time
   * follows with a new producer a moment later. The automatic switch leaves the call alone
   * afterwards.
   */
  setLowBandwidth(on: boolean): void {
    this.live?.lowBandwidth?.setManual(on);
  }

  /** Use another microphone mid-call (no renegotiation: the producer's track is replaced). */
  async switchMicrophone(deviceId: string): Promise<void> {
    const live = this.live;
    if (!live) return;
    let stream: MediaStream;
    try {
      stream = await this.openMicrophone(deviceId);
    } catch (error) {
      this.store.getState().showGroupNotice(`Cannot use that microphone: ${describeError(error)}`);
      return;
    }
    const track = stream.getAudioTracks()[0];
    if (this.live !== live || !track) {
      stream.getTracks().forEach((t) => t.stop());
      return;
    }
    track.enabled = !this.store.getState().groupCall?.muted;
    try {
      await live.media?.replaceTrack(track);
    } catch (error) {
      stream.getTracks().forEach((t) => t.stop());
      this.store.getState().showGroupNotice(`Cannot use that microphone: ${describeError(error)}`);
      return;
    }
    const previous = live.mic;
    live.mic = stream;
    previous?.getTracks().forEach((t) => t.stop());
    this.store.getState().updateGroupCall({ microphoneId: deviceId });
  }

  private async enter(conversationId: number, start: boolean): Promise<void> {
    const client = this.client;
    if (this.live) return;
    if (!client) {
      this.store.getState().showGroupNotice('Not connected to the server');
      return;
    }
    const live: Live = { conversationId, callId: null, participantId: null, mic: null, media: null, queued: [], attempt: 0, lowBandwidth: null, qualityTimer: undefined };
    this.live = live;
    const state = this.store.getState();
    state.dismissGroupNotice();
    const microphoneId = this.microphoneId();
    state.setGroupCall({ ...initialView(conversationId, start ? GROUP_STATUS.starting : GROUP_STATUS.joining), microphoneId });
    try {
      live.mic = await this.openMicrophone(microphoneId);
    } catch (error) {
      if (this.live === live) this.finish(`Cannot use the microphone: ${describeError(error)}`);
      return;
    }
    if (this.live === live) await this.startLowBandwidth(live);
    if (this.live !== live) {
      live.mic.getTracks().forEach((t) => t.stop());
      return;
    }
    if (start) {
      try {
        const { call } = await client.request('group.start', { conversationId });
        if (this.live !== live) return;
        this.store.getState().setOngoingGroupCall(conversationId, call);
      } catch (error) {
        if (this.live === live) this.finish(START_ERRORS[errorCode(error)] ?? `Could not start the call: ${describeError(error)}`);
        return;
      }
    }
    await this.connect(live);
  }

  /**
   * group.join and the media setup for `live`: the first join, and again after group.rejoin or
   * a signaling reconnect. Each run supersedes the previous one.
   */
  private async connect(live: Live): Promise<void> {
    const attempt = ++live.attempt;
    const current = () => this.live === live && live.attempt === attempt;
    const client = this.client;
    if (!client) return;
    let joined;
    try {
      joined = await client.request('group.join', { conversationId: live.conversationId });
    } catch (error) {
      if (!current()) return;
      // The socket dropped mid-join: the reconnect runs connect() again.
      if (errorCode(error) === 'DISCONNECTED') return;
      const code = errorCode(error);
      const rejoining = live.callId !== null;
      if (rejoining && code === 'CALL_NOT_FOUND') this.finish('The call has ended');
      else this.finish(JOIN_ERRORS[code] ?? `Could not join the call: ${describeError(error)}`);
      return;
    }
    if (this.live !== live) {
      // Left while the join was in flight: the server counts us in, so leave again.
      void client.request('group.leave', { callId: joined.call.callId }).catch(() => undefined);
      return;
    }
    if (!current()) return;
    const { call } = joined;
    live.callId = call.callId;
    live.participantId = joined.participantId;
    live.queued = live.queued.filter((n) => n.callId === call.callId);
    const state = this.store.getState();
    state.setOngoingGroupCall(call.conversationId, call);
    state.updateGroupCall({ callId: call.callId, participantId: joined.participantId, participants: call.participants, startedAt: call.startedAt });
    this.applyMyEntry(live, call);
    // Muted before the join answered (or across a rejoin): make sure the others see it.
    const me = call.participants.find((p) => p.participantId === joined.participantId);
    if (this.store.getState().groupCall?.muted && me && !me.muted) {
      void this.request('group.setMuted', { callId: call.callId, muted: true }).catch((e: unknown) => this.log.warn('setMuted failed', e));
    }

    let media: GroupMedia | null = null;
    const lowBandwidth = live.lowBandwidth?.active ?? false;
    try {
      const relayOnly = await this.bridge.getSetting('turnOnly').catch(() => false);
      if (!current()) return;
      // Before group.ready, so that the consumers start out in the right mode.
      if (lowBandwidth) await client.request('group.setReceiveMode', { callId: call.callId, mode: 'speakers' });
      if (!current()) return;
      const device = await this.createDevice();
      if (!current()) return;
      media = await GroupMedia.create({
        callId: call.callId,
        routerRtpCapabilities: joined.routerRtpCapabilities,
        sendTransport: joined.sendTransport,
        recvTransport: joined.recvTransport,
        ice: relayOnly ? { ...joined.ice, iceTransportPolicy: 'relay' } : joined.ice,
        device,
        request: (method, data) => client.request(method, data),
        createStream: this.createStream,
        logger: this.log,
      });
      if (!current()) {
        media.close();
        return;
      }
      live.media = media;
      this.wireMedia(live, media);
      // The receive transport exists now: consumers announced early can be set up.
      for (const n of live.queued.splice(0)) void this.consume(live, media, n);
      const track = live.mic?.getAudioTracks()[0];
      if (track) track.enabled = !this.store.getState().groupCall?.muted;
      // Sending and receiving are set up side by side: hearing the others does not wait for
      // the microphone's producer (whose answer waits for every other participant's consumer).
      await Promise.all([
        track ? media.produce(track, { lowBandwidth }) : undefined,
        client.request('group.ready', { callId: call.callId, rtpCapabilities: media.rtpCapabilities }),
      ]);
      if (!current()) return;
      this.store.getState().updateGroupCall({ phase: 'connected', status: GROUP_STATUS.connected });
    } catch (error) {
      if (!current()) return;
      if (errorCode(error) === 'DISCONNECTED') {
        media?.close();
        live.media = null;
        return; // The reconnect runs connect() again.
      }
      this.log.error(`[call:${call.callId}] media setup failed`, error);
      this.finish(`Could not connect the call audio: ${describeError(error)}`);
      void client.request('group.leave', { callId: call.callId }).catch(() => undefined);
    }
  }

  /** Throw this join's media away (keeping the microphone) and join again. */
  private async reconnectMedia(live: Live): Promise<void> {
    live.media?.close();
    live.media = null;
    const state = this.store.getState();
    state.clearParticipantStreams();
    state.updateGroupCall({ phase: 'reconnecting', status: GROUP_STATUS.reconnecting });
    await this.connect(live);
  }

  private wireMedia(live: Live, media: GroupMedia): void {
    media.on('stream', (participantId, stream) => this.store.getState().setParticipantStream(participantId, stream));
    media.on('streamEnded', (participantId) => this.store.getState().setParticipantStream(participantId, null));
    media.on('transportState', (_direction, state) => {
      const view = this.store.getState().groupCall;
      if (this.live !== live || live.media !== media || view?.phase !== 'connected') return;
      if (state === 'disconnected' || state === 'failed') this.store.getState().updateGroupCall({ status: GROUP_STATUS.reconnecting });
      if (state === 'connected') this.store.getState().updateGroupCall({ status: GROUP_STATUS.connected });
    });
  }

  private async consume(live: Live, media: GroupMedia, n: NewConsumer): Promise<void> {
    try {
      await media.consume(n);
    } catch (error) {
      if (this.live === live && live.media === media) this.log.warn(`[call:${n.callId}] [consumer:${n.consumerId}] could not consume`, error);
    }
  }

  private onNotification(notification: ParsedNotification): void {
    switch (notification.event) {
      case 'group.updated':
        this.onUpdated(notification.data.conversationId, notification.data.call);
        return;
      case 'group.newConsumer': {
        const live = this.live;
        const n = notification.data;
        if (!live || (live.callId !== null && n.callId !== live.callId)) return;
        if (live.media) void this.consume(live, live.media, n);
        else live.queued.push(n);
        return;
      }
      case 'group.consumerClosed': {
        const live = this.live;
        if (live?.callId !== notification.data.callId) return;
        const { consumerId } = notification.data;
        live.queued = live.queued.filter((n) => n.consumerId !== consumerId);
        live.media?.closeConsumer(consumerId);
        return;
      }
      case 'group.speakers':
        if (this.live?.callId === notification.data.callId) this.store.getState().setSpeakers(notification.data.participantIds);
        return;
      case 'group.hostAction':
        this.onHostAction(notification.data.callId, notification.data.action);
        return;
      case 'group.rejoin': {
        const live = this.live;
        if (live?.callId === notification.data.callId) void this.reconnectMedia(live);
        return;
      }
      default:
        return; // Chat and 1-on-1 call notifications belong to the other controllers.
    }
  }

  private onUpdated(conversationId: number, call: GroupCallInfo | null): void {
    const state = this.store.getState();
    const known = state.ongoingGroupCalls[conversationId];
    state.setOngoingGroupCall(conversationId, call);
    if (call && !known) this.announce(call);
    const live = this.live;
    if (live?.conversationId !== conversationId || live.callId === null) return;
    if (!call || call.callId !== live.callId) {
      this.finish('The call has ended');
      return;
    }
    state.updateGroupCall({ participants: call.participants });
    this.applyMyEntry(live, call);
  }

  /** Bring my mute state in line with the server's view of me. */
  private applyMyEntry(live: Live, call: GroupCallInfo): void {
    const view = this.store.getState().groupCall;
    if (!view) return;
    const me = call.participants.find((p) => p.participantId === live.participantId);
    if (!me) {
      // Replaced (joined from another device) or dropped: never keep a microphone open for nothing.
      if (view.phase === 'connected') this.finish('You are no longer in this call');
      return;
    }
    if (me.mutedByHost && !view.muted) this.setLocalMuted(live, true);
    this.store.getState().updateGroupCall({ mutedByHost: me.mutedByHost });
  }

  private onHostAction(callId: string, action: 'muted' | 'askToUnmute'): void {
    const live = this.live;
    if (live?.callId !== callId) return;
    const state = this.store.getState();
    switch (action) {
      case 'muted':
        this.setLocalMuted(live, true);
        state.updateGroupCall({ mutedByHost: true });
        state.showGroupNotice('Muted by host');
        return;
      case 'askToUnmute':
        // Only a request: the microphone stays muted until I press Unmute.
        state.updateGroupCall({ mutedByHost: false });
        if (state.groupCall?.muted) state.showGroupNotice('The host asks you to unmute', 'askToUnmute');
        return;
    }
  }

  /** A live notification when a call starts in one of my conversations (not one I start or am in). */
  private announce(call: GroupCallInfo): void {
    const state = this.store.getState();
    const me = state.me;
    if (this.live?.conversationId === call.conversationId) return;
    if (me && call.participants.some((p) => p.userId === me.id)) return;
    // A call first seen with several people in it did not just start (e.g. seen after a reconnect).
    if (call.participants.length > 1) return;
    if (me && state.presence[me.id] === 'dnd') return;
    const conversation = state.conversations[call.conversationId];
    const where = conversation ? conversationName(conversation, me?.id) : 'a conversation';
    void this.bridge
      .notify({ title: 'Voice call started', body: `A voice call started in ${where}`, tag: `group-call:${call.callId}` })
      .catch((error: unknown) => this.log.warn('notify failed', error));
  }

  private setLocalMuted(live: Live, muted: boolean): void {
    for (const track of live.mic?.getAudioTracks() ?? []) track.enabled = !muted;
    live.media?.setPaused(muted);
    this.store.getState().updateGroupCall({ muted });
  }

  private async hostRequest(send: (callId: string) => Promise<unknown>): Promise<void> {
    const callId = this.live?.callId;
    if (!callId) return;
    try {
      await send(callId);
    } catch (error) {
      const text = errorCode(error) === 'FORBIDDEN' ? 'Only the host can do that' : `That did not work: ${describeError(error)}`;
      this.store.getState().showGroupNotice(text);
    }
  }

  /** Read the setting and set the call's low-bandwidth mode up (once per call, kept across rejoins). */
  private async startLowBandwidth(live: Live): Promise<void> {
    const setting = await this.bridge.getSetting('lowBandwidth').catch(() => 'auto' as const);
    if (this.live !== live) return;
    const policy = new LowBandwidthPolicy({ setting });
    live.lowBandwidth = policy;
    this.store.getState().updateGroupCall({ lowBandwidth: policy.active, lowBandwidthReason: policy.reason });
    policy.on('change', (active, reason) => {
      if (this.live !== live) return;
      this.log.info(`[call:${live.callId}] low-bandwidth mode ${active ? 'on' : 'off'} (${reason})`);
      this.store.getState().updateGroupCall({ lowBandwidth: active, lowBandwidthReason: policy.reason });
      void this.applyLowBandwidth(live, active);
    });
    if (setting !== 'auto') return;
    live.qualityTimer = setInterval(() => {
      const media = live.media;
      if (this.live !== live || policy.active || !media) return;
      void media.sampleQuality().then((quality) => {
        if (quality && this.live === live && live.media === media) policy.observe(quality);
      });
    }, this.qualityIntervalMs);
  }

  /**
   * The mode changed mid-call: the send cap (local, so it relieves a saturated link at once)
   * and the receive mode follow at once, then the microphone is published again with the
   * mode's packet time.
   */
  private async applyLowBandwidth(live: Live, active: boolean): Promise<void> {
    clearInterval(live.qualityTimer);
    const media = live.media;
    const callId = live.callId;
    if (!media || !callId) return; // A join in progress reads the mode itself.
    try {
      await Promise.all([
        media.setMaxBitrate(active ? GROUP_MAX_BITRATE.lowBandwidth : GROUP_MAX_BITRATE.normal).then(() => {
          if (this.live === live && live.media === media) return media.republish({ lowBandwidth: active });
        }),
        this.request('group.setReceiveMode', { callId, mode: active ? 'speakers' : 'all' }),
      ]);
    } catch (error) {
      if (this.live === live) this.log.warn(`[call:${callId}] could not switch low-bandwidth mode`, error);
    }
  }

  /** End locally: close media, stop the microphone, clear the view; show `notice` (null: none). */
  private finish(notice: string | null): void {
    const live = this.live;
    this.live = null;
    if (live) clearInterval(live.qualityTimer);
    live?.lowBandwidth?.dispose();
    live?.media?.close();
    live?.mic?.getTracks().forEach((track) => track.stop());
    const state = this.store.getState();
    if (live || state.groupCall) {
      state.setGroupCall(null);
      state.clearParticipantStreams();
      state.dismissGroupNotice();
    }
    if (notice) state.showGroupNotice(notice);
  }

  private openMicrophone(deviceId?: string): Promise<MediaStream> {
    return openMicrophone({
      bridge: this.bridge,
      ...(this.getUserMedia ? { getUserMedia: this.getUserMedia } : {}),
      ...(deviceId ? { deviceId } : {}),
    });
  }

  /** A request on the current client; rejects with DISCONNECTED when there is none. */
  private async request<M extends RequestMethod>(method: M, data: RequestData<M>): Promise<ResponseData<M>> {
    return this.requireClient().request(method, data);
  }

  private requireClient(): SignalingClient {
    if (!this.client) throw new EarshotError('DISCONNECTED', 'not connected');
    return this.client;
  }
}

function initialView(conversationId: number, status: string): GroupCallView {
  return {
    callId: '',
    conversationId,
    participantId: null,
    phase: 'joining',
    status,
    participants: [],
    startedAt: null,
    muted: false,
    mutedByHost: false,
    microphoneId: '',
    lowBandwidth: false,
    lowBandwidthReason: null,
  };
}
