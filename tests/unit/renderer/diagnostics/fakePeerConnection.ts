import type { CandidateErrorLike, CandidateLike, PeerConnectionLike, StatsLike } from '../../../../renderer/diagnostics/diagnosticsTypes.js';

/** What a fake peer connection does once its local description is set (gathering starts). */
export type Behavior = (pc: FakePeerConnection) => void;

/** The offer every fake creates: one data channel section, mid 0. */
export const FAKE_OFFER = ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0', 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'c=IN IP4 0.0.0.0', 'a=mid:0', ''].join('\r\n');

/**
 * Just enough RTCPeerConnection for the connection test: the test scripts gathering
 * (`candidate`, `error`, `complete`) and ICE (`connect`, `fail`); descriptions are recorded.
 */
export class FakePeerConnection implements PeerConnectionLike {
  onicecandidate: PeerConnectionLike['onicecandidate'] = null;
  onicecandidateerror: PeerConnectionLike['onicecandidateerror'] = null;
  onicegatheringstatechange: PeerConnectionLike['onicegatheringstatechange'] = null;
  oniceconnectionstatechange: PeerConnectionLike['oniceconnectionstatechange'] = null;
  iceGatheringState = 'new';
  iceConnectionState = 'new';
  remoteSdp: string | null = null;
  dataChannels: string[] = [];
  closed = false;
  /** Returned by getStats(). */
  stats: Array<Record<string, unknown>> = [];

  constructor(
    readonly configuration: RTCConfiguration,
    private readonly behavior: Behavior,
  ) {}

  /** The single ICE server URL this connection was given (every check uses one, except the SFU's). */
  get url(): string {
    const urls = this.configuration.iceServers?.[0]?.urls;
    return Array.isArray(urls) ? urls[0]! : (urls ?? '');
  }

  createDataChannel(label: string): unknown {
    this.dataChannels.push(label);
    return {};
  }

  async createOffer() {
    return { type: 'offer', sdp: FAKE_OFFER };
  }

  async setLocalDescription(): Promise<void> {
    this.iceGatheringState = 'gathering';
    this.onicegatheringstatechange?.();
    // Gathering runs after the call returns, as in a browser.
    queueMicrotask(() => this.behavior(this));
  }

  async setRemoteDescription(description: { type: 'answer'; sdp: string }): Promise<void> {
    this.remoteSdp = description.sdp;
  }

  async getStats(): Promise<StatsLike> {
    return { forEach: (callback) => this.stats.forEach(callback) };
  }

  close(): void {
    this.closed = true;
    this.iceConnectionState = 'closed';
  }

  /** Emit a candidate line, e.g. `candidate:1 1 udp 1 203.0.113.7 5000 typ srflx`. */
  candidate(line: string, extra: Partial<CandidateLike> = {}): void {
    this.onicecandidate?.({ candidate: { candidate: line, url: this.url, ...extra } });
  }

  error(errorCode: number, errorText: string, url = this.url): void {
    const event: CandidateErrorLike = { errorCode, errorText, url };
    this.onicecandidateerror?.(event);
  }

  complete(): void {
    this.iceGatheringState = 'complete';
    this.onicegatheringstatechange?.();
    this.onicecandidate?.({ candidate: null });
  }

  connect(): void {
    this.iceConnectionState = 'connected';
    this.oniceconnectionstatechange?.();
  }

  fail(): void {
    this.iceConnectionState = 'failed';
    this.oniceconnectionstatechange?.();
  }
}

/** Behaviors for the common cases. */
export const gives = {
  srflx: (pc: FakePeerConnection) => {
    pc.candidate('candidate:1 1 udp 2113937151 192.168.1.5 5000 typ host');
    pc.candidate('candidate:2 1 udp 1677729535 203.0.113.7 61000 typ srflx raddr 0.0.0.0 rport 0');
    pc.complete();
  },
  relay: (pc: FakePeerConnection) => {
    pc.candidate('candidate:3 1 udp 41885439 198.51.100.9 49200 typ relay raddr 0.0.0.0 rport 0');
    pc.complete();
  },
  nothing: () => undefined,
  error: (code: number, text: string) => (pc: FakePeerConnection) => {
    pc.error(code, text);
    pc.complete();
  },
  /** ICE to the SFU connects, directly over UDP. */
  sfuConnected: (pc: FakePeerConnection) => {
    pc.stats = [
      { id: 'T1', type: 'transport', selectedCandidatePairId: 'P1' },
      { id: 'P1', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', state: 'succeeded', nominated: true },
      { id: 'L1', type: 'local-candidate', candidateType: 'host', protocol: 'udp', address: '192.168.1.5', port: 5001 },
      { id: 'R1', type: 'remote-candidate', candidateType: 'host', protocol: 'udp', address: '198.51.100.1', port: 40001 },
    ];
    pc.connect();
  },
};
