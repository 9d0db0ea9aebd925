import type {
  GroupConsumer,
  GroupDevice,
  GroupProducer,
  GroupTransport,
  RtpCapabilities,
  TransportOptions,
} from '../../../../renderer/group/groupMediaTypes.js';

/** A MediaStreamTrack stand-in: `enabled` and `stop()` are all the call code touches. */
export class FakeTrack {
  readonly kind = 'audio';
  enabled = true;
  readyState: 'live' | 'ended' = 'live';
  constructor(readonly id: string) {}
  stop(): void {
    this.readyState = 'ended';
  }
  get stopped(): boolean {
    return this.readyState === 'ended';
  }
}

/** A MediaStream stand-in holding fake tracks. */
export class FakeStream {
  constructor(readonly tracks: FakeTrack[]) {}
  getAudioTracks(): FakeTrack[] {
    return this.tracks;
  }
  getTracks(): FakeTrack[] {
    return this.tracks;
  }
}

let trackIds = 0;
/** A fake getUserMedia: each call opens a new fake microphone (recorded in `opened`). */
export function fakeGetUserMedia() {
  const opened: { constraints: MediaStreamConstraints; stream: FakeStream }[] = [];
  const getUserMedia = async (constraints: MediaStreamConstraints) => {
    const stream = new FakeStream([new FakeTrack(`mic-${++trackIds}`)]);
    opened.push({ constraints, stream });
    return stream as unknown as MediaStream;
  };
  return { getUserMedia, opened };
}

export class FakeProducer implements GroupProducer {
  paused: boolean;
  closed = false;
  /** Every setRtpEncodingParameters call, in order. */
  readonly encodingChanges: RTCRtpEncodingParameters[] = [];
  constructor(
    readonly id: string,
    public track: MediaStreamTrack | null,
    readonly codecOptions: unknown,
    readonly encodings?: unknown,
  ) {
    // Like mediasoup-client (disableTrackOnPause): a disabled track starts the producer paused.
    this.paused = track ? !track.enabled : false;
  }
  pause(): void {
    this.paused = true;
    if (this.track) this.track.enabled = false;
  }
  resume(): void {
    this.paused = false;
    if (this.track) this.track.enabled = true;
  }
  async replaceTrack({ track }: { track: MediaStreamTrack | null }): Promise<void> {
    this.track = track;
    if (track) track.enabled = !this.paused;
  }
  async setRtpEncodingParameters(params: RTCRtpEncodingParameters): Promise<void> {
    this.encodingChanges.push(params);
  }
  close(): void {
    this.closed = true;
  }
}

export class FakeConsumer implements GroupConsumer {
  closed = false;
  readonly track: MediaStreamTrack;
  constructor(
    readonly id: string,
    readonly producerId: string,
  ) {
    this.track = new FakeTrack(`remote-${id}`) as unknown as MediaStreamTrack;
  }
  close(): void {
    this.closed = true;
  }
}

type AnyListener = (...args: never[]) => void;

/**
 * A transport that behaves like mediasoup-client's for the app: the first produce/consume
 * emits `connect` and waits for its callback; produce emits `produce` and takes the id the app
 * calls back with.
 */
export class FakeTransport implements GroupTransport {
  closed = false;
  connected = false;
  readonly producers: FakeProducer[] = [];
  readonly consumers: FakeConsumer[] = [];
  readonly iceRestarts: unknown[] = [];
  /** What getStats() reports (tests fill in inbound-rtp and candidate-pair entries). */
  stats = new Map<string, Record<string, unknown>>();
  private readonly listeners = new Map<string, AnyListener>();

  constructor(
    readonly direction: 'send' | 'recv',
    readonly options: TransportOptions,
  ) {}

  get id(): string {
    return this.options.id;
  }

  on(event: string, listener: AnyListener): this {
    this.listeners.set(event, listener);
    return this;
  }

  /** Emit an event the way mediasoup-client does, resolving when the app calls back. */
  private emitWithCallback<T>(event: string, params: unknown): Promise<T> {
    const listener = this.listeners.get(event) as ((p: unknown, cb: (v: T) => void, eb: (e: Error) => void) => void) | undefined;
    if (!listener) return Promise.reject(new Error(`no ${event} listener`));
    return new Promise<T>((resolve, reject) => listener(params, resolve, reject));
  }

  emitState(state: string): void {
    (this.listeners.get('connectionstatechange') as ((s: string) => void) | undefined)?.(state);
  }

  private async ensureConnected(): Promise<void> {
    if (this.connected) return;
    this.connected = true;
    await this.emitWithCallback('connect', { dtlsParameters: { role: 'client', fingerprints: [] } });
  }

  async produce(options: Parameters<GroupTransport['produce']>[0]): Promise<GroupProducer> {
    if (this.closed) throw new Error('closed');
    await this.ensureConnected();
    const { id } = await this.emitWithCallback<{ id: string }>('produce', { kind: 'audio', rtpParameters: { codecs: [] }, appData: options.appData ?? {} });
    const producer = new FakeProducer(id, options.track ?? null, options.codecOptions, options.encodings);
    this.producers.push(producer);
    return producer;
  }

  async consume(options: Parameters<GroupTransport['consume']>[0]): Promise<GroupConsumer> {
    if (this.closed) throw new Error('closed');
    await this.ensureConnected();
    const consumer = new FakeConsumer(options.id, options.producerId);
    this.consumers.push(consumer);
    return consumer;
  }

  async restartIce(options: { iceParameters: unknown }): Promise<void> {
    this.iceRestarts.push(options.iceParameters);
  }

  async getStats(): Promise<RTCStatsReport> {
    return new Map(this.stats) as unknown as RTCStatsReport;
  }

  close(): void {
    this.closed = true;
    for (const p of this.producers) p.close();
    for (const c of this.consumers) c.close();
  }
}

/** A Device whose load() can be held open (`holdLoad`) to test what arrives meanwhile. */
export class FakeDevice implements GroupDevice {
  loadedWith: unknown = null;
  send: FakeTransport | null = null;
  recv: FakeTransport | null = null;
  private gate: Promise<void> | null = null;
  private release: (() => void) | null = null;

  get rtpCapabilities(): RtpCapabilities {
    return { codecs: [{ kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2 }], headerExtensions: [] };
  }

  holdLoad(): () => void {
    this.gate = new Promise((resolve) => (this.release = resolve));
    return () => this.release?.();
  }

  async load({ routerRtpCapabilities }: { routerRtpCapabilities: RtpCapabilities }): Promise<void> {
    if (this.gate) await this.gate;
    this.loadedWith = routerRtpCapabilities;
  }

  createSendTransport(options: TransportOptions): GroupTransport {
    this.send = new FakeTransport('send', options);
    return this.send;
  }

  createRecvTransport(options: TransportOptions): GroupTransport {
    this.recv = new FakeTransport('recv', options);
    return this.recv;
  }
}
