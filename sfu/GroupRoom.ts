import type { types as ms } from 'mediasoup';
import { EarshotError } from '../common/errors.js';
import { TypedEmitter } from '../common/TypedEmitter.js';
import { AudibleSpeakers } from './AudibleSpeakers.js';
import type { Sfu } from './Sfu.js';

/** What a client needs to build a mediasoup-client transport. */
export interface TransportParams {
  id: string;
  iceParameters: ms.IceParameters;
  iceCandidates: ms.IceCandidate[];
  dtlsParameters: ms.DtlsParameters;
}

export interface ConsumerParams {
  consumerId: string;
  producerId: string;
  /** The peer whose microphone this is. */
  producerPeerId: string;
  kind: 'audio';
  rtpParameters: ms.RtpParameters;
}

export type GroupRoomEvents = {
  /** A (paused) consumer was created for `peerId`; the client sets it up and asks to resume it. */
  newConsumer: [peerId: string, consumer: ConsumerParams];
  consumerClosed: [peerId: string, consumerId: string];
  /** Loudest first; empty when everyone is silent. Only emitted on change. */
  speakers: [peerIds: string[]];
  /** The router is gone (worker died or room closed). */
  closed: [];
};

/** Where a plain-RTP peer sends its RTP (the SFU learns the peer's address from the first packet). */
export interface PlainSendParams {
  id: string;
  ip: string;
  port: number;
}

/**
 * What a peer receives: `all` (default) every other participant; `speakers` (low-bandwidth
 * mode) only the last few speakers (AudibleSpeakers): the other consumers stay paused here,
 * so their packets never leave the SFU.
 */
export type ReceiveMode = 'all' | 'speakers';

interface ConsumerEntry {
  consumer: ms.Consumer;
  /** Whose microphone this is. */
  producerPeerId: string;
  /** The client has set the consumer up and asked to resume it (consumers start paused). */
  resumedByClient: boolean;
  /** Pauses and resumes of this consumer, one after another (each decides on the state at its turn). */
  syncing: Promise<void>;
}

interface Peer {
  id: string;
  send: ms.WebRtcTransport | ms.PlainTransport;
  recv: ms.WebRtcTransport | ms.PlainTransport;
  /** Plain-RTP peer (both transports are PlainTransports). */
  plain: boolean;
  producer: ms.Producer | undefined;
  consumers: Map<string, ConsumerEntry>;
  receiveMode: ReceiveMode;
  /** Whom a `speakers`-mode peer hears; null in `all` mode. */
  audible: AudibleSpeakers | null;
  /**
   * Producer ids this peer consumes or is about to (set before the first await), so that a
   * `produce` and a `setReady` racing each other cannot create two consumers of one producer.
   */
  consuming: Set<string>;
  rtpCapabilities: ms.RtpCapabilities | undefined;
}

/** mediasoup rejects malformed parameters with TypeError: that is the client's fault. */
async function clientCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof TypeError || (error as Error).name === 'UnsupportedError') {
      throw new EarshotError('BAD_REQUEST', `${what}: ${(error as Error).message}`);
    }
    throw error;
  }
}

/**
 * One group call's media: a router on the SFU, a send and a receive transport per peer, one
 * audio producer per peer, and a consumer of every other peer's producer. Nothing is recorded
 * or stored: packets are forwarded and forgotten.
 */
export class GroupRoom extends TypedEmitter<GroupRoomEvents> {
  readonly router: ms.Router;
  private readonly sfu: Sfu;
  private readonly levels: ms.AudioLevelObserver;
  private readonly peers = new Map<string, Peer>();
  private lastSpeakers = '';
  /** Speaking now, loudest first (the latest audio-level report). */
  private speaking: string[] = [];
  /** Media time for AudibleSpeakers' hold (real time, not the server's business clock). */
  private readonly now: () => number;

  private constructor(sfu: Sfu, router: ms.Router, levels: ms.AudioLevelObserver, now: () => number) {
    super();
    this.sfu = sfu;
    this.router = router;
    this.levels = levels;
    this.now = now;
    router.observer.once('close', () => this.emit('closed'));
    levels.on('volumes', (volumes) => this.setSpeakers(volumes.map((v) => v.producer.appData.peerId as string)));
    levels.on('silence', () => this.setSpeakers([]));
  }

  /** `now`: ms on any monotonic clock, for how long speakers stay audible; default performance.now. */
  static async create(sfu: Sfu, options: { now?: () => number } = {}): Promise<GroupRoom> {
    const router = await sfu.createRouter();
    const levels = await router.createAudioLevelObserver({ maxEntries: 3, threshold: -60, interval: 400 });
    return new GroupRoom(sfu, router, levels, options.now ?? (() => performance.now()));
  }

  get closed(): boolean {
    return this.router.closed;
  }

  get peerCount(): number {
    return this.peers.size;
  }

