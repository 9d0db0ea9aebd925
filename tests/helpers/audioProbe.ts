import type { Page } from '@playwright/test';

/**
 * Test-side instruments injected into a page before the app loads. Nothing in the product
 * exposes internals for tests: the probe records every RTCPeerConnection the page creates
 * (wrapping the constructor) and analyses whatever the page's <audio> elements play.
 */
export async function installAudioProbe(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __pcs: RTCPeerConnection[] };
    w.__pcs = [];
    const Native = window.RTCPeerConnection;
    class Recorded extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        w.__pcs.push(this);
      }
    }
    window.RTCPeerConnection = Recorded as typeof RTCPeerConnection;
  });
}

/**
 * The dominant frequency (Hz) of what the page's <audio> elements are playing (the remote
 * audio), measured with an AnalyserNode over `ms` milliseconds, with the peak's level in dB.
 * Returns `{ hz: 0, db: -Infinity }` for silence.
 */
export async function remotePeak(page: Page, ms = 1500): Promise<{ hz: number; db: number }> {
  return page.evaluate(async (duration) => {
    const audios = [...document.querySelectorAll('audio')].filter((a) => a.srcObject instanceof MediaStream);
    if (audios.length === 0) return { hz: 0, db: -Infinity };
    const ctx = new AudioContext();
    await ctx.resume();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 8192;
    analyser.smoothingTimeConstant = 0;
    for (const audio of audios) ctx.createMediaStreamSource(audio.srcObject as MediaStream).connect(analyser);
    const bins = new Float32Array(analyser.frequencyBinCount);
    const acc = new Float32Array(analyser.frequencyBinCount).fill(-Infinity);
    const end = performance.now() + duration;
    while (performance.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      analyser.getFloatFrequencyData(bins);
      for (let i = 0; i < bins.length; i++) acc[i] = Math.max(acc[i]!, bins[i]!);
    }
    let best = 0;
    // Skip DC and the lowest bins.
    for (let i = 4; i < acc.length; i++) if (acc[i]! > acc[best]!) best = i;
    await ctx.close();
    const db = acc[best]!;
    // Below -70 dBFS counts as silence (comfort noise, DTX).
    return db < -70 ? { hz: 0, db } : { hz: (best * ctx.sampleRate) / analyser.fftSize, db };
  }, ms);
}

/** Outgoing/incoming Opus figures from the first recorded peer connection's getStats(). */
export async function opusStats(page: Page, sampleMs = 2000): Promise<{ codec: string | null; sendKbps: number; recvPackets: number; path: string }> {
  return page.evaluate(async (ms) => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState !== 'closed');
    const pc = pcs[pcs.length - 1];
    if (!pc) return { codec: null, sendKbps: 0, recvPackets: 0, path: 'none' };
    const read = async () => {
      const stats = new Map<string, Record<string, unknown>>();
      (await pc.getStats()).forEach((s: Record<string, unknown>) => stats.set(s.id as string, s));
      return stats;
    };
    const first = await read();
    await new Promise((r) => setTimeout(r, ms));
    const second = await read();
    let codec: string | null = null;
    let sentBefore = 0;
    let sentAfter = 0;
    let recvPackets = 0;
    let path = 'unknown';
    for (const s of second.values()) {
      if (s.type === 'outbound-rtp' && s.kind === 'audio') {
        sentAfter += s.bytesSent as number;
        sentBefore += (first.get(s.id as string)?.bytesSent as number) ?? 0;
        codec = (second.get(s.codecId as string)?.mimeType as string) ?? null;
      }
      if (s.type === 'inbound-rtp' && s.kind === 'audio') recvPackets += s.packetsReceived as number;
      if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
        const pair = second.get(s.selectedCandidatePairId);
        const local = pair && second.get(pair.localCandidateId as string);
        const remote = pair && second.get(pair.remoteCandidateId as string);
        if (local && remote) path = local.candidateType === 'relay' || remote.candidateType === 'relay' ? 'relay' : 'direct';
      }
    }
    return { codec, sendKbps: ((sentAfter - sentBefore) * 8) / ms, recvPackets, path };
  }, sampleMs);
}

/**
 * Audio RTP packets received so far over every open peer connection of the page (getStats()
 * `inbound-rtp`, summed): for a group call, the receive transport's consumers. Sampled twice,
 * a rise shows Opus is flowing in.
 */
export async function inboundAudioPackets(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState !== 'closed');
    let packets = 0;
    for (const pc of pcs) {
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') packets += s.packetsReceived as number;
      });
    }
    return packets;
  });
}
