import type { CallSignal, IceConfig } from '../../common/protocol/calls.js';
import { TypedEmitter } from '../../common/TypedEmitter.js';
import { classifyQuality, type CallQuality } from './callQuality.js';
import { applyOpusSettings, DEFAULT_OPUS, limitRemoteOpus, readRequestedOpus, type OpusSettings, type RequestedOpus } from './opusSdp.js';

/** One sample of call statistics, taken from getStats() about once a second. */
export interface CallStats {
  /** `relay` when the selected candidate pair goes through TURN on either end. */
  path: 'direct' | 'relay' | 'unknown';
  /** How this side reaches its TURN server when it relays itself (`relayProtocol`); null otherwise. */
  relayTransport: RelayTransport | null;
  /** Codec of the outgoing audio, e.g. `audio/opus`. */
  codec: string | null;
  rttMs: number | null;
  jitterMs: number | null;
  /** Fraction of incoming packets lost since the previous sample. */
  lossFraction: number;
  /** Outgoing audio bitrate, kbit/s: RTP payload only (bytesSent excludes headers and padding). */
  sendKbps: number;
  recvKbps: number;
  /** Share of received samples that had to be concealed, since the call started. */
  concealedFraction: number;
  quality: CallQuality;
}

/** The sender's cap while a switch to longer packets is negotiated, bits/s: Opus's lowest rate. */
export const SWITCH_MAX_BITRATE = 6_000;
/** The longest the sender stays at SWITCH_MAX_BITRATE when no answer arrives, ms. */
export const SWITCH_TIMEOUT_MS = 15_000;

/** How a relayed client reaches TURN: the local relay candidate's `relayProtocol`. */
export type RelayTransport = 'udp' | 'tcp' | 'tls';

/** The host of a `turn:` / `turns:` URL, e.g. `turn:10.0.0.1:3478?transport=udp` → `10.0.0.1`. */
function turnHost(url: string): string | undefined {
  return /^turns?:\[?([^\]?:]+)/.exec(url)?.[1];
}

export interface PeerCallEvents {
  /** The other side's audio stream. */
  remoteStream: [stream: MediaStream];
  /** RTCPeerConnection.connectionState changes. */
  connectionState: [state: RTCPeerConnectionState];
  stats: [stats: CallStats];
  /** What the other side's latest description asks us to send with (before our own limits). */
  peerOpus: [requested: RequestedOpus];
}

export interface PeerCallOptions {
  /** The callee is the polite peer in perfect negotiation (it yields on offer collisions). */
  polite: boolean;
  ice: IceConfig;
  localStream: MediaStream;
  /** Send SDP / ICE to the other participant through the signaling server. */
  sendSignal(signal: CallSignal): void;
  opus?: OpusSettings;
  /** Injected for tests; defaults to the global RTCPeerConnection. */
  createPeerConnection?: (config: RTCConfiguration) => RTCPeerConnection;
  /** How long `disconnected` may last before an ICE restart, ms. Default 2000. */
  disconnectedRestartMs?: number;
  statsIntervalMs?: number;
}

/**
 * A 1-on-1 WebRTC audio call: perfect negotiation (so either side may renegotiate or restart
 * ICE without glare), Opus tuned through SDP and sender parameters, automatic ICE restart on
 * `failed` or a lasting `disconnected`, and a stats sampler. DTLS-SRTP is WebRTC's default and
 * nothing here can turn it off.
 */
export class PeerCall extends TypedEmitter<PeerCallEvents> {
  readonly pc: RTCPeerConnection;
  private readonly options: PeerCallOptions;
  private opus: OpusSettings;
  private makingOffer = false;
  private ignoreOffer = false;
  /** Opus settings changed while an exchange was under way: offer again once it is stable. */
  private renegotiate = false;
  /** The bitrate cap the other side asked for in its latest description (bits/s), if any. */
  private peerMaxBitrate: number | null = null;
  /**
   * A switch to longer packets is being negotiated (see setOpusSettings): until the exchange
   * that carries it is over, the sender stays at SWITCH_MAX_BITRATE. `sent`: our description
   * with the new settings has gone out.
   */
  private switching: { sent: boolean; timer: ReturnType<typeof setTimeout> } | null = null;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private previous: { lost: number; received: number; sent: number; recv: number; at: number } | undefined;
  private closed = false;
  /** Host names/IPs of the TURN servers in the ICE configuration. */
  private readonly turnHosts: Set<string>;

