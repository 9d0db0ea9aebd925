import type { Page } from '@playwright/test';

/**
 * In-page instruments for the call benchmarks, injected before the app loads. Everything is
 * timestamped inside the page on the wall clock (`performance.timeOrigin + performance.now()`,
 * ms since the epoch), so marks from two browsers on the same machine are comparable and none
 * of Playwright's Node-side overhead (actionability checks, CDP round trips) is in a figure.
 *
 * Marks recorded (name → when):
 * - `click` (detail: the button's text) — a capturing listener on window sees the click before
 *   React's root listener does;
 * - `ring-dialog` — an `alertdialog` was inserted (MutationObserver: the React commit, before
 *   paint); `ring-frame` — the next animation frame after it;
 * - `ws-out:<method>` / `ws-res:<method>` / `ws-in:<event>` — signaling frames for `call.*`:
 *   request sent, its response received, notification received (before the app handles it);
 * - `gum-start` / `gum-end` — the app's getUserMedia call (its stream is then analysed as `local`);
 * - `pc-constructing` / `pc-created` (before and after the constructor), `pc-<connectionState>`,
 *   `ice-<iceConnectionState>`, `gathering-<state>`, `signaling-<state>`, `ice-candidate`
 *   (detail: type, protocol, address), `pc-track` — the app's RTCPeerConnection (its remote
 *   stream is then analysed as `remote`);
 * - `onset:<local|remote>` — first sample at or above the onset threshold on each such track
 *   (an SFU call has one remote track per participant: the first onset after a join is the
 *   first audio heard from anyone); `click:<local|remote>` — each sample at or above the click
 *   threshold after ≥ clickQuietMs below it, on the newest track of its kind only (detail:
 *   peak). These carry the sample's own media time, see `watchTrack`.
 */
export interface ProbeMark {
  name: string;
  /** Wall-clock time, ms since the epoch (sub-ms resolution on the main thread). */
  t: number;
  detail?: string;
}

export interface ProbeOptions {
  /** |sample| at or above this marks the first audio of a stream (0–1 full scale). */
  onsetThreshold: number;
  /** |sample| at or above this, after a quiet gap, is a click. */
  clickThreshold: number;
  /** Samples must stay below clickThreshold this long before the next click counts, ms. */
  clickQuietMs: number;
}

/** Outgoing audio counters of the newest open RTCPeerConnection (getStats outbound-rtp). */
export interface OutboundAudio {
  /** Stats timestamp, ms. */
  timestamp: number;
  /** RTP payload bytes (RFC 3550 octet count: no RTP header, no padding). */
  bytesSent: number;
  /** RTP header and padding bytes. */
  headerBytesSent: number;
  packetsSent: number;
  codec: string | null;
  path: 'direct' | 'relay' | 'unknown';
}

/** Incoming audio counters of the newest open RTCPeerConnection (getStats inbound-rtp); seconds and samples as in the spec. */
export interface InboundAudio {
  timestamp: number;
  /** Sum over emitted samples of their time in the jitter buffer, s. */
  jitterBufferDelay: number;
  jitterBufferTargetDelay: number;
  jitterBufferMinimumDelay: number;
  jitterBufferEmittedCount: number;
  totalSamplesReceived: number;
  concealedSamples: number;
  packetsReceived: number;
  packetsLost: number;
  /** Interarrival jitter, s. */
  jitter: number;
}

/**
 * The selected ICE candidate pair of the newest open RTCPeerConnection (getStats transport →
 * candidate-pair and its two candidates). Byte counts are what Chromium handed to (or got from)
 * the pair's socket: SRTP/SRTCP, DTLS and ICE consent checks, without TURN framing, UDP or IP.
 */
