import type { Page } from '@playwright/test';

/**
 * Audio counters of a call page from getStats(), summed over every open RTCPeerConnection the
 * page made (`window.__pcs`, recorded by installAudioProbe): one for a 1-on-1 call, the send and
 * receive transports for a group call. Counters only grow; two readings make a window
 * (`audioWindow`).
 */
export interface AudioCounters {
  /** When read, ms since the epoch (the page's clock: the same machine's as the test's). */
  at: number;
  /** inbound-rtp (audio), summed over the incoming streams. */
  packetsReceived: number;
  packetsLost: number;
  /** RTP payload bytes received. */
  bytesReceived: number;
  concealedSamples: number;
  totalSamplesReceived: number;
  /** Sum over emitted samples of their time in the jitter buffer, s. */
  jitterBufferDelay: number;
  jitterBufferEmittedCount: number;
  /** outbound-rtp (audio): RTP payload bytes sent. */
  bytesSent: number;
  /** Codecs of the incoming audio streams, e.g. `audio/opus`. */
  codecs: string[];
  /** Latest STUN round trip on a selected candidate pair (the largest over the connections), ms; null before one. */
  rttMs: number | null;
}

/** One reading of the page's audio counters (see AudioCounters). */
export function audioCounters(page: Page): Promise<AudioCounters> {
  return page.evaluate(async () => {
    const pcs = ((window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []).filter((pc) => pc.connectionState !== 'closed');
    const sum = { packetsReceived: 0, packetsLost: 0, bytesReceived: 0, concealedSamples: 0, totalSamplesReceived: 0, jitterBufferDelay: 0, jitterBufferEmittedCount: 0 };
    let bytesSent = 0;
    let rttMs: number | null = null;
    const codecs = new Set<string>();
    for (const pc of pcs) {
      const stats = new Map<string, Record<string, unknown>>();
      (await pc.getStats()).forEach((s: Record<string, unknown>) => stats.set(s.id as string, s));
      for (const s of stats.values()) {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') {
          for (const key of Object.keys(sum) as Array<keyof typeof sum>) sum[key] += typeof s[key] === 'number' ? s[key] : 0;
          const codec = stats.get(s.codecId as string)?.mimeType;
          if (typeof codec === 'string') codecs.add(codec);
        }
        if (s.type === 'outbound-rtp' && s.kind === 'audio') bytesSent += typeof s.bytesSent === 'number' ? s.bytesSent : 0;
        if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
          const rtt = stats.get(s.selectedCandidatePairId)?.currentRoundTripTime;
          if (typeof rtt === 'number') rttMs = Math.max(rttMs ?? 0, rtt * 1000);
        }
      }
    }
    return { at: Date.now(), ...sum, bytesSent, codecs: [...codecs].sort(), rttMs };
  });
}

/** What a page received between two readings. */
export interface AudioWindow {
  seconds: number;
  /** Concealed share of the samples played out, % (concealedSamples / totalSamplesReceived over the window). */
  concealedPct: number;
  /** RTP payload received, kbit/s. */
  recvKbps: number;
  /** RTP payload sent, kbit/s. */
  sendKbps: number;
  packetsReceived: number;
  packetsLost: number;
  /** packetsLost / (packetsLost + packetsReceived) over the window, %. */
  lossPct: number;
  /** Mean time an emitted sample spent in the jitter buffer over the window, ms. */
  jitterBufferMs: number;
  codecs: string[];
  /** The round trip at the window's end, ms. */
  rttMs: number | null;
}

/** The window between readings `a` and `b` of the same page (b later). */
export function audioWindow(a: AudioCounters, b: AudioCounters): AudioWindow {
  const d = (key: keyof Omit<AudioCounters, 'codecs' | 'rttMs'>) => b[key] - a[key];
  const seconds = Math.max(0.001, d('at') / 1000);
  const samples = d('totalSamplesReceived');
  const emitted = d('jitterBufferEmittedCount');
  const packets = d('packetsReceived') + d('packetsLost');
  return {
    seconds,
    concealedPct: samples > 0 ? (d('concealedSamples') / samples) * 100 : NaN,
    recvKbps: (d('bytesReceived') * 8) / 1000 / seconds,
    sendKbps: (d('bytesSent') * 8) / 1000 / seconds,
    packetsReceived: d('packetsReceived'),
    packetsLost: d('packetsLost'),
    lossPct: packets > 0 ? (d('packetsLost') / packets) * 100 : NaN,
    jitterBufferMs: emitted > 0 ? (d('jitterBufferDelay') / emitted) * 1000 : NaN,
    codecs: b.codecs,
    rttMs: b.rttMs,
  };
}

