import { TypedEmitter } from '../../common/TypedEmitter.js';
import type { IceConfig, NotificationData, RequestData, RequestMethod, ResponseData, TransportParams } from '../../common/protocol/index.js';
import { classifyQuality, type CallQuality } from '../call/callQuality.js';
import type { Logger } from '../lib/createLogger.js';
import type {
  DtlsParameters,
  GroupConsumer,
  GroupDevice,
  GroupProducer,
  GroupTransport,
  IceCandidate,
  IceParameters,
  RtpCapabilities,
  RtpParameters,
  TransportConnectionState,
  TransportOptions,
} from './groupMediaTypes.js';

/** Sends one signaling request (SignalingClient.request). */
export type GroupRequest = <M extends RequestMethod>(method: M, data: RequestData<M>) => Promise<ResponseData<M>>;

export type NewConsumer = NotificationData<'group.newConsumer'>;

/**
 * Opus for a group call: mono voice at about 32 kbps, with in-band FEC against loss and DTX
 * so that the many silent participants of a big call send almost nothing.
 */
export const GROUP_OPUS_OPTIONS = {
  opusStereo: false,
  opusDtx: true,
  opusFec: true,
  opusMaxAverageBitrate: 32_000,
} as const;

/**
 * Low-bandwidth mode: 60 ms packets (mediasoup-client writes `ptime` into the answer it
 * applies, which Chromium's encoder follows) and a 16 kbps cap on the sender's encoding. The
 * packet time cannot change without producing again (`GroupMedia.republish`); the cap can, so
 * a mid-call switch lowers it at once and the new producer follows.
 */
export const GROUP_LOW_BANDWIDTH_OPUS_OPTIONS = { ...GROUP_OPUS_OPTIONS, opusPtime: 60 } as const;

/** The microphone's send cap, bits per second, in and out of low-bandwidth mode. */
export const GROUP_MAX_BITRATE = { normal: 32_000, lowBandwidth: 16_000 } as const;

export interface GroupMediaOptions {
  callId: string;
  /** From the group.join response. */
  routerRtpCapabilities: Record<string, unknown>;
  sendTransport: TransportParams;
  recvTransport: TransportParams;
  ice: IceConfig;
  device: GroupDevice;
  request: GroupRequest;
  /** Wraps a received track for an <audio> element; default `new MediaStream([track])`. */
  createStream: (track: MediaStreamTrack) => MediaStream;
  logger: Logger;
}

export type GroupMediaEvents = {
  /** A participant's audio is ready to play (replaces an earlier stream of theirs). */
  stream: [participantId: string, stream: MediaStream];
  /** The participant's last consumer closed: drop their <audio>. */
  streamEnded: [participantId: string];
  /** The send or receive transport changed ICE/DTLS state. */
  transportState: [direction: 'send' | 'recv', state: TransportConnectionState];
};

interface ConsumerEntry {
  consumer: GroupConsumer;
  participantId: string;
}

/**
 * The mediasoup-client side of one join of a group call: the loaded Device, the send and
 * receive transports, the microphone producer and one consumer per other participant. A
 * rejoin (worker died, signaling came back) throws it away and builds a new one; the
 * microphone track is the caller's and is never stopped here (`stopTracks: false`).
 */
export class GroupMedia extends TypedEmitter<GroupMediaEvents> {
  readonly #callId: string;
  readonly #device: GroupDevice;
  readonly #request: GroupRequest;
  readonly #createStream: (track: MediaStreamTrack) => MediaStream;
  readonly #log: Logger;
  #send: GroupTransport | null = null;
  #recv: GroupTransport | null = null;
  #producer: GroupProducer | null = null;
  /** The last producer change in line (see #inTurn). */
  #producerWork: Promise<void> = Promise.resolve();
  readonly #consumers = new Map<string, ConsumerEntry>();
  /** consumerClosed that overtook its consume() (closed before it was set up). */
  readonly #closedEarly = new Set<string>();
  #closed = false;
  /** Receive counters at the previous quality sample. */
  #previousCounts: { lost: number; received: number } | null = null;

  private constructor(options: GroupMediaOptions) {
    super();
    this.#callId = options.callId;
    this.#device = options.device;
    this.#request = options.request;
    this.#createStream = options.createStream;
    this.#log = options.logger;
  }