export interface SelectedPair {
  /** Stats timestamp, ms. */
  timestamp: number;
  /** The candidate-pair stats id: a change between two readings means ICE switched pairs. */
  id: string;
  /** `host`, `srflx`, `prflx` or `relay`. */
  localType: string;
  remoteType: string;
  /** Transport between this end and the TURN server when `localType` is `relay` (`udp`, `tcp`, `tls`), else null. */
  relayProtocol: string | null;
  /** Transport of the local candidate (`udp` or `tcp`). */
  protocol: string;
  /** The two candidates' `address:port` (a relay candidate's is its relayed address on the TURN server). */
  localAddress: string;
  remoteAddress: string;
  bytesSent: number;
  bytesReceived: number;
  packetsSent: number;
  packetsReceived: number;
  /** Latest STUN round trip on the pair, s (null until one was measured). */
  currentRoundTripTime: number | null;
}

interface BenchProbe {
  marks: ProbeMark[];
  errors: string[];
  take(): ProbeMark[];
  has(name: string): boolean;
  outboundAudio(): Promise<OutboundAudio | null>;
  inboundAudio(): Promise<InboundAudio | null>;
  selectedPair(): Promise<SelectedPair | null>;
  /** How late frames were read after their media time ended, ms: the largest seen per tag. */
  readLagMs: Record<string, number>;
}
type ProbeWindow = Window & { __bench: BenchProbe };

/** Chromium's MediaStreamTrackProcessor (not in TypeScript's DOM lib: Chromium only). */
interface TrackProcessor {
  readable: ReadableStream<AudioData>;
}
type TrackProcessorConstructor = new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => TrackProcessor;

