/**
 * A lightweight group-call participant in Node: a real signed-in user on the real signaling
 * server (TestClient socket, group.join / connectTransport / produce / ready / resumeConsumer,
 * exactly the requests the web client sends), with media through mediasoup-client's Chrome111
 * handler running on @roamhq/wrtc (libwebrtc for Node). It publishes one Opus producer fed
 * from wrtc's nonstandard RTCAudioSource (10 ms frames of 48 kHz mono PCM: a tone, or digital
 * silence so Opus DTX sends almost nothing) and consumes every other participant. Received
 * audio is not played anywhere; receive counters come from the consumers' getStats().
 *
 * Used by tests/load/group-50.spec.ts and bench/sfu.ts to fill a call next to real Chromium
 * participants on a 2-core machine.
 */
import { createRequire } from 'node:module';
import type { Device as DeviceType } from 'mediasoup-client';
import type { types as msc } from 'mediasoup-client';
import type { NotificationData, SessionResponse } from '../../common/protocol/index.js';
import { TestClient } from '../../tests/helpers/wsClient.js';

const require = createRequire(import.meta.url);

/** The parts of @roamhq/wrtc used here (it ships no types). */
interface RtcAudioSource {
  createTrack(): MediaStreamTrack;
  onData(data: { samples: Int16Array; sampleRate: number; bitsPerSample: number; channelCount: number; numberOfFrames: number }): void;
}
interface Wrtc {
  RTCPeerConnection: unknown;
  RTCSessionDescription: unknown;
  RTCIceCandidate: unknown;
  MediaStream: unknown;
  MediaStreamTrack: unknown;
  RTCRtpSender: unknown;
  RTCRtpReceiver: unknown;
  RTCRtpTransceiver: unknown;
  nonstandard: { RTCAudioSource: new () => RtcAudioSource };
}

let wrtc: Wrtc | null = null;
let DeviceCtor: typeof DeviceType | null = null;

/** Load wrtc and expose its classes as the globals mediasoup-client's browser handler expects. */
function loadWrtc(): { wrtc: Wrtc; Device: typeof DeviceType } {
  if (!wrtc || !DeviceCtor) {
    wrtc = require('@roamhq/wrtc') as Wrtc;
    const g = globalThis as Record<string, unknown>;
    for (const name of ['RTCPeerConnection', 'RTCSessionDescription', 'RTCIceCandidate', 'MediaStream', 'MediaStreamTrack', 'RTCRtpSender', 'RTCRtpReceiver', 'RTCRtpTransceiver'] as const) {
      g[name] ??= wrtc[name];
    }
    DeviceCtor = (require('mediasoup-client') as { Device: typeof DeviceType }).Device;
  }
  return { wrtc, Device: DeviceCtor };
}

/** Opus as the web client publishes it (renderer/group/GroupMedia.ts GROUP_OPUS_OPTIONS). */
const OPUS_OPTIONS = { opusStereo: false, opusDtx: true, opusFec: true, opusMaxAverageBitrate: 32_000 } as const;

const SAMPLE_RATE = 48_000;
const FRAME = 480;

/**
 * One 10 ms PCM clock shared by every bot of the process: one timer instead of 48, each tick
 * feeding every source its frame(s). Catches up when the event loop was late.
 */
class PcmClock {
  private readonly sources = new Set<(frames: number) => void>();
  private timer: NodeJS.Timeout | null = null;
  private started = 0;
  private sent = 0;

