import type { types as ms } from 'mediasoup';

export interface SfuOptions {
  /** mediasoup workers to run; default one per CPU core. */
  numWorkers: number;
  /** IP the transports bind (e.g. 0.0.0.0 or a LAN address). Default 127.0.0.1. */
  listenIp: string;
  /** IP announced in ICE candidates when listening on 0.0.0.0 or behind NAT; default none. */
  announcedIp?: string;
  /** UDP/TCP port range for WebRTC transports. */
  rtcMinPort: number;
  rtcMaxPort: number;
  /** Also offer ICE over TCP (clients whose UDP is blocked). Default true. */
  enableTcp: boolean;
  /** mediasoup worker log level. Default warn. */
  logLevel: ms.WorkerLogLevel;
}

export const DEFAULT_SFU_OPTIONS: SfuOptions = {
  numWorkers: 1,
  listenIp: '127.0.0.1',
  rtcMinPort: 40000,
  rtcMaxPort: 40999,
  enableTcp: true,
  logLevel: 'warn',
};

/** Opus only: Earshot is voice. Stereo signalled but mono sent; in-band FEC negotiated. */
export const MEDIA_CODECS: ms.RtpCodecCapability[] = [
  {
    kind: 'audio',
    mimeType: 'audio/opus',
    clockRate: 48000,
    channels: 2,
    parameters: { useinbandfec: 1, usedtx: 1, minptime: 10 },
  },
];

export type SfuEvents = {
  /**
   * A worker died and was replaced. Its routers are gone: each room it hosted must be rebuilt
   * on another worker and its participants must reconnect.
   */
  workerDied: [info: { pid: number; routerIds: string[] }];
};
