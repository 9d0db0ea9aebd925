import type { DesktopBridge, Settings } from '../../common/bridge.js';
import { EarshotError } from '../../common/errors.js';
import { formatDuration } from '../../common/formatDuration.js';
import type { CallEndReason, CallInfo, CallSignal, IceConfig } from '../../common/protocol/calls.js';
import type { ParsedNotification } from '../../common/protocol/index.js';
import { createLogger, type Logger } from '../lib/createLogger.js';
import type { SignalingClient } from '../signaling/SignalingClient.js';
import type { AppStore } from '../store/index.js';
import { LowBandwidthPolicy } from './LowBandwidthPolicy.js';
import { MicLevelMeter } from './MicLevelMeter.js';
import { openMicrophone } from './openMicrophone.js';
import { isLowBandwidth, opusFor } from './opusSdp.js';
import { PeerCall } from './PeerCall.js';
import { Ringer } from './Ringer.js';

export interface CallControllerOptions {
  store: AppStore;
  bridge: DesktopBridge;
  /** Injected for tests; default navigator.mediaDevices.getUserMedia. */
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  createPeerConnection?: (config: RTCConfiguration) => RTCPeerConnection;
  ringer?: Pick<Ringer, 'start' | 'stop'>;
  /** The microphone calls open (MediaDeviceInfo.deviceId; '' = the system default). Default: always ''. */
  microphoneId?: () => string;
  now?: () => number;
  logger?: Logger;
}

/** What people read when a call ends, by reason and by which side they were on. */
function endText(reason: CallEndReason, peer: string, durationMs: number, wasCaller: boolean): string {
  switch (reason) {
    case 'hangup':
      return `Call ended · ${formatDuration(durationMs)}`;
    case 'declined':
      return wasCaller ? `${peer} declined the call` : 'Call declined';
    case 'busy':
      return wasCaller ? `${peer} is busy — call back later` : 'Call declined (busy)';
    case 'no_answer':
      return wasCaller ? `No answer from ${peer}` : `Missed call from ${peer}`;
    case 'cancelled':
      return wasCaller ? 'Call cancelled' : `Missed call from ${peer}`;
    case 'answered_elsewhere':
      return 'Answered on another device';
    case 'peer_lost':
      return `Call ended: lost the connection to ${peer} · ${formatDuration(durationMs)}`;
    case 'failed':
      return 'The call could not be connected';
  }
}

const PLACE_ERRORS: Partial<Record<EarshotError['code'], (peer: string) => string>> = {
  USER_OFFLINE: (peer) => `${peer} is offline. Try again when they are online.`,
  USER_BUSY: (peer) => `${peer} is busy in another call.`,
  DO_NOT_DISTURB: (peer) => `${peer} has do not disturb on.`,
  FORBIDDEN: () => 'You are not allowed to make this call.',
  CONFLICT: () => 'You are already in a call.',
};

interface Live {
  callId: string;
  info: CallInfo;
  wasCaller: boolean;
  peer: PeerCall | null;
  stream: MediaStream | null;
  /** Signals that arrived before the PeerCall existed (the early offer reaches the callee first). */
  queued: CallSignal[];
  /** An incoming call the host was told is ringing (bridge.ringStarted), until ringEnded. */
  ringing: boolean;
  /** Low-bandwidth mode for this call; made with the PeerCall. */
  lowBandwidth: LowBandwidthPolicy | null;
}

/**
 * The 1-on-1 call flow in the renderer: places, rings, answers, wires PeerCall to the
 * signaling client, re-attaches after a signaling reconnect, and keeps the call slice current.
 */
export class CallController {
  private readonly store: AppStore;
  private readonly bridge: DesktopBridge;
  private readonly getUserMedia: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  private readonly createPeerConnection: ((config: RTCConfiguration) => RTCPeerConnection) | undefined;
  private readonly ringer: Pick<Ringer, 'start' | 'stop'>;
  private readonly microphoneId: () => string;
  private readonly meter: MicLevelMeter;
  private readonly now: () => number;
  private readonly log: Logger;
  private client: SignalingClient | null = null;
  private offClient: (() => void) | null = null;
  private live: Live | null = null;
  /** `call.ringing` can overtake the `call.place` response; remember it until the response lands. */
  private readonly ringingBeforePlaced = new Set<string>();