  /** Create a peer with its two transports. */
  async addPeer(peerId: string): Promise<{ routerRtpCapabilities: ms.RtpCapabilities; send: TransportParams; recv: TransportParams }> {
    if (this.peers.has(peerId)) throw new EarshotError('CONFLICT', 'already in this call');
    const send = await this.sfu.createWebRtcTransport(this.router, { peerId, direction: 'send' });
    const recv = await this.sfu.createWebRtcTransport(this.router, { peerId, direction: 'recv' });
    this.peers.set(peerId, { id: peerId, send, recv, plain: false, producer: undefined, consumers: new Map(), consuming: new Set(), rtpCapabilities: undefined, receiveMode: 'all', audible: null });
    const params = (t: ms.WebRtcTransport): TransportParams => ({
      id: t.id,
      iceParameters: t.iceParameters,
      iceCandidates: t.iceCandidates,
      dtlsParameters: t.dtlsParameters,
    });
    return { routerRtpCapabilities: this.router.rtpCapabilities, send: params(send), recv: params(recv) };
  }

  /**
   * Create a plain-RTP peer (no ICE, DTLS or SRTP; loopback use only): a send transport that
   * learns the peer's address from its first packet, and a receive transport sending to `recvTo`.
   */
  async addPlainPeer(peerId: string, recvTo: { ip: string; port: number }): Promise<{ routerRtpCapabilities: ms.RtpCapabilities; send: PlainSendParams; recvTransportId: string }> {
    if (this.peers.has(peerId)) throw new EarshotError('CONFLICT', 'already in this call');
    const send = await this.sfu.createPlainTransport(this.router, { comedia: true, appData: { peerId, direction: 'send' } });
    const recv = await this.sfu.createPlainTransport(this.router, { comedia: false, appData: { peerId, direction: 'recv' } });
    await recv.connect(recvTo);
    this.peers.set(peerId, { id: peerId, send, recv, plain: true, producer: undefined, consumers: new Map(), consuming: new Set(), rtpCapabilities: undefined, receiveMode: 'all', audible: null });
    return { routerRtpCapabilities: this.router.rtpCapabilities, send: { id: send.id, ip: send.tuple.localIp, port: send.tuple.localPort }, recvTransportId: recv.id };
  }

  async connectTransport(peerId: string, transportId: string, dtlsParameters: ms.DtlsParameters): Promise<void> {
    const transport = this.webRtcTransport(peerId, transportId);
    await clientCall('connect', () => transport.connect({ dtlsParameters }));
  }

  /**
   * Publish the peer's microphone and let every ready peer consume it. `replace` swaps the
   * peer's current producer for the new one: the old one closes (and with it the other peers'
   * consumers of it, announced as consumerClosed) only once the new one exists, so a refused
   * replacement leaves the old one sending.
   */
  async produce(peerId: string, transportId: string, rtpParameters: ms.RtpParameters, paused: boolean, replace = false): Promise<string> {
    const peer = this.peer(peerId);
    if (transportId !== peer.send.id) throw new EarshotError('BAD_REQUEST', 'produce on the send transport');
    if (peer.producer && !replace) throw new EarshotError('CONFLICT', 'this participant already sends audio');
    const producer = await clientCall('produce', () => peer.send.produce({ kind: 'audio', rtpParameters, paused, appData: { peerId } }));
    if (peer.producer && !replace) {
      // Another produce finished first while this one was with the worker.
      producer.close();
      throw new EarshotError('CONFLICT', 'this participant already sends audio');
    }
    const previous = peer.producer;
    peer.producer = producer;
    previous?.close();
    await this.levels.addProducer({ producerId: producer.id }).catch(() => undefined);
    await this.consumeAll([...this.peers.values()].filter((other) => other !== peer && other.rtpCapabilities).map((other) => [other, peer]));
    return producer.id;
  }

  /** The peer can receive: create a consumer of every other producer. */
  async setReady(peerId: string, rtpCapabilities: ms.RtpCapabilities): Promise<void> {
    const peer = this.peer(peerId);
    peer.rtpCapabilities = rtpCapabilities;
    await this.consumeAll([...this.peers.values()].filter((other) => other !== peer && other.producer).map((other) => [peer, other]));
  }