  constructor(options: PeerCallOptions) {
    super();
    this.options = options;
    this.turnHosts = new Set(options.ice.iceServers.flatMap((server) => server.urls.map(turnHost).filter((h): h is string => h !== undefined)));
    this.opus = options.opus ?? DEFAULT_OPUS;
    const create = options.createPeerConnection ?? ((config) => new RTCPeerConnection(config));
    this.pc = create({
      iceServers: options.ice.iceServers,
      iceTransportPolicy: options.ice.iceTransportPolicy,
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
    });
    for (const track of options.localStream.getAudioTracks()) this.pc.addTrack(track, options.localStream);

    this.pc.onnegotiationneeded = () => void this.negotiate();
    this.pc.onicecandidate = ({ candidate }) => {
      if (candidate) options.sendSignal({ type: 'candidate', candidate: candidate.toJSON() as Extract<CallSignal, { type: 'candidate' }>['candidate'] });
    };
    this.pc.ontrack = ({ streams, track }) => this.emit('remoteStream', streams[0] ?? new MediaStream([track]));
    this.pc.onconnectionstatechange = () => this.onConnectionState();
    this.pc.onsignalingstatechange = () => {
      if (this.pc.signalingState !== 'stable') return;
      if (this.switching?.sent) this.endSwitch();
      if (!this.renegotiate) return;
      this.renegotiate = false;
      void this.negotiate();
    };
    this.pc.oniceconnectionstatechange = () => {
      if (this.pc.iceConnectionState === 'disconnected') this.scheduleRestart();
      if (this.pc.iceConnectionState === 'connected' || this.pc.iceConnectionState === 'completed') clearTimeout(this.restartTimer);
    };
    this.statsTimer = setInterval(() => void this.sample(), options.statsIntervalMs ?? 1000);
  }

  /** Apply a signal from the other participant. */
  async handleSignal(signal: CallSignal): Promise<void> {
    if (this.closed) return;
    if (signal.type === 'candidate') {
      try {
        await this.pc.addIceCandidate(signal.candidate);
      } catch (error) {
        // Candidates for an offer we ignored in a collision are expected to fail.
        if (!this.ignoreOffer) throw error;
      }
      return;
    }
    const collision = signal.type === 'offer' && (this.makingOffer || this.pc.signalingState !== 'stable');
    this.ignoreOffer = !this.options.polite && collision;
    if (this.ignoreOffer) return;
    // Our encoder follows the remote description: tighten it to our own Opus settings too.
    await this.pc.setRemoteDescription({ type: signal.type, sdp: limitRemoteOpus(signal.sdp, this.opus) });
    const requested = readRequestedOpus(signal.sdp);
    this.peerMaxBitrate = requested.maxAverageBitrate;
    this.emit('peerOpus', requested);
    if (signal.type === 'offer') {
      await this.pc.setLocalDescription();
      this.sendDescription();
    }
    await this.applySenderParameters();
  }

  /** Mute by disabling the track: the mic stays open, silence (DTX-cheap) is sent. */
  setMuted(muted: boolean): void {
    for (const sender of this.pc.getSenders()) if (sender.track) sender.track.enabled = !muted;
  }

  /** Swap the microphone mid-call without renegotiation. */
  async replaceTrack(track: MediaStreamTrack): Promise<void> {
    const sender = this.pc.getSenders().find((s) => s.track?.kind === 'audio');
    await sender?.replaceTrack(track);
  }

  /**
   * Change Opus settings mid-call (low-bandwidth mode) without dropping the call: the sender's
   * bitrate cap applies at once, the packet time and the other side's encoder follow a
   * renegotiation (perfect negotiation keeps a collision with the other side's offer safe;
   * mid-exchange, the offer goes out as soon as the exchange is over).
   */
  async setOpusSettings(opus: OpusSettings): Promise<void> {
    const longerPackets = opus.ptime > this.opus.ptime;
    this.opus = opus;
    if (this.closed) return;
    if (longerPackets) this.startSwitch();
    else this.cancelSwitch(); // switched back before the answer came: nothing to make room for
    await this.applySenderParameters();
    if (this.pc.signalingState !== 'stable' || this.makingOffer) {
      this.renegotiate = true;
      return;
    }
    await this.negotiate();
  }

  /** Ask for new ICE candidates (network changed, connection failed). */
  restartIce(): void {
    if (this.closed) return;
    this.pc.restartIce();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelSwitch();
    clearTimeout(this.restartTimer);
    clearInterval(this.statsTimer);
    this.pc.close();
  }