  constructor(options: CallControllerOptions) {
    this.store = options.store;
    this.bridge = options.bridge;
    this.getUserMedia = options.getUserMedia ?? ((c) => navigator.mediaDevices.getUserMedia(c));
    this.createPeerConnection = options.createPeerConnection;
    this.ringer = options.ringer ?? new Ringer();
    this.microphoneId = options.microphoneId ?? (() => '');
    this.now = options.now ?? Date.now;
    this.log = options.logger ?? createLogger('calls');
    this.meter = new MicLevelMeter((level) => this.store.getState().updateCall({ micLevel: level }));
  }

  /** Follow the app's signaling client (AppController.onClient). */
  attach(client: SignalingClient | null): void {
    this.offClient?.();
    this.offClient = null;
    this.client = client;
    if (!client) {
      this.teardown();
      return;
    }
    const offs = [
      client.on('notification', (n) => this.onNotification(n)),
      client.on('connected', ({ reconnect }) => {
        if (reconnect) void this.rejoin();
      }),
    ];
    this.offClient = () => offs.forEach((off) => off());
  }

  /** One click on "Call" in a direct conversation. */
  async place(conversationId: number, peerName: string): Promise<void> {
    const client = this.requireClient();
    if (this.live) return;
    const state = this.store.getState();
    state.dismissCallNotice();
    let stream: MediaStream;
    try {
      stream = await this.openMicrophone();
    } catch (error) {
      state.showCallNotice(`Cannot use the microphone: ${(error as Error).message}`);
      return;
    }
    state.setCall(this.view({ callId: '', conversationId, phase: 'outgoing', peerName, status: 'Calling…' }));
    let placed: { call: CallInfo; ice: IceConfig };
    try {
      placed = await client.request('call.place', { conversationId });
    } catch (error) {
      stream.getTracks().forEach((t) => t.stop());
      state.setCall(null);
      const code = error instanceof EarshotError ? error.code : 'INTERNAL';
      state.showCallNotice(PLACE_ERRORS[code]?.(peerName) ?? `The call failed: ${(error as Error).message}`);
      return;
    }
    this.live = { callId: placed.call.callId, info: placed.call, wasCaller: true, peer: null, stream, queued: [], ringing: false, lowBandwidth: null };
    const ringing = this.ringingBeforePlaced.delete(placed.call.callId);
    this.ringingBeforePlaced.clear();
    this.store.getState().updateCall({ callId: placed.call.callId, peerName: placed.call.callee.displayName, ...(ringing ? { status: 'Ringing…' } : {}) });
    this.ringer.start('ringback');
    // Start ICE and send the offer while it rings: the server holds it for whichever device answers.
    await this.startPeer(placed.ice, false);
  }

  async accept(): Promise<void> {
    const client = this.requireClient();
    const live = this.live;
    if (!live || live.wasCaller) return;
    this.ringer.stop();
    this.endRing(live, false);
    this.store.getState().updateCall({ phase: 'active', status: 'Connecting…' });
    // The microphone opens while the server takes the answer: the caller's offer comes back with it.
    const microphone = this.openMicrophone();
    const accepting = client.request('call.accept', { callId: live.callId });
    try {
      const [stream, accepted] = await Promise.all([microphone, accepting]);
      live.stream = stream;
      this.store.getState().updateCall({ answeredAt: this.now() });
      await this.startPeer(accepted.ice, true);
    } catch (error) {
      this.finish(error instanceof EarshotError && error.code === 'CONFLICT' ? 'Answered on another device' : `Could not answer: ${(error as Error).message}`);
      // Answered, but without a microphone: hang the call up rather than leave the caller waiting.
      if (await accepting.then(() => true, () => false)) {
        await client.request('call.hangup', { callId: live.callId }).catch((e: unknown) => this.log.warn('hangup failed', e));
      }
      // A microphone that opened for a call that could not be answered is closed again.
      void microphone.then((s) => s.getTracks().forEach((t) => t.stop()), () => undefined);
    }
  }