  add(feed: (frames: number) => void): () => void {
    this.sources.add(feed);
    if (!this.timer) {
      this.started = performance.now();
      this.sent = 0;
      this.timer = setInterval(() => this.tick(), 10);
    }
    return () => {
      this.sources.delete(feed);
      if (this.sources.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  private tick(): void {
    const due = Math.floor((performance.now() - this.started) / 10);
    // Never burst more than 100 ms at once (a long stall is dropped, as a sound card would).
    const frames = Math.min(due - this.sent, 10);
    this.sent = due;
    if (frames <= 0) return;
    for (const feed of this.sources) feed(frames);
  }
}
const pcmClock = new PcmClock();

export interface GroupBotOptions {
  wsUrl: string;
  session: SessionResponse;
  conversationId: number;
  /** Tone to send (Hz), or null to send digital silence (Opus DTX then sends ~1 packet / 400 ms). */
  toneHz: number | null;
  /** Publish a producer at all (false: receive only). Default true. */
  produce?: boolean;
}

/** Receive counters summed over a bot's consumers (inbound-rtp). */
export interface BotReceiveStats {
  consumers: number;
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
  headerBytesReceived: number;
}

export class GroupBot {
  readonly client: TestClient;
  readonly opts: GroupBotOptions;
  callId = '';
  participantId = '';
  /** ms (performance.now()) when group.join was sent and when the first consumer got its first packet. */
  joinSentAt = 0;
  firstPacketAt: number | null = null;
  private device: DeviceType | null = null;
  private send: msc.Transport | null = null;
  private recv: msc.Transport | null = null;
  private producer: msc.Producer | null = null;
  private source: RtcAudioSource | null = null;
  private stopPcm: (() => void) | null = null;
  private toneHz: number | null;
  private phase = 0;
  private readonly consumers = new Map<string, msc.Consumer>();
  private readonly queued: Array<NotificationData<'group.newConsumer'>> = [];
  private closed = false;
  private watching = false;

  private constructor(client: TestClient, opts: GroupBotOptions) {
    this.client = client;
    this.opts = opts;
    this.toneHz = opts.toneHz;
  }

  /** Connect, join the conversation's ongoing call and set up media. Throws RequestFailed (e.g. ROOM_FULL). */
  static async join(opts: GroupBotOptions): Promise<GroupBot> {
    const client = await TestClient.connect(opts.wsUrl, opts.session.token);
    const bot = new GroupBot(client, opts);
    try {
      await bot.setup();
    } catch (error) {
      bot.close();
      throw error;
    }
    return bot;
  }

  private async setup(): Promise<void> {
    const { wrtc: w, Device } = loadWrtc();
    this.client.socket.on('message', (raw) => this.onMessage(String(raw)));
    this.joinSentAt = performance.now();
    const joined = await this.client.request('group.join', { conversationId: this.opts.conversationId });
    this.callId = joined.call.callId;
    this.participantId = joined.participantId;
    const device = new Device({ handlerName: 'Chrome111' });
    this.device = device;
    await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as unknown as msc.RtpCapabilities });
    const transportOptions = (t: typeof joined.sendTransport): msc.TransportOptions => ({
      id: t.id,
      iceParameters: t.iceParameters as unknown as msc.IceParameters,
      iceCandidates: t.iceCandidates as unknown as msc.IceCandidate[],
      dtlsParameters: t.dtlsParameters as unknown as msc.DtlsParameters,
    });
    this.send = this.wire(device.createSendTransport(transportOptions(joined.sendTransport)));
    this.recv = this.wire(device.createRecvTransport(transportOptions(joined.recvTransport)));
    if (this.opts.produce !== false) {
      const source = new w.nonstandard.RTCAudioSource();
      this.source = source;
      const track = source.createTrack();
      this.stopPcm = pcmClock.add((frames) => this.feed(frames));
      this.producer = await this.send.produce({ track, codecOptions: OPUS_OPTIONS, stopTracks: false });
    }
    await this.client.request('group.ready', { callId: this.callId, rtpCapabilities: device.rtpCapabilities as unknown as Record<string, unknown> });
    for (const n of this.queued.splice(0)) void this.consume(n);
  }

  /** Change what the bot sends: a tone, or silence (DTX). */
  setTone(toneHz: number | null): void {
    this.toneHz = toneHz;
  }

  /** Self mute/unmute the way the web client does: pause the producer, then tell the server. */
  async setMuted(muted: boolean): Promise<void> {
    if (muted) this.producer?.pause();
    await this.client.request('group.setMuted', { callId: this.callId, muted });
    if (!muted) this.producer?.resume();
  }

  get consumerCount(): number {
    return this.consumers.size;
  }

  /**
   * Receive counters of the whole receive transport (wrtc implements RTCPeerConnection.getStats
   * but not RTCRtpReceiver.getStats, so per-consumer stats are not available).
   */
  async receiveStats(): Promise<BotReceiveStats> {
    const out: BotReceiveStats = { consumers: this.consumers.size, packetsReceived: 0, packetsLost: 0, bytesReceived: 0, headerBytesReceived: 0 };
    if (!this.recv || this.recv.closed) return out;
    const report = await this.recv.getStats();
    report.forEach((s: { type: string; kind?: string; packetsReceived?: number; packetsLost?: number; bytesReceived?: number; headerBytesReceived?: number }) => {
      if (s.type !== 'inbound-rtp') return;
      out.packetsReceived += s.packetsReceived ?? 0;
      out.packetsLost += s.packetsLost ?? 0;
      out.bytesReceived += s.bytesReceived ?? 0;
      out.headerBytesReceived += s.headerBytesReceived ?? 0;
    });
    return out;
  }

  async leave(): Promise<void> {
    if (this.callId && !this.closed) await this.client.request('group.leave', { callId: this.callId }).catch(() => undefined);
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopPcm?.();
    for (const c of this.consumers.values()) c.close();
    this.producer?.close();
    this.send?.close();
    this.recv?.close();
    this.client.close();
  }

  private feed(frames: number): void {
    const source = this.source;
    if (!source || this.closed) return;
    for (let f = 0; f < frames; f++) {
      const samples = new Int16Array(FRAME);
      if (this.toneHz !== null) {
        const step = (2 * Math.PI * this.toneHz) / SAMPLE_RATE;
        for (let i = 0; i < FRAME; i++) {
          samples[i] = Math.round(Math.sin(this.phase) * 16_000);
          this.phase += step;
        }
        this.phase %= 2 * Math.PI;
      }
      source.onData({ samples, sampleRate: SAMPLE_RATE, bitsPerSample: 16, channelCount: 1, numberOfFrames: FRAME });
    }
  }

  private wire(transport: msc.Transport): msc.Transport {
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.client
        .request('group.connectTransport', { callId: this.callId, transportId: transport.id, dtlsParameters: dtlsParameters as unknown as Record<string, unknown> })
        .then(() => callback(), errback);
    });
    transport.on('produce', ({ rtpParameters }, callback, errback) => {
      this.client
        .request('group.produce', { callId: this.callId, transportId: transport.id, rtpParameters: rtpParameters as unknown as Record<string, unknown> })
        .then(({ producerId }) => callback({ id: producerId }), errback);
    });
    return transport;
  }

  private onMessage(raw: string): void {
    const frame = JSON.parse(raw) as { event?: string; data?: unknown };
    if (!frame.event) return;
    // TestClient keeps unclaimed notifications in `frames`; a bot hears many (speakers, updates): drop them.
    this.client.frames.splice(0);
    if (frame.event === 'group.newConsumer') {
      const n = frame.data as NotificationData<'group.newConsumer'>;
      if (!this.recv) this.queued.push(n);
      else void this.consume(n);
    } else if (frame.event === 'group.consumerClosed') {
      const { consumerId } = frame.data as NotificationData<'group.consumerClosed'>;
      this.consumers.get(consumerId)?.close();
      this.consumers.delete(consumerId);
    }
  }

  private async consume(n: NotificationData<'group.newConsumer'>): Promise<void> {
    if (!this.recv || this.closed) return;
    try {
      const consumer = await this.recv.consume({ id: n.consumerId, producerId: n.producerId, kind: n.kind, rtpParameters: n.rtpParameters as unknown as msc.RtpParameters });
      if (this.closed) return;
      this.consumers.set(n.consumerId, consumer);
      await this.client.request('group.resumeConsumer', { callId: this.callId, consumerId: n.consumerId });
      if (this.firstPacketAt === null && !this.watching) {
        this.watching = true;
        void this.watchFirstPacket();
      }
    } catch (error) {
      if (!this.closed) console.warn(`[bot ${this.opts.session.user.username}] consume failed:`, error);
    }
  }

  /** Poll the receive transport's inbound-rtp until a packet arrived (50 ms resolution). */
  private async watchFirstPacket(): Promise<void> {
    while (!this.closed && this.firstPacketAt === null) {
      const stats = await this.receiveStats();
      if (stats.packetsReceived > 0) this.firstPacketAt = performance.now();
      else await new Promise((r) => setTimeout(r, 50));
    }
  }
}
