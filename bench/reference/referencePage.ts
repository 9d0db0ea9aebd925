import type { OpusSettings } from '../../renderer/call/opusSdp.js';

/**
 * The reference call page: the least a browser needs for a 1-on-1 WebRTC audio call, no app
 * around it. One Accept button and one <audio> that plays the remote stream (Chromium hands
 * remote audio to a track's readers only while a media element plays it, as in the app).
 */
export const REFERENCE_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Reference call</title></head>
  <body>
    <button type="button" id="accept">Accept</button>
    <audio id="remote" autoplay></audio>
  </body>
</html>
`;

/** What the two reference pages tell each other; the benchmark carries it (Playwright) where Earshot has its signaling server. */
export type ReferenceSignal = { type: 'offer' | 'answer'; sdp: string } | { type: 'candidate'; candidate: RTCIceCandidateInit };

export interface ReferencePageOptions {
  /** getUserMedia audio constraints: what the app asks for with the same settings. */
  audio: MediaTrackConstraints;
  /** Opus settings written into each description sent and the sender's maxBitrate, as the app does. */
  opus: OpusSettings;
}

/** The page's API, on `window.__ref`. */
export interface ReferenceApi {
  /** Caller: open the microphone, create the peer connection and send the offer (candidates follow as they come). */
  call(): Promise<void>;
  /** A signal from the other page. Before the callee answers it waits, as the app's server holds it. */
  receive(signal: ReferenceSignal): void;
  /** Close the peer connection, release the microphone, stop playing. */
  hangUp(): void;
  errors: string[];
}

/**
 * Runs in the page before it loads (serialised with toString: keep it self-contained; the
 * benchmark passes the app's own SDP rewrite, renderer/call/opusSdp.ts `applyOpusSettings`, as
 * `applyOpus`). Sends its signals through `window.__refSend`, a Playwright binding.
 *
 * The callee answers on the Accept click: open the microphone, create the peer connection, apply
 * the waiting offer and candidates, send the answer. The same steps as the app's callee, minus
 * what the app adds (its call.accept round trip, its store and React updates, its stats timer).
 * Peer connection settings as the app's PeerCall (max-bundle, rtcp-mux required, no ICE servers
 * on loopback); no perfect negotiation (nothing renegotiates here).
 */
export function referencePageInPage(opts: ReferencePageOptions, applyOpus: (sdp: string, settings: OpusSettings) => string): void {
  const send = (signal: ReferenceSignal) => (window as unknown as { __refSend(s: ReferenceSignal): Promise<void> }).__refSend(signal);
  const errors: string[] = [];
  const fail = (what: string) => (error: unknown) => {
    errors.push(`${what}: ${String(error)}`);
  };
  let pc: RTCPeerConnection | null = null;
  let stream: MediaStream | null = null;
  let waiting: ReferenceSignal[] = [];
  // Signals are applied one after another, in the order they came.
  let chain: Promise<void> = Promise.resolve();

  const openMicrophone = () => navigator.mediaDevices.getUserMedia({ audio: opts.audio, video: false });

  const createPeer = (local: MediaStream): RTCPeerConnection => {
    const peer = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    for (const track of local.getAudioTracks()) peer.addTrack(track, local);
    peer.onicecandidate = ({ candidate }) => {
      if (candidate) send({ type: 'candidate', candidate: candidate.toJSON() }).catch(fail('send candidate'));
    };
    peer.ontrack = ({ streams, track }) => {
      const audio = document.getElementById('remote') as HTMLAudioElement;
      audio.srcObject = streams[0] ?? new MediaStream([track]);
      audio.play().catch(fail('play'));
    };
    return peer;
  };

  const sendDescription = (peer: RTCPeerConnection) => {
    const description = peer.localDescription;
    if (description?.type !== 'offer' && description?.type !== 'answer') return;
    send({ type: description.type, sdp: applyOpus(description.sdp, opts.opus) }).catch(fail('send description'));
  };

  /** Cap our own send bitrate too, as the app does after each negotiation. */
  const capSender = async (peer: RTCPeerConnection) => {
    for (const sender of peer.getSenders()) {
      const parameters = sender.getParameters();
      if (sender.track?.kind !== 'audio' || !parameters.encodings?.length) continue;
      parameters.encodings[0]!.maxBitrate = opts.opus.maxAverageBitrate;
      try {
        await sender.setParameters(parameters);
      } catch {
        // Not yet negotiated (the caller before the answer); the next negotiation applies it.
      }
    }
  };

  const apply = async (peer: RTCPeerConnection, signal: ReferenceSignal) => {
    if (signal.type === 'candidate') {
      await peer.addIceCandidate(signal.candidate);
      return;
    }
    await peer.setRemoteDescription({ type: signal.type, sdp: signal.sdp });
    if (signal.type === 'offer') {
      await peer.setLocalDescription();
      sendDescription(peer);
    }
    await capSender(peer);
  };

  const enqueue = (peer: RTCPeerConnection, signal: ReferenceSignal) => {
    chain = chain.then(() => (pc === peer ? apply(peer, signal) : undefined)).catch(fail(`apply ${signal.type}`));
  };

  const accept = async () => {
    if (pc) return;
    stream = await openMicrophone();
    const peer = createPeer(stream);
    pc = peer;
    for (const signal of waiting.splice(0)) enqueue(peer, signal);
  };

  const api: ReferenceApi = {
    async call() {
      stream = await openMicrophone();
      const peer = createPeer(stream);
      pc = peer;
      await peer.setLocalDescription();
      sendDescription(peer);
      await capSender(peer);
    },
    receive(signal) {
      if (pc) enqueue(pc, signal);
      else waiting.push(signal);
    },
    hangUp() {
      pc?.close();
      pc = null;
      stream?.getTracks().forEach((t) => t.stop());
      stream = null;
      waiting = [];
      const audio = document.getElementById('remote') as HTMLAudioElement | null;
      if (audio) audio.srcObject = null;
    },
    errors,
  };
  (window as unknown as { __ref: ReferenceApi }).__ref = api;

  // Bubbling listener on window: the probe's capturing one has marked the click by then.
  window.addEventListener('click', (event) => {
    if (event.target instanceof Element && event.target.id === 'accept') accept().catch(fail('accept'));
  });
}