/** Runs in the page (serialised with toString): keep it self-contained. */
function probeInPage(opts: ProbeOptions): void {
  const now = () => performance.timeOrigin + performance.now();
  const marks: ProbeMark[] = [];
  const errors: string[] = [];
  const mark = (name: string, detail?: string, t = now()) => {
    marks.push(detail === undefined ? { name, t } : { name, t, detail });
  };

  // Clicks: capturing on window runs before React's listener on its root element.
  window.addEventListener(
    'click',
    (event) => {
      const button = event.target instanceof Element ? event.target.closest('button') : null;
      if (button) mark('click', (button.textContent ?? '').trim());
    },
    { capture: true },
  );

  // The ring dialog: the MutationObserver callback runs as a microtask right after React's commit.
  let ringShown = false;
  new MutationObserver(() => {
    const dialog = document.querySelector('[role="alertdialog"]');
    if (dialog && !ringShown) {
      ringShown = true;
      mark('ring-dialog', dialog.getAttribute('aria-label') ?? '');
      requestAnimationFrame(() => mark('ring-frame'));
    } else if (!dialog) {
      ringShown = false;
    }
  }).observe(document, { childList: true, subtree: true });

  // Signaling frames of calls: requests out, their responses and notifications in.
  const NativeWebSocket = window.WebSocket;
  class ProbedWebSocket extends NativeWebSocket {
    private readonly requests = new Map<number, string>();
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event: MessageEvent) => {
        const t = now();
        if (typeof event.data !== 'string') return;
        try {
          const frame = JSON.parse(event.data) as { id?: number; event?: string };
          if (typeof frame.event === 'string' && /^(call|group)\./.test(frame.event)) mark(`ws-in:${frame.event}`, undefined, t);
          const method = frame.id === undefined ? undefined : this.requests.get(frame.id);
          if (method !== undefined) {
            this.requests.delete(frame.id!);
            mark(`ws-res:${method}`, undefined, t);
          }
        } catch {
          // Not JSON: not ours to judge.
        }
      });
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      if (typeof data === 'string' && /"method":"(call|group)\./.test(data)) {
        try {
          const frame = JSON.parse(data) as { id: number; method: string };
          this.requests.set(frame.id, frame.method);
          mark(`ws-out:${frame.method}`);
        } catch {
          // Ignore.
        }
      }
      super.send(data);
    }
  }
  window.WebSocket = ProbedWebSocket;

  /*
   * Audio: a MediaStreamTrackProcessor reads the track's frames as Chromium delivers them (the
   * local track as captured, the remote track as the audio renderer pulls it for the app's
   * playing <audio>), and every AudioData carries its media time on this page's performance
   * timeline (µs). Onsets and clicks are timed to the sample from that, so the read loop's own
   * scheduling does not matter as long as no frame is dropped (maxBufferSize: 2 s of 10 ms frames).
   * Chosen over an AnalyserNode polled by rAF or a timer (shows only the newest window, ±16 ms),
   * an AudioWorklet (measured: timestamps quantised by ~10 ms render callbacks, plus a
   * MediaStreamAudioSourceNode FIFO whose delay differs per attachment by up to ~20 ms), and
   * getStats() totalSamplesReceived − concealedSamples (counts NetEq output, cannot see clicks).
   */
  const Processor = (window as unknown as { MediaStreamTrackProcessor?: TrackProcessorConstructor }).MediaStreamTrackProcessor;
  const readLagMs: Record<string, number> = {};
  /** The newest track of each tag; clicks are read from it alone. */
  const readers = new Map<string, { reader: ReadableStreamDefaultReader<AudioData>; onsetSeen: boolean; startedAt: number }>();
  const STALE_READ_MS = 15_000;
  const watchTrack = async (track: MediaStreamTrack, tag: 'local' | 'remote') => {
    if (!Processor) {
      errors.push('MediaStreamTrackProcessor is missing');
      return;
    }
    const previous = readers.get(tag);
    if (previous?.onsetSeen) void previous.reader.cancel().catch(() => undefined);
    const reader = new Processor({ track, maxBufferSize: 200 }).readable.getReader();
    const state = { reader, onsetSeen: false, startedAt: now() };
    readers.set(tag, state);
    let quiet = Infinity; // samples since the last one at or above the click threshold
    let samples = new Float32Array(0);
    for (;;) {
      const { value: frame, done } = await reader.read();
      if (done || !frame) return;
      // A newer track of this kind took over: this one is read only until its first onset, or
      // for STALE_READ_MS at most (a silent participant's track may never have one).
      const current = readers.get(tag) === state;
      if (!current && (state.onsetSeen || now() - state.startedAt > STALE_READ_MS)) {
        frame.close();
        void reader.cancel().catch(() => undefined);
        return;
      }
      try {
        const n = frame.numberOfFrames;
        const rate = frame.sampleRate;
        if (samples.length < n) samples = new Float32Array(n);
        frame.copyTo(samples, { planeIndex: 0, format: 'f32-planar' });
        const start = performance.timeOrigin + frame.timestamp / 1000;
        readLagMs[tag] = Math.max(readLagMs[tag] ?? 0, now() - (start + (n * 1000) / rate));
        const quietNeeded = (opts.clickQuietMs / 1000) * rate;
        for (let i = 0; i < n; i++) {
          const level = Math.abs(samples[i]!);
          if (!state.onsetSeen && level >= opts.onsetThreshold) {
            state.onsetSeen = true;
            mark(`onset:${tag}`, level.toFixed(3), start + (i * 1000) / rate);
          }
          if (current && level >= opts.clickThreshold) {
            if (quiet >= quietNeeded) mark(`click:${tag}`, level.toFixed(3), start + (i * 1000) / rate);
            quiet = 0;
          } else {
            quiet++;
          }
        }
      } finally {
        frame.close();
      }
    }
  };
  const watch = (track: MediaStreamTrack | undefined, tag: 'local' | 'remote') => {
    if (track) watchTrack(track, tag).catch((error: unknown) => errors.push(`watch ${tag}: ${String(error)}`));
  };

  // The app's microphone: keep the stream it gets and analyse it.
  const devices = navigator.mediaDevices;
  const nativeGetUserMedia = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
    mark('gum-start');
    const stream = await nativeGetUserMedia(constraints);
    mark('gum-end');
    watch(stream.getAudioTracks()[0], 'local');
    return stream;
  };

  // The app's peer connections: state changes, and the remote stream to analyse.
  const pcs: RTCPeerConnection[] = [];
  const NativePeerConnection = window.RTCPeerConnection;
  class ProbedPeerConnection extends NativePeerConnection {
    constructor(config?: RTCConfiguration) {
      mark('pc-constructing');
      super(config);
      pcs.push(this);
      mark('pc-created');
      this.addEventListener('connectionstatechange', () => mark(`pc-${this.connectionState}`));
      this.addEventListener('iceconnectionstatechange', () => mark(`ice-${this.iceConnectionState}`));
      this.addEventListener('icegatheringstatechange', () => mark(`gathering-${this.iceGatheringState}`));
      this.addEventListener('signalingstatechange', () => mark(`signaling-${this.signalingState}`));
      this.addEventListener('icecandidate', (event: RTCPeerConnectionIceEvent) => {
        if (event.candidate) mark('ice-candidate', `${event.candidate.type ?? '?'} ${event.candidate.protocol ?? '?'} ${event.candidate.address ?? '?'}`);
      });
      this.addEventListener('track', (event: RTCTrackEvent) => {
        mark('pc-track');
        if (event.track.kind === 'audio') watch(event.track, 'remote');
      });
    }
  }
  window.RTCPeerConnection = ProbedPeerConnection;

  const probe: BenchProbe = {
    marks,
    errors,
    take: () => marks.splice(0),
    has: (name) => marks.some((m) => m.name === name),
    outboundAudio: async () => {
      const pc = [...pcs].reverse().find((p) => p.connectionState !== 'closed');
      if (!pc) return null;
      const stats = new Map<string, Record<string, unknown>>();
      (await pc.getStats()).forEach((s: Record<string, unknown>) => stats.set(s.id as string, s));
      let result: OutboundAudio | null = null;
      let path: OutboundAudio['path'] = 'unknown';
      for (const s of stats.values()) {
        if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
          const pair = stats.get(s.selectedCandidatePairId);
          const local = pair && stats.get(pair.localCandidateId as string);
          const remote = pair && stats.get(pair.remoteCandidateId as string);
          if (local && remote) path = local.candidateType === 'relay' || remote.candidateType === 'relay' ? 'relay' : 'direct';
        }
      }
      for (const s of stats.values()) {
        if (s.type !== 'outbound-rtp' || s.kind !== 'audio') continue;
        result = {
          timestamp: s.timestamp as number,
          bytesSent: (s.bytesSent as number) ?? 0,
          headerBytesSent: (s.headerBytesSent as number) ?? 0,
          packetsSent: (s.packetsSent as number) ?? 0,
          codec: (stats.get(s.codecId as string)?.mimeType as string | undefined) ?? null,
          path,
        };
      }
      return result;
    },
    inboundAudio: async () => {
      const pc = [...pcs].reverse().find((p) => p.connectionState !== 'closed');
      if (!pc) return null;
      let result: InboundAudio | null = null;
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
        result = {
          timestamp: s.timestamp as number,
          jitterBufferDelay: (s.jitterBufferDelay as number) ?? 0,
          jitterBufferTargetDelay: (s.jitterBufferTargetDelay as number) ?? 0,
          jitterBufferMinimumDelay: (s.jitterBufferMinimumDelay as number) ?? 0,
          jitterBufferEmittedCount: (s.jitterBufferEmittedCount as number) ?? 0,
          totalSamplesReceived: (s.totalSamplesReceived as number) ?? 0,
          concealedSamples: (s.concealedSamples as number) ?? 0,
          packetsReceived: (s.packetsReceived as number) ?? 0,
          packetsLost: (s.packetsLost as number) ?? 0,
          jitter: (s.jitter as number) ?? 0,
        };
      });
      return result;
    },
    selectedPair: async () => {
      const pc = [...pcs].reverse().find((p) => p.connectionState !== 'closed');
      if (!pc) return null;
      const stats = new Map<string, Record<string, unknown>>();
      (await pc.getStats()).forEach((s: Record<string, unknown>) => stats.set(s.id as string, s));
      for (const s of stats.values()) {
        if (s.type !== 'transport' || typeof s.selectedCandidatePairId !== 'string') continue;
        const pair = stats.get(s.selectedCandidatePairId);
        const local = pair && stats.get(pair.localCandidateId as string);
        const remote = pair && stats.get(pair.remoteCandidateId as string);
        if (!pair || !local || !remote) continue;
        const rtt = pair.currentRoundTripTime;
        return {
          timestamp: pair.timestamp as number,
          id: pair.id as string,
          localType: String(local.candidateType),
          remoteType: String(remote.candidateType),
          relayProtocol: typeof local.relayProtocol === 'string' ? local.relayProtocol : null,
          protocol: String(local.protocol),
          localAddress: `${String(local.address)}:${String(local.port)}`,
          remoteAddress: `${String(remote.address)}:${String(remote.port)}`,
          bytesSent: (pair.bytesSent as number) ?? 0,
          bytesReceived: (pair.bytesReceived as number) ?? 0,
          packetsSent: (pair.packetsSent as number) ?? 0,
          packetsReceived: (pair.packetsReceived as number) ?? 0,
          currentRoundTripTime: typeof rtt === 'number' ? rtt : null,
        };
      }
      return null;
    },
    readLagMs,
  };
  (window as unknown as ProbeWindow).__bench = probe;
}