  /** The client has set the consumer up: forward its packets (in `speakers` mode: once its producer is audible). */
  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    const peer = this.peer(peerId);
    const entry = peer.consumers.get(consumerId);
    if (!entry) throw new EarshotError('NOT_FOUND', 'no such consumer');
    entry.resumedByClient = true;
    await this.syncConsumer(peer, entry);
  }

  /**
   * Receive everyone (`all`) or only the last few speakers (`speakers`): the peer's other
   * consumers are paused on the SFU and resumed when their participant becomes audible. Only
   * the peer's own consumers change.
   */
  async setReceiveMode(peerId: string, mode: ReceiveMode): Promise<void> {
    const peer = this.peer(peerId);
    if (peer.receiveMode === mode) return;
    peer.receiveMode = mode;
    peer.audible = null;
    if (mode === 'speakers') {
      peer.audible = new AudibleSpeakers({ now: this.now });
      // Whoever speaks right now is heard at once.
      peer.audible.heard(this.speaking.filter((id) => id !== peer.id));
    }
    await this.syncConsumers(peer);
  }

  /** Pause (mute) or resume the peer's producer; its consumers stop receiving packets at once. */
  async setProducerPaused(peerId: string, paused: boolean): Promise<void> {
    const producer = this.peer(peerId).producer;
    if (!producer) return;
    if (paused) await producer.pause();
    else await producer.resume();
  }

  async restartIce(peerId: string, transportId: string): Promise<ms.IceParameters> {
    return this.webRtcTransport(peerId, transportId).restartIce();
  }

  removePeer(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    this.peers.delete(peerId);
    for (const other of this.peers.values()) other.audible?.remove(peerId);
    // Closing the transports closes the producer, whose consumers at the other peers close too.
    peer.send.close();
    peer.recv.close();
  }

  close(): void {
    this.peers.clear();
    this.router.close();
  }

  /**
   * Create the consumers at once rather than one after another: the worker answers requests
   * in order over one channel, so a joiner of a call of 49 gets its 49 consumers in one burst
   * (which mediasoup-client then sets up in one or two SDP exchanges) instead of one per
   * round trip. One failure (its producer just closed) does not hold up the others.
   */
  private async consumeAll(pairs: Array<[consumer: Peer, producerPeer: Peer]>): Promise<void> {
    const results = await Promise.allSettled(pairs.map(([consumer, producerPeer]) => this.consume(consumer, producerPeer)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async consume(consumer: Peer, producerPeer: Peer): Promise<void> {
    const producer = producerPeer.producer!;
    if (consumer.consuming.has(producer.id)) return;
    if (!consumer.rtpCapabilities || !this.router.canConsume({ producerId: producer.id, rtpCapabilities: consumer.rtpCapabilities })) return;
    consumer.consuming.add(producer.id);
    let c: ms.Consumer;
    try {
      c = await consumer.recv.consume({ producerId: producer.id, rtpCapabilities: consumer.rtpCapabilities, paused: true });
    } catch (error) {
      consumer.consuming.delete(producer.id);
      throw error;
    }
    const entry: ConsumerEntry = { consumer: c, producerPeerId: producerPeer.id, resumedByClient: false, syncing: Promise.resolve() };
    consumer.consumers.set(c.id, entry);
    const forget = () => {
      consumer.consuming.delete(producer.id);
      return consumer.consumers.delete(c.id);
    };
    c.on('producerclose', () => {
      if (forget()) this.emit('consumerClosed', consumer.id, c.id);
    });
    c.on('transportclose', forget);
    this.emit('newConsumer', consumer.id, {
      consumerId: c.id,
      producerId: producer.id,
      producerPeerId: producerPeer.id,
      kind: 'audio',
      rtpParameters: c.rtpParameters,
    });
  }

  private peer(peerId: string): Peer {
    const peer = this.peers.get(peerId);
    if (!peer) throw new EarshotError('CALL_NOT_FOUND', 'not in this call');
    return peer;
  }

  /** One of the peer's WebRTC transports (DTLS connect and ICE restart make no sense on plain RTP). */
  private webRtcTransport(peerId: string, transportId: string): ms.WebRtcTransport {
    const peer = this.peer(peerId);
    const transport = transportId === peer.send.id ? peer.send : transportId === peer.recv.id ? peer.recv : null;
    if (!transport) throw new EarshotError('NOT_FOUND', 'no such transport');
    if (peer.plain) throw new EarshotError('BAD_REQUEST', 'not a WebRTC transport');
    return transport as ms.WebRtcTransport;
  }

  /** Pause or resume the consumer to match what the peer should hear now. */
  private syncConsumer(peer: Peer, entry: ConsumerEntry): Promise<void> {
    entry.syncing = entry.syncing
      .then(async () => {
        const c = entry.consumer;
        if (c.closed) return;
        const wanted = entry.resumedByClient && (peer.receiveMode === 'all' || (peer.audible?.has(entry.producerPeerId) ?? false));
        if (wanted && c.paused) await c.resume();
        else if (!wanted && !c.paused) await c.pause();
      })
      // A consumer closed mid-request (its producer left): nothing left to do.
      .catch(() => undefined);
    return entry.syncing;
  }

  private async syncConsumers(peer: Peer): Promise<void> {
    await Promise.all([...peer.consumers.values()].map((entry) => this.syncConsumer(peer, entry)));
  }

  private setSpeakers(peerIds: string[]): void {
    this.speaking = peerIds;
    for (const peer of this.peers.values()) {
      if (peer.audible?.heard(peerIds.filter((id) => id !== peer.id))) void this.syncConsumers(peer);
    }
    const key = peerIds.join(',');
    if (key === this.lastSpeakers) return;
    this.lastSpeakers = key;
    this.emit('speakers', peerIds);
  }
}