  /** Load the device with the router's capabilities and create both transports. */
  static async create(options: GroupMediaOptions): Promise<GroupMedia> {
    const media = new GroupMedia(options);
    await options.device.load({ routerRtpCapabilities: options.routerRtpCapabilities as unknown as RtpCapabilities });
    const ice = { iceServers: options.ice.iceServers, iceTransportPolicy: options.ice.iceTransportPolicy };
    media.#send = media.#wire('send', options.device.createSendTransport({ ...transportOptions(options.sendTransport), ...ice }));
    media.#recv = media.#wire('recv', options.device.createRecvTransport({ ...transportOptions(options.recvTransport), ...ice }));
    return media;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** What this page can receive (for group.ready). */
  get rtpCapabilities(): Record<string, unknown> {
    return this.#device.rtpCapabilities as unknown as Record<string, unknown>;
  }

  /**
   * Publish the microphone. A disabled track starts the producer paused (mediasoup-client
   * reads `track.enabled`), so a muted participant never sends a packet.
   */
  async produce(track: MediaStreamTrack, options: { lowBandwidth?: boolean } = {}): Promise<void> {
    await this.#inTurn(() => this.#publish(track, options.lowBandwidth ?? false, false));
  }

  /**
   * Publish the microphone again in or out of low-bandwidth mode. The packet time is fixed
   * when mediasoup-client produces, so the longer packets need a new producer: the server
   * swaps it for the old one in one step (`replace`), the others' consumers of the old one
   * close as the new one's open, and the old one keeps sending until the swap is done.
   */
  async republish(options: { lowBandwidth: boolean }): Promise<void> {
    await this.#inTurn(async () => {
      const track = this.#producer?.track;
      if (!track || this.#closed) return;
      await this.#publish(track, options.lowBandwidth, true);
    });
  }