  async decline(busy = false): Promise<void> {
    const live = this.live;
    if (!live) return;
    this.finish(null);
    await this.client?.request('call.decline', { callId: live.callId, busy }).catch((e: unknown) => this.log.warn('decline failed', e));
  }

  /** Hang up (or cancel while it rings). */
  async hangup(): Promise<void> {
    const live = this.live;
    if (!live) return;
    const call = this.store.getState().call;
    const duration = call?.answeredAt ? this.now() - call.answeredAt : 0;
    this.finish(call?.phase === 'active' ? `Call ended · ${formatDuration(duration)}` : 'Call cancelled');
    await this.client?.request('call.hangup', { callId: live.callId }).catch((e: unknown) => this.log.warn('hangup failed', e));
  }

  /**
   * Use another microphone mid-call ('' = the system default): open it with the user's
   * processing settings and replace the sender's track. No renegotiation: the RTCRtpSender
   * stays, only its track changes. Keeps the mute state. Nothing to do outside a call.
   */
  async switchMicrophone(deviceId: string): Promise<void> {
    const live = this.live;
    if (!live?.stream) return;
    let stream: MediaStream;
    try {
      stream = await this.openMicrophone(deviceId);
    } catch (error) {
      this.store.getState().showCallNotice(`Cannot use that microphone: ${(error as Error).message}`);
      return;
    }
    const track = stream.getAudioTracks()[0];
    if (this.live !== live || !live.stream || !track) {
      stream.getTracks().forEach((t) => t.stop());
      return;
    }
    track.enabled = !this.store.getState().call?.muted;
    try {
      await live.peer?.replaceTrack(track);
    } catch (error) {
      stream.getTracks().forEach((t) => t.stop());
      this.store.getState().showCallNotice(`Cannot use that microphone: ${(error as Error).message}`);
      return;
    }
    const previous = live.stream;
    live.stream = stream;
    previous.getTracks().forEach((t) => t.stop());
    if (live.peer) this.meter.start(stream);
  }

  toggleMute(): void {
    const call = this.store.getState().call;
    if (!call || !this.live) return;
    const muted = !call.muted;
    this.live.peer?.setMuted(muted);
    for (const track of this.live.stream?.getAudioTracks() ?? []) track.enabled = !muted;
    this.store.getState().updateCall({ muted });
  }

  /**
   * The call panel's "Low bandwidth" button: switch the mode on or off mid-call. The bitrate
   * cap applies at once, the packet time with a renegotiation; the call stays up. After this
   * the automatic switch leaves the call alone.
   */
  setLowBandwidth(on: boolean): void {
    this.live?.lowBandwidth?.setManual(on);
  }

  async loadHistory(): Promise<void> {
    const { calls } = await this.requireClient().request('call.history', { limit: 50 });
    this.store.getState().setCallHistory(calls);
  }

  private async setting<K extends keyof Settings>(key: K): Promise<Settings[K]> {
    return this.bridge.getSetting(key);
  }

  private openMicrophone(deviceId = this.microphoneId()): Promise<MediaStream> {
    return openMicrophone({ bridge: this.bridge, getUserMedia: this.getUserMedia, ...(deviceId ? { deviceId } : {}) });
  }

  /** Tell the host the ring is over (once per incoming call); `missed` when nobody answered. */
  private endRing(live: Live, missed: boolean): void {
    if (!live.ringing) return;
    live.ringing = false;
    void this.bridge.ringEnded(live.callId, missed).catch((e: unknown) => this.log.warn(`[call:${live.callId}] ringEnded failed`, e));
  }

