import type {
  ConnectionState,
  ConsumerOptions,
  DtlsParameters,
  IceCandidate,
  IceParameters,
  ProducerOptions,
  RtpCapabilities,
  RtpParameters,
  TransportOptions,
} from 'mediasoup-client/types';

/**
 * The part of mediasoup-client the group call uses, so tests can inject a fake Device.
 * The real `Device` satisfies these interfaces (checked where GroupCallController builds it).
 */
export interface GroupDevice {
  /** What this page can receive; sent with group.ready. Valid after load(). */
  readonly rtpCapabilities: RtpCapabilities;
  load(options: { routerRtpCapabilities: RtpCapabilities }): Promise<void>;
  createSendTransport(options: TransportOptions): GroupTransport;
  createRecvTransport(options: TransportOptions): GroupTransport;
}

export interface GroupTransport {
  readonly id: string;
  readonly closed: boolean;
  /** DTLS parameters to pass to the server (group.connectTransport); call back when it answered. */
  on(
    event: 'connect',
    listener: (params: { dtlsParameters: DtlsParameters }, callback: () => void, errback: (error: Error) => void) => void,
  ): unknown;
  /** A new producer's RTP parameters (group.produce); call back with the server's producer id. */
  on(
    event: 'produce',
    listener: (
      params: { kind: 'audio' | 'video'; rtpParameters: RtpParameters; appData: Record<string, unknown> },
      callback: (result: { id: string }) => void,
      errback: (error: Error) => void,
    ) => void,
  ): unknown;
  on(event: 'connectionstatechange', listener: (state: ConnectionState) => void): unknown;
  produce(options: ProducerOptions): Promise<GroupProducer>;
  consume(options: ConsumerOptions): Promise<GroupConsumer>;
  restartIce(options: { iceParameters: IceParameters }): Promise<void>;
  /** The transport's RTCPeerConnection statistics (quality sampling). */
  getStats(): Promise<RTCStatsReport>;
  close(): void;
}

export interface GroupProducer {
  readonly id: string;
  readonly paused: boolean;
  readonly track: MediaStreamTrack | null;
  pause(): void;
  resume(): void;
  replaceTrack(options: { track: MediaStreamTrack | null }): Promise<void>;
  /** Change the RTCRtpSender's encoding (e.g. maxBitrate) without renegotiating. */
  setRtpEncodingParameters(params: RTCRtpEncodingParameters): Promise<void>;
  close(): void;
}

export interface GroupConsumer {
  readonly id: string;
  readonly track: MediaStreamTrack;
  readonly closed: boolean;
  close(): void;
}

export type { ConnectionState as TransportConnectionState, DtlsParameters, IceCandidate, IceParameters, RtpCapabilities, RtpParameters, TransportOptions };