/**
 * Inject the probe into every document `page` loads. Call before `page.goto`.
 *
 * The function is sent as source text. tsx (esbuild with keepNames) wraps named functions and
 * classes in `__name(…)` calls, which do not exist in the page: a pass-through `__name` is
 * defined first so the same text runs there (and in `page.evaluate` callbacks).
 */
export async function installPageProbe(page: Page, options: ProbeOptions): Promise<void> {
  const content = ['globalThis.__name ??= (target) => target;', `(${probeInPage.toString()})(${JSON.stringify(options)});`].join('\n');
  await page.addInitScript({ content });
}

/** Throws unless the page has what the probe needs (MediaStreamTrackProcessor). */
export async function probeReady(page: Page): Promise<void> {
  const ok = await page.evaluate(() => 'MediaStreamTrackProcessor' in window && '__bench' in window);
  if (!ok) throw new Error('the probe cannot run in this browser (no MediaStreamTrackProcessor)');
}

/** Remove and return every mark recorded so far. */
export function takeMarks(page: Page): Promise<ProbeMark[]> {
  return page.evaluate(() => (window as unknown as ProbeWindow).__bench.take());
}

/** Wait until a mark named `name` has been recorded (it stays for takeMarks). */
export async function waitForMark(page: Page, name: string, timeoutMs: number): Promise<void> {
  await page.waitForFunction((n) => (window as unknown as ProbeWindow).__bench.has(n), name, { timeout: timeoutMs, polling: 10 });
}