  private async startPeer(ice: IceConfig, polite: boolean): Promise<void> {
    const live = this.live;
    if (!live?.stream) return;
    const [dtx, turnOnly, lowBandwidthSetting] = await Promise.all([this.setting('opusDtx'), this.setting('turnOnly'), this.setting('lowBandwidth')]);
    if (this.live !== live || !live.stream) return;
    const callId = live.callId;
    const lowBandwidth = new LowBandwidthPolicy({ setting: lowBandwidthSetting });
    live.lowBandwidth = lowBandwidth;
    const peer = new PeerCall({
      polite,
      ice: turnOnly ? { ...ice, iceTransportPolicy: 'relay' } : ice,
      localStream: live.stream,
      opus: opusFor(lowBandwidth.active, dtx),
      sendSignal: (signal) => {
        this.client?.request('call.signal', { callId, signal }).catch((e: unknown) => this.log.warn(`[call:${callId}] signal not delivered`, e));
      },
      ...(this.createPeerConnection ? { createPeerConnection: this.createPeerConnection } : {}),
    });
    live.peer = peer;
    peer.on('remoteStream', (stream) => this.store.getState().setRemoteStream(stream));
    peer.on('connectionState', (state) => {
      if (this.live?.peer !== peer) return;
      const call = this.store.getState().call;
      if (call?.phase !== 'active') return;
      if (state === 'connected') this.store.getState().updateCall({ status: 'Connected' });
      if (state === 'disconnected' || state === 'failed') this.store.getState().updateCall({ status: 'Reconnecting…' });
    });
    peer.on('stats', (stats) => {
      this.store.getState().updateCall({ quality: stats.quality, path: stats.path, relayTransport: stats.relayTransport });
      lowBandwidth.observe(stats.quality);
    });
    peer.on('peerOpus', (requested) => {
      if (this.live?.peer !== peer) return;
      const peerLowBandwidth = requested.maxAverageBitrate !== null && isLowBandwidth({ maxAverageBitrate: requested.maxAverageBitrate });
      this.store.getState().updateCall({ peerLowBandwidth });
    });
    lowBandwidth.on('change', (active, reason) => {
      if (this.live?.peer !== peer) return;
      this.log.info(`[call:${callId}] low-bandwidth mode ${active ? 'on' : 'off'} (${reason})`);
      this.store.getState().updateCall({ lowBandwidth: active, lowBandwidthReason: lowBandwidth.reason });
      peer.setOpusSettings(opusFor(active, dtx)).catch((e: unknown) => this.log.warn(`[call:${callId}] could not change the Opus settings`, e));
    });
    this.store.getState().updateCall({ lowBandwidth: lowBandwidth.active, lowBandwidthReason: lowBandwidth.reason });
    if (this.store.getState().call?.muted) peer.setMuted(true);
    this.meter.start(live.stream);
    for (const signal of live.queued.splice(0)) await this.applySignal(peer, signal);
  }

  private async applySignal(peer: PeerCall, signal: CallSignal): Promise<void> {
    try {
      await peer.handleSignal(signal);
    } catch (error) {
      this.log.warn(`[signal:${signal.type}] could not apply`, error);
    }
  }

