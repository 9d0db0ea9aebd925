import type { types as ms } from 'mediasoup';
import { TypedEmitter } from '../common/TypedEmitter.js';
import type { Sfu } from './Sfu.js';

/** Where the client's ICE checks came from, as the SFU saw them. */
export interface ProbeTuple {
  /** `udp` or `tcp`. */
  protocol: string;
  /** The client's address as seen by the SFU (a TURN server's relay address when relayed). */
  remoteIp: string | undefined;
  remotePort: number | undefined;
}

export type ConnectivityProbeEvents = {
  /** The client's ICE checks arrived and were answered: media can flow between it and the SFU. */
  iceConnected: [tuple: ProbeTuple];
  /** The probe's router is gone (closed, or its worker died). */
  closed: [];
};

/** What a client needs to run ICE against the probe (a subset of mediasoup's transport parameters). */
export interface ConnectivityProbeParams {
  id: string;
  iceParameters: ms.IceParameters;
  iceCandidates: ms.IceCandidate[];
  dtlsParameters: ms.DtlsParameters;
}

/**
 * A throwaway WebRTC transport on a router of its own, for the connection test: created with the
 * same listen settings as a group call's transports (`Sfu.createWebRtcTransport`), so an ICE
 * check against it travels exactly the way a call's media would. It carries no media and never
 * starts DTLS (nobody calls `connect` on it). Close it when done; closing is idempotent.
 */
export class ConnectivityProbe extends TypedEmitter<ConnectivityProbeEvents> {
  private constructor(
    private readonly router: ms.Router,
    private readonly transport: ms.WebRtcTransport,
  ) {
    super();
    router.observer.once('close', () => this.emit('closed'));
    transport.on('icestatechange', (state) => {
      if (state !== 'connected' && state !== 'completed') return;
      const tuple = transport.iceSelectedTuple;
      this.emit('iceConnected', { protocol: tuple?.protocol ?? 'unknown', remoteIp: tuple?.remoteIp, remotePort: tuple?.remotePort });
    });
  }

  static async create(sfu: Sfu): Promise<ConnectivityProbe> {
    const router = await sfu.createRouter();
    try {
      const transport = await sfu.createWebRtcTransport(router, { probe: true });
      return new ConnectivityProbe(router, transport);
    } catch (error) {
      router.close();
      throw error;
    }
  }

  get params(): ConnectivityProbeParams {
    const t = this.transport;
    return { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters };
  }

  get closed(): boolean {
    return this.router.closed;
  }

  close(): void {
    if (!this.router.closed) this.router.close();
  }
}