export function outboundAudio(page: Page): Promise<OutboundAudio | null> {
  return page.evaluate(() => (window as unknown as ProbeWindow).__bench.outboundAudio());
}

export function inboundAudio(page: Page): Promise<InboundAudio | null> {
  return page.evaluate(() => (window as unknown as ProbeWindow).__bench.inboundAudio());
}

/** The selected candidate pair of the page's newest open peer connection, or null (none yet). */
export function selectedPair(page: Page): Promise<SelectedPair | null> {
  return page.evaluate(() => (window as unknown as ProbeWindow).__bench.selectedPair());
}

/** Errors the probe caught in the page (e.g. the AudioContext could not start). */
export function probeErrors(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as ProbeWindow).__bench.errors.slice());
}

/** The largest delay between a frame's media end time and its reading, ms, per tag. */
export function readLagMs(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => ({ ...(window as unknown as ProbeWindow).__bench.readLagMs }));
}

/**
 * How far this page's main-thread clock (`performance.timeOrigin + performance.now()`) is from
 * its Date.now() (the system clock, which every process on the machine shares), ms: the mean
 * over 200 readings, minus the 0.5 ms Date.now()'s flooring adds on average. About 0 on both
 * pages means marks from the two browsers (and from the audio thread) are comparable.
 */
export function pageClockOffsetMs(page: Page): Promise<number> {
  return page.evaluate(() => {
    let sum = 0;
    for (let i = 0; i < 200; i++) sum += performance.timeOrigin + performance.now() - Date.now();
    return sum / 200 - 0.5;
  });
}
