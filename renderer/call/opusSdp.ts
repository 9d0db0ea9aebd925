/** Opus settings Earshot asks the other side to send with (they go into the SDP fmtp line). */
export interface OpusSettings {
  /** Target average bitrate, bits per second. Default 32 000 (HD voice). */
  maxAverageBitrate: number;
  /** Discontinuous transmission: near-zero bitrate in silence. */
  dtx: boolean;
  /** In-band forward error correction (recovers single lost packets). Always on by default. */
  fec: boolean;
  /** Packet duration, ms (20 normal; 40–60 for low-bandwidth mode). */
  ptime: number;
}

export const DEFAULT_OPUS: OpusSettings = { maxAverageBitrate: 32_000, dtx: false, fec: true, ptime: 20 };

/**
 * Low-bandwidth mode: about 16 kbps in 60 ms packets (16.7 packets/s instead of 50, so the
 * per-packet RTP/SRTP/UDP/IP overhead shrinks from about 20 kbps to under 7), FEC kept on.
 * Measured in headless Chromium: a remote description asking for ptime 60 makes its Opus
 * encoder send 60 ms packets, also when it arrives in a renegotiation mid-call.
 */
export const LOW_BANDWIDTH_OPUS: OpusSettings = { maxAverageBitrate: 16_000, dtx: false, fec: true, ptime: 60 };

/** The Opus settings of a call in or out of low-bandwidth mode, with the user's DTX choice. */
export function opusFor(lowBandwidth: boolean, dtx: boolean): OpusSettings {
  return { ...(lowBandwidth ? LOW_BANDWIDTH_OPUS : DEFAULT_OPUS), dtx };
}

/** Whether these settings are low-bandwidth ones (a bitrate cap at or below LOW_BANDWIDTH_OPUS's). */
export function isLowBandwidth(settings: Pick<OpusSettings, 'maxAverageBitrate'>): boolean {
  return settings.maxAverageBitrate <= LOW_BANDWIDTH_OPUS.maxAverageBitrate;
}

/**
 * Rewrite the Opus `a=fmtp` line of every audio section: mono fullband, FEC, DTX and the
 * bitrate cap, plus `a=ptime`. Parameters Earshot does not manage are kept.
 */
export function applyOpusSettings(sdp: string, settings: OpusSettings): string {
  const managed: Record<string, string> = {
    minptime: '10',
    useinbandfec: settings.fec ? '1' : '0',
    usedtx: settings.dtx ? '1' : '0',
    stereo: '0',
    'sprop-stereo': '0',
    maxplaybackrate: '48000',
    'sprop-maxcapturerate': '48000',
    maxaveragebitrate: String(Math.round(settings.maxAverageBitrate)),
    ptime: String(settings.ptime),
  };
  return rewriteOpusSections(sdp, settings.ptime, (params) => {
    for (const [key, value] of Object.entries(managed)) params.set(key, value);
  });
}

/**
 * The one walk over an SDP that both rewrites share: every Opus `a=fmtp` line's parameters go
 * through `edit` (parameters it leaves alone are kept), and each audio section's `a=ptime` /
 * `a=maxptime` lines are replaced by ours for `ptime`. Exported for the benchmark's reference
 * page, which runs `applyOpusSettings` from its source text.
 */
export function rewriteOpusSections(sdp: string, ptime: number, edit: (params: Map<string, string>) => void): string {
  const lines = sdp.split('\r\n');
  const opusPts = new Set(lines.map((l) => /^a=rtpmap:(\d+) opus\/48000/i.exec(l)?.[1]).filter((x): x is string => x !== undefined));
  const out: string[] = [];
  let inAudio = false;
  for (const line of lines) {
    if (line.startsWith('m=')) inAudio = line.startsWith('m=audio');
    // Our own ptime lines replace any existing ones.
    if (inAudio && /^a=(ptime|maxptime):/.test(line)) continue;
    const fmtp = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (fmtp && opusPts.has(fmtp[1]!)) {
      const params = new Map<string, string>();
      for (const pair of fmtp[2]!.split(';')) {
        const [key, value] = pair.split('=').map((x) => x.trim());
        if (key) params.set(key, value ?? '');
      }
      edit(params);
      out.push(`a=fmtp:${fmtp[1]} ${[...params].map(([k, v]) => `${k}=${v}`).join(';')}`);
      continue;
    }
    out.push(line);
    if (inAudio && line.startsWith('m=audio')) {
      out.push(`a=ptime:${ptime}`);
      // Longer packets than usual: say we accept them (RFC 4566 maxptime), as a=ptime alone is a preference.
      if (ptime > DEFAULT_OPUS.ptime) out.push(`a=maxptime:${ptime}`);
    }
  }
  return out.join('\r\n');
}

/** The Opus parameters a description asks its receiver to send with (the first audio section's). */
export interface RequestedOpus {
  /** bits per second; null when the description sets no cap. */
  maxAverageBitrate: number | null;
  /** Packet time, ms (a=ptime, else the fmtp `ptime`); null when unset. */
  ptime: number | null;
}

/** Read what an SDP's Opus fmtp and a=ptime ask for (the other side's description). */
export function readRequestedOpus(sdp: string): RequestedOpus {
  const lines = sdp.split('\r\n');
  const pt = lines.map((l) => /^a=rtpmap:(\d+) opus\/48000/i.exec(l)?.[1]).find((x) => x !== undefined);
  const fmtp = pt === undefined ? undefined : lines.find((l) => l.startsWith(`a=fmtp:${pt} `));
  const param = (key: string) => {
    const match = fmtp && new RegExp(`(?:^|[ ;])${key}=(\\d+)`).exec(fmtp);
    return match ? Number(match[1]) : null;
  };
  const aPtime = lines.map((l) => /^a=ptime:(\d+)/.exec(l)?.[1]).find((x) => x !== undefined);
  return { maxAverageBitrate: param('maxaveragebitrate'), ptime: aPtime !== undefined ? Number(aPtime) : param('ptime') };
}

/**
 * Tighten the other side's description before applying it, so that our own encoder follows
 * our low-bandwidth mode too: the Opus bitrate cap becomes the lower of theirs and ours, the
 * packet time the longer of theirs and ours, FEC stays on when we want it. Where the other side
 * asks for less, theirs stands (the stricter of the two always wins, in both directions).
 * Our encoder takes its settings from the remote description, which may be changed before it
 * is applied; the local description is never changed.
 */
export function limitRemoteOpus(sdp: string, settings: OpusSettings): string {
  const requested = readRequestedOpus(sdp);
  const maxAverageBitrate = Math.min(requested.maxAverageBitrate ?? Infinity, Math.round(settings.maxAverageBitrate));
  const ptime = Math.max(requested.ptime ?? DEFAULT_OPUS.ptime, settings.ptime);
  return rewriteOpusSections(sdp, ptime, (params) => {
    params.set('maxaveragebitrate', String(maxAverageBitrate));
    params.set('ptime', String(ptime));
    if (settings.fec) params.set('useinbandfec', '1');
  });
}
