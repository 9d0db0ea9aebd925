import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import { TypedEmitter } from '../common/TypedEmitter.js';
import { MEDIA_CODECS, type SfuEvents, type SfuOptions } from './SfuTypes.js';

interface WorkerSlot {
  worker: ms.Worker;
  routers: Set<ms.Router>;
}

/**
 * The mediasoup workers of this node: routers are placed on the least-loaded worker, and a
 * worker that dies is replaced at once (its rooms are told through `workerDied` so they can
 * move and their clients rejoin). One SFU node today; several register in Redis later, which
 * is why rooms only ever ask for "a router" and never for a worker.
 */
export class Sfu extends TypedEmitter<SfuEvents> {
  readonly options: SfuOptions;
  private readonly slots: WorkerSlot[] = [];
  private closed = false;

  private constructor(options: SfuOptions) {
    super();
    this.options = options;
  }

  static async create(options: SfuOptions): Promise<Sfu> {
    const sfu = new Sfu(options);
    for (let i = 0; i < options.numWorkers; i++) sfu.slots.push(await sfu.spawn());
    return sfu;
  }

  /** PIDs of the running workers (for CPU measurement and fault-injection tests). */
  get workerPids(): number[] {
    return this.slots.map((s) => s.worker.pid);
  }

  /** A new router on the worker hosting the fewest routers. */
  async createRouter(): Promise<ms.Router> {
    if (this.closed) throw new Error('SFU is closed');
    const slot = [...this.slots].sort((a, b) => a.routers.size - b.routers.size)[0];
    if (!slot) throw new Error('no mediasoup worker running');
    const router = await slot.worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    slot.routers.add(router);
    // A dying worker closes its routers before it emits 'died': keep them listed then, so the
    // rooms they carried can be found and moved.
    router.observer.once('close', () => {
      if (!slot.worker.died) slot.routers.delete(router);
    });
    return router;
  }

  /** A WebRTC transport on `router` with this node's listen settings. */
  createWebRtcTransport(router: ms.Router, appData: Record<string, unknown>): Promise<ms.WebRtcTransport> {
    const { listenIp, announcedIp, enableTcp } = this.options;
    return router.createWebRtcTransport({
      listenIps: [{ ip: listenIp, ...(announcedIp ? { announcedIp } : {}) }],
      enableUdp: true,
      enableTcp,
      preferUdp: true,
      initialAvailableOutgoingBitrate: 300_000,
      appData,
    });
  }

  /** A plain RTP transport (RTCP muxed, no SRTP) on the listen IP; see GroupRoom.addPlainPeer. */
  createPlainTransport(router: ms.Router, options: { comedia: boolean; appData: Record<string, unknown> }): Promise<ms.PlainTransport> {
    return router.createPlainTransport({ listenIp: { ip: this.options.listenIp }, rtcpMux: true, comedia: options.comedia, appData: options.appData });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const slot of this.slots.splice(0)) slot.worker.close();
  }

  private async spawn(): Promise<WorkerSlot> {
    const worker = await mediasoup.createWorker({
      logLevel: this.options.logLevel,
      rtcMinPort: this.options.rtcMinPort,
      rtcMaxPort: this.options.rtcMaxPort,
    });
    const slot: WorkerSlot = { worker, routers: new Set() };
    worker.on('died', () => void this.replace(slot));
    return slot;
  }

  private async replace(dead: WorkerSlot): Promise<void> {
    const index = this.slots.indexOf(dead);
    if (index < 0 || this.closed) return;
    const routerIds = [...dead.routers].map((r) => r.id);
    dead.routers.clear();
    // Spawn the replacement before telling rooms, so they have somewhere to move to.
    this.slots[index] = await this.spawn();
    this.emit('workerDied', { pid: dead.worker.pid, routerIds });
  }
}