  private onNotification(notification: ParsedNotification): void {
    const state = this.store.getState();
    switch (notification.event) {
      case 'call.incoming': {
        const { call } = notification.data;
        if (this.live) return; // The server never rings someone in a call; ignore a stray ring.
        const live: Live = { callId: call.callId, info: call, wasCaller: false, peer: null, stream: null, queued: [], ringing: true, lowBandwidth: null };
        this.live = live;
        // The server refuses calls to people in do not disturb; one that raced the switch shows silently.
        const dnd = state.me !== null && state.presence[state.me.id] === 'dnd';
        state.dismissCallNotice();
        state.setCall(this.view({ callId: call.callId, conversationId: call.conversationId, phase: 'incoming', peerName: call.caller.displayName, status: dnd ? 'Incoming call (do not disturb)' : 'Incoming call' }));
        if (!dnd) this.ringer.start('ringtone');
        // The host rings outside the page (notification, ring window) — or, in do not disturb, counts a missed call.
        void this.bridge
          .ringStarted({ callId: call.callId, callerName: call.caller.displayName, conversationId: call.conversationId })
          .catch((e: unknown) => this.log.warn(`[call:${call.callId}] ringStarted failed`, e));
        return;
      }
      case 'call.ringing':
        if (this.live?.callId === notification.data.callId) state.updateCall({ status: 'Ringing…' });
        else if (!this.live && state.call?.phase === 'outgoing') this.ringingBeforePlaced.add(notification.data.callId);
        return;
      case 'call.accepted':
        if (this.live?.callId !== notification.data.call.callId) return;
        this.ringer.stop();
        state.updateCall({ phase: 'active', status: 'Connecting…', answeredAt: this.now() });
        return;
      case 'call.signal': {
        const live = this.live;
        if (live?.callId !== notification.data.callId) return;
        if (live.peer) void this.applySignal(live.peer, notification.data.signal);
        else live.queued.push(notification.data.signal);
        return;
      }
      case 'call.peer':
        if (this.live?.callId !== notification.data.callId) return;
        state.updateCall({ status: notification.data.connected ? 'Connected' : `Reconnecting… (${state.call?.peerName ?? 'peer'} lost the connection)` });
        return;
      case 'call.ended': {
        const live = this.live;
        if (live?.callId !== notification.data.callId) return;
        const peerName = state.call?.peerName ?? '';
        const { reason } = notification.data;
        this.endRing(live, reason === 'no_answer' || reason === 'cancelled');
        this.finish(endText(notification.data.reason, peerName, notification.data.durationMs, live.wasCaller));
        return;
      }
      case 'call.missed': {
        // A call the server refused without ringing here (do not disturb, or already in a call):
        // the host counts it as missed (tray, badge). In a call, say who tried; in DND, stay silent.
        const { callId, caller, reason } = notification.data;
        void this.bridge.ringEnded(callId, true).catch((e: unknown) => this.log.warn(`[call:${callId}] ringEnded failed`, e));
        if (reason === 'busy') {
          void this.bridge
            .notify({ title: 'Missed call', body: `${caller.displayName} tried to call you while you were in a call`, tag: `missed-call:${callId}` })
            .catch((e: unknown) => this.log.warn(`[call:${callId}] notify failed`, e));
        }
        return;
      }
      default:
        return; // Chat notifications are the AppController's.
    }
  }

  /** After the signaling socket came back: tell the server this device is still in the call. */
  private async rejoin(): Promise<void> {
    const live = this.live;
    const client = this.client;
    if (!live || !client) return;
    const call = this.store.getState().call;
    if (call?.phase === 'incoming') return;
    try {
      await client.request('call.rejoin', { callId: live.callId });
      // The network may have changed under us: ask for fresh candidates.
      live.peer?.restartIce();
    } catch (error) {
      this.log.warn(`[call:${live.callId}] could not re-attach`, error);
      this.finish('The call ended while you were disconnected');
    }
  }

  /** End locally: stop media, ringing and the meter; show `notice` (null: none). */
  private finish(notice: string | null): void {
    const live = this.live;
    this.live = null;
    this.ringer.stop();
    if (live) this.endRing(live, false);
    this.meter.stop();
    live?.lowBandwidth?.dispose();
    live?.peer?.close();
    live?.stream?.getTracks().forEach((track) => track.stop());
    const state = this.store.getState();
    state.setRemoteStream(null);
    state.setCall(null);
    if (notice) state.showCallNotice(notice);
  }

  private teardown(): void {
    if (this.live) this.finish(null);
  }

  private requireClient(): SignalingClient {
    if (!this.client) throw new EarshotError('DISCONNECTED', 'not connected');
    return this.client;
  }

  private view(base: { callId: string; conversationId: number; phase: 'outgoing' | 'incoming' | 'active'; peerName: string; status: string }) {
    return { ...base, answeredAt: null, muted: false, quality: null, path: 'unknown' as const, relayTransport: null, micLevel: 0, lowBandwidth: false, lowBandwidthReason: null, peerLowBandwidth: false };
  }
}