  private async negotiate(): Promise<void> {
    // Mid-answer (an offer is being applied) there is nothing to offer; the answer covers it.
    if (this.closed || this.pc.signalingState !== 'stable') return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      this.sendDescription();
    } finally {
      this.makingOffer = false;
    }
    await this.applySenderParameters();
  }

  /** Send our local description with Opus parameters applied (the other side sends with them). */
  private sendDescription(): void {
    const description = this.pc.localDescription;
    if (!description || (description.type !== 'offer' && description.type !== 'answer')) return;
    this.options.sendSignal({ type: description.type, sdp: applyOpusSettings(description.sdp, this.opus) });
    if (this.switching) this.switching.sent = true;
  }

  /**
   * Longer packets need an offer/answer exchange, and on the link that made the switch
   * necessary that exchange is what suffers: at 20 ms packets the RTP/UDP/IP headers alone are
   * ~23 kbit/s, so even capped at 16 kbps the call's own audio fills a 48 kbit/s uplink and the
   * offer's TCP segments wait in its queue (measured: 11 s for a 1.7 kB offer). Sending at Opus's
   * floor for the length of the exchange leaves the offer room; the mode's own cap follows once
   * the exchange is over (or after SWITCH_TIMEOUT_MS, should the answer never come).
   */
  private startSwitch(): void {
    clearTimeout(this.switching?.timer);
    this.switching = { sent: false, timer: setTimeout(() => this.endSwitch(), SWITCH_TIMEOUT_MS) };
  }

  private endSwitch(): void {
    if (!this.switching) return;
    this.cancelSwitch();
    void this.applySenderParameters();
  }

  private cancelSwitch(): void {
    clearTimeout(this.switching?.timer);
    this.switching = null;
  }

  /**
   * Cap our own send bitrate at the lower of our setting and the other side's request. Both
   * matter: measured in Chromium, a sender maxBitrate above the SDP's maxaveragebitrate lets the
   * bandwidth estimator raise the encoder past the SDP value (32 kbps sent against a 16 kbps ask).
   */
  private async applySenderParameters(): Promise<void> {
    for (const sender of this.pc.getSenders()) {
      if (sender.track?.kind !== 'audio') continue;
      const parameters = sender.getParameters();
      if (!parameters.encodings?.length) continue;
      parameters.encodings[0]!.maxBitrate = Math.min(this.opus.maxAverageBitrate, this.peerMaxBitrate ?? Infinity, this.switching ? SWITCH_MAX_BITRATE : Infinity);
      try {
        await sender.setParameters(parameters);
      } catch {
        // Not yet negotiated; the next negotiation applies it.
      }
    }
  }

  private onConnectionState(): void {
    const state = this.pc.connectionState;
    this.emit('connectionState', state);
    if (state === 'failed') this.restartIce();
  }

  private scheduleRestart(): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (this.pc.iceConnectionState === 'disconnected' || this.pc.iceConnectionState === 'failed') this.restartIce();
    }, this.options.disconnectedRestartMs ?? 2000);
  }

  private async sample(): Promise<void> {
    if (this.closed) return;
    const report = await this.pc.getStats();
    let path: CallStats['path'] = 'unknown';
    let relayTransport: RelayTransport | null = null;
    let codec: string | null = null;
    let rttMs: number | null = null;
    let jitterMs: number | null = null;
    let lost = 0;
    let received = 0;
    let sent = 0;
    let recv = 0;
    let concealed = 0;
    let totalSamples = 0;
    const byId = new Map<string, Record<string, unknown>>();
    report.forEach((s: Record<string, unknown>) => byId.set(s.id as string, s));
    for (const s of byId.values()) {
      if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
        const pair = byId.get(s.selectedCandidatePairId);
        const local = pair && byId.get(pair.localCandidateId as string);
        const remote = pair && byId.get(pair.remoteCandidateId as string);
        if (local && remote) {
          // A relayed peer can show up as `prflx` (its checks arrived before its candidate was
          // signalled); an address that is one of our TURN servers gives it away.
          const viaTurn = remote.candidateType === 'prflx' && this.turnHosts.has(String(remote.address ?? remote.ip));
          path = local.candidateType === 'relay' || remote.candidateType === 'relay' || viaTurn ? 'relay' : 'direct';
          if (local.candidateType === 'relay' && ['udp', 'tcp', 'tls'].includes(local.relayProtocol as string)) relayTransport = local.relayProtocol as RelayTransport;
        }
        if (pair && typeof pair.currentRoundTripTime === 'number') rttMs = pair.currentRoundTripTime * 1000;
      }
      if (s.type === 'outbound-rtp' && s.kind === 'audio') {
        sent += (s.bytesSent as number) ?? 0;
        const c = byId.get(s.codecId as string);
        if (c) codec = c.mimeType as string;
      }
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        lost += (s.packetsLost as number) ?? 0;
        received += (s.packetsReceived as number) ?? 0;
        recv += (s.bytesReceived as number) ?? 0;
        concealed += (s.concealedSamples as number) ?? 0;
        totalSamples += (s.totalSamplesReceived as number) ?? 0;
        if (typeof s.jitter === 'number') jitterMs = s.jitter * 1000;
      }
    }
    const now = performance.now();
    const prev = this.previous;
    this.previous = { lost, received, sent, recv, at: now };
    if (!prev) return;
    const seconds = Math.max(0.001, (now - prev.at) / 1000);
    const dLost = Math.max(0, lost - prev.lost);
    const dReceived = Math.max(0, received - prev.received);
    const lossFraction = dLost + dReceived > 0 ? dLost / (dLost + dReceived) : 0;
    this.emit('stats', {
      path,
      relayTransport,
      codec,
      rttMs,
      jitterMs,
      lossFraction,
      sendKbps: ((sent - prev.sent) * 8) / 1000 / seconds,
      recvKbps: ((recv - prev.recv) * 8) / 1000 / seconds,
      concealedFraction: totalSamples > 0 ? concealed / totalSamples : 0,
      quality: classifyQuality({ rttMs, lossFraction, jitterMs }),
    });
  }
}