  /**
   * Run changes to the producer one at a time: a microphone switch during a republish must
   * land on the new producer, not on the old one about to close.
   */
  #inTurn(work: () => Promise<void>): Promise<void> {
    const run = this.#producerWork.then(work, work);
    this.#producerWork = run.catch(() => undefined);
    return run;
  }

  async #publish(track: MediaStreamTrack, lowBandwidth: boolean, replace: boolean): Promise<void> {
    if (!this.#send) throw new Error('send transport missing');
    const appData = { replace };
    const producer = await this.#send.produce(
      lowBandwidth
        ? { track, codecOptions: GROUP_LOW_BANDWIDTH_OPUS_OPTIONS, encodings: [{ maxBitrate: GROUP_MAX_BITRATE.lowBandwidth }], stopTracks: false, appData }
        : { track, codecOptions: GROUP_OPUS_OPTIONS, stopTracks: false, appData },
    );
    if (this.#closed) {
      producer.close();
      return;
    }
    const previous = this.#producer;
    this.#producer = producer;
    // The server already closed the old one; this drops its sender (the shared track stays open).
    previous?.close();
    if (!track.enabled && !producer.paused) producer.pause();
  }

  /** Set up a consumer the server announced, hand its audio out, then ask the server to resume it. */
  async consume(n: NewConsumer): Promise<void> {
    const recv = this.#recv;
    if (!recv || this.#closed) return;
    const consumer = await recv.consume({
      id: n.consumerId,
      producerId: n.producerId,
      kind: n.kind,
      rtpParameters: n.rtpParameters as unknown as RtpParameters,
    });
    if (this.#closed || this.#closedEarly.delete(n.consumerId)) {
      consumer.close();
      return;
    }
    this.#consumers.set(n.consumerId, { consumer, participantId: n.participantId });
    this.emit('stream', n.participantId, this.#createStream(consumer.track));
    await this.#request('group.resumeConsumer', { callId: this.#callId, consumerId: n.consumerId });
  }

  /** The server closed a consumer (its producer left or was replaced). */
  closeConsumer(consumerId: string): void {
    const entry = this.#consumers.get(consumerId);
    if (!entry) {
      this.#closedEarly.add(consumerId);
      return;
    }
    this.#consumers.delete(consumerId);
    entry.consumer.close();
    const stillThere = [...this.#consumers.values()].some((e) => e.participantId === entry.participantId);
    if (!stillThere) this.emit('streamEnded', entry.participantId);
  }

  /** Pause or resume the microphone producer (its track is disabled while paused). */
  setPaused(paused: boolean): void {
    const producer = this.#producer;
    if (!producer) return;
    if (paused) producer.pause();
    else producer.resume();
  }

  /** Cap the microphone's bitrate (low-bandwidth mode mid-call); no renegotiation. */
  async setMaxBitrate(maxBitrate: number): Promise<void> {
    await this.#producer?.setRtpEncodingParameters({ maxBitrate });
  }

  /**
   * One quality sample for the low-bandwidth switch: loss over what arrived since the last
   * sample, jitter (the worst stream) and round-trip time of the receive transport, classified
   * like a 1-on-1 call's. Null before the transport exists or when stats cannot be read.
   */
  async sampleQuality(): Promise<CallQuality | null> {
    const recv = this.#recv;
    if (!recv || this.#closed) return null;
    let report: RTCStatsReport;
    try {
      report = await recv.getStats();
    } catch {
      return null;
    }
    let lost = 0;
    let received = 0;
    let jitterMs: number | null = null;
    let rttMs: number | null = null;
    report.forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        lost += (s.packetsLost as number) ?? 0;
        received += (s.packetsReceived as number) ?? 0;
        if (typeof s.jitter === 'number') jitterMs = Math.max(jitterMs ?? 0, s.jitter * 1000);
      }
      if (s.type === 'candidate-pair' && s.nominated === true && typeof s.currentRoundTripTime === 'number') rttMs = s.currentRoundTripTime * 1000;
    });
    const previous = this.#previousCounts;
    this.#previousCounts = { lost, received };
    if (!previous) return null;
    const dLost = Math.max(0, lost - previous.lost);
    const dReceived = Math.max(0, received - previous.received);
    const lossFraction = dLost + dReceived > 0 ? dLost / (dLost + dReceived) : 0;
    return classifyQuality({ rttMs, lossFraction, jitterMs });
  }

  /** Send from another microphone without renegotiating. */
  async replaceTrack(track: MediaStreamTrack): Promise<void> {
    await this.#inTurn(async () => this.#producer?.replaceTrack({ track }));
  }

  /** Close the producer, every consumer and both transports. The microphone track stays open. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const { consumer } of this.#consumers.values()) consumer.close();
    this.#consumers.clear();
    this.#producer?.close();
    this.#send?.close();
    this.#recv?.close();
    this.removeAllListeners();
  }

  #wire(direction: 'send' | 'recv', transport: GroupTransport): GroupTransport {
    const callId = this.#callId;
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.#request('group.connectTransport', { callId, transportId: transport.id, dtlsParameters }).then(() => callback(), errback);
    });
    if (direction === 'send') {
      transport.on('produce', ({ rtpParameters, appData }, callback, errback) => {
        const replace = appData.replace === true ? { replace: true } : {};
        this.#request('group.produce', { callId, transportId: transport.id, rtpParameters, ...replace }).then(({ producerId }) => callback({ id: producerId }), errback);
      });
    }
    transport.on('connectionstatechange', (state) => {
      if (this.#closed) return;
      this.emit('transportState', direction, state);
      // A path broke (network change, NAT rebinding): ask the server for new ICE credentials.
      if (state === 'failed') void this.#restartIce(transport);
    });
    return transport;
  }

  async #restartIce(transport: GroupTransport): Promise<void> {
    try {
      const { iceParameters } = await this.#request('group.restartIce', { callId: this.#callId, transportId: transport.id });
      if (!this.#closed && !transport.closed) await transport.restartIce({ iceParameters: iceParameters as unknown as IceParameters });
    } catch (error) {
      this.#log.warn(`[call:${this.#callId}] [transport:${transport.id}] ICE restart failed`, error);
    }
  }
}

/** The wire's transport parameters as mediasoup-client takes them (it validates them itself). */
function transportOptions(params: TransportParams): TransportOptions {
  return {
    id: params.id,
    iceParameters: params.iceParameters as unknown as IceParameters,
    iceCandidates: params.iceCandidates as unknown as IceCandidate[],
    dtlsParameters: params.dtlsParameters as unknown as DtlsParameters,
  };
}
