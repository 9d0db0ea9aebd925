import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';

/** A WebRTC transport on the SFU with the identifiers that make hostile packets look real. */
export interface LiveTransport {
  transport: ms.WebRtcTransport;
  /** `appData.peerId` / `appData.direction` as GroupRoom sets them. */
  peerId: string;
  direction: string;
  /** SSRCs of the transport's producers and consumers. */
  ssrcs: Set<number>;
  payloadTypes: Set<number>;
}

/** What a test sees of the SFU's workers and WebRTC transports. */
export interface SfuInventory {
  workers: ms.Worker[];
  /** Every WebRTC transport created so far (check `transport.closed`). */
  transports: LiveTransport[];
  /** Transports not closed, of the peers given (all peers by default). */
  open(peerIds?: string[]): LiveTransport[];
  stop(): void;
}

/**
 * Watch mediasoup from this process (mediasoup's observer API): every worker, router, WebRTC
 * transport, producer and consumer created after the call. Start it before the SFU starts; it
 * reads, never changes anything.
 */
export function watchSfu(): SfuInventory {
  const inventory: SfuInventory = {
    workers: [],
    transports: [],
    open: (peerIds) => inventory.transports.filter((t) => !t.transport.closed && (!peerIds || peerIds.includes(t.peerId))),
    stop: () => mediasoup.observer.off('newworker', onWorker),
  };
  const addRtp = (live: LiveTransport, rtp: ms.RtpParameters) => {
    for (const e of rtp.encodings ?? []) if (e.ssrc !== undefined) live.ssrcs.add(e.ssrc);
    for (const c of rtp.codecs) live.payloadTypes.add(c.payloadType);
  };
  const onTransport = (transport: ms.Transport) => {
    if (!('iceParameters' in transport)) return;
    const appData = transport.appData as { peerId?: string; direction?: string };
    const live: LiveTransport = { transport: transport as ms.WebRtcTransport, peerId: appData.peerId ?? '?', direction: appData.direction ?? '?', ssrcs: new Set(), payloadTypes: new Set() };
    inventory.transports.push(live);
    transport.observer.on('newproducer', (p) => addRtp(live, p.rtpParameters));
    transport.observer.on('newconsumer', (c) => addRtp(live, c.rtpParameters));
  };
  const onWorker = (worker: ms.Worker) => {
    inventory.workers.push(worker);
    worker.observer.on('newrouter', (router) => router.observer.on('newtransport', onTransport));
  };
  mediasoup.observer.on('newworker', onWorker);
  return inventory;
}