/** One poll of `watchAudioReturn`. */
export interface AudioPoll {
  /** ms since the epoch. */
  at: number;
  /** Incoming audio packets so far (summed over the page's connections). */
  packetsReceived: number;
  /** The tone is the loudest thing the page plays (within two ~23 Hz bins) and louder than −60 dBFS. */
  tone: boolean;
}

/**
 * Watch a page's incoming audio come back after an outage: every `pollMs` (default 100) read
 * its packet counter and whether `toneHz` is what its <audio> elements play (an AnalyserNode of
 * 2048 points, ~43 ms at 48 kHz, so a poll sees the last few tens of ms). Runs in the page until
 * it has seen a silent poll (no new packets, no tone) followed by `sustainPolls` polls in a row
 * with new packets and the tone (default 5), or until `timeoutMs`; resolves with every poll.
 * Start it during the outage, restore the link, then judge the polls against the restore time.
 */
export function watchAudioReturn(page: Page, toneHz: number, opts: { timeoutMs: number; pollMs?: number; sustainPolls?: number }): Promise<AudioPoll[]> {
  return page.evaluate(
    async ({ toneHz, timeoutMs, pollMs, sustainPolls }) => {
      const packets = async () => {
        let n = 0;
        for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((p) => p.connectionState !== 'closed')) {
          (await pc.getStats()).forEach((s: Record<string, unknown>) => {
            if (s.type === 'inbound-rtp' && s.kind === 'audio') n += (s.packetsReceived as number) ?? 0;
          });
        }
        return n;
      };
      const ctx = new AudioContext();
      try {
        await ctx.resume();
        const analyser = ctx.createAnalyser();
        analyser.fftSize = 2048;
        analyser.smoothingTimeConstant = 0;
        const audios = [...document.querySelectorAll('audio')].filter((a) => a.srcObject instanceof MediaStream);
        for (const audio of audios) ctx.createMediaStreamSource(audio.srcObject as MediaStream).connect(analyser);
        const bins = new Float32Array(analyser.frequencyBinCount);
        const toneBin = Math.round((toneHz * analyser.fftSize) / ctx.sampleRate);
        const toneNow = () => {
          analyser.getFloatFrequencyData(bins);
          let best = 4; // skip DC and the lowest bins
          for (let i = 4; i < bins.length; i++) if (bins[i]! > bins[best]!) best = i;
          return Math.abs(best - toneBin) <= 2 && bins[best]! > -60;
        };
        const polls: Array<{ at: number; packetsReceived: number; tone: boolean }> = [];
        let silent = false;
        let sustained = 0;
        const end = Date.now() + timeoutMs;
        while (Date.now() < end) {
          const previous = polls[polls.length - 1];
          const poll = { at: Date.now(), packetsReceived: await packets(), tone: toneNow() };
          polls.push(poll);
          const flowing = previous !== undefined && poll.packetsReceived > previous.packetsReceived;
          if (previous && !flowing && !poll.tone) silent = true;
          sustained = silent && flowing && poll.tone ? sustained + 1 : 0;
          if (sustained >= sustainPolls) break;
          await new Promise((r) => setTimeout(r, pollMs));
        }
        return polls;
      } finally {
        await ctx.close();
      }
    },
    { toneHz, timeoutMs: opts.timeoutMs, pollMs: opts.pollMs ?? 100, sustainPolls: opts.sustainPolls ?? 5 },
  );
}

/** When audio came back after `restoredAt` (ms since the epoch), from `watchAudioReturn`'s polls. */
export interface AudioReturn {
  /** Seconds from `restoredAt` to the first poll of two in a row with new packets; null: never. */
  packetsS: number | null;
  /** Seconds from `restoredAt` to the first of two polls in a row that heard the tone; null: never. */
  toneS: number | null;
  /** Before `restoredAt`: polls that saw new packets / heard the tone (0 and 0 prove the outage was real). */
  packetsBeforeRestore: number;
  toneBeforeRestore: number;
  /** Polls before `restoredAt`. */
  pollsBeforeRestore: number;
}

export function audioReturn(polls: AudioPoll[], restoredAt: number): AudioReturn {
  const grew = (i: number) => i > 0 && polls[i]!.packetsReceived > polls[i - 1]!.packetsReceived;
  const firstAfter = (ok: (i: number) => boolean) => {
    for (let i = 1; i + 1 < polls.length; i++) if (polls[i]!.at >= restoredAt && ok(i) && ok(i + 1)) return (polls[i]!.at - restoredAt) / 1000;
    return null;
  };
  const before = polls.map((_, i) => i).filter((i) => polls[i]!.at < restoredAt);
  return {
    packetsS: firstAfter(grew),
    toneS: firstAfter((i) => polls[i]!.tone),
    packetsBeforeRestore: before.filter(grew).length,
    toneBeforeRestore: before.filter((i) => polls[i]!.tone).length,
    pollsBeforeRestore: before.length,
  };
}
