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
 * Rewrite the Opus `a=fmtp` line of every audio section: mono fullband, FEC, DTX and the
 * bitrate cap, plus `a=ptime`. Parameters Earshot does not manage are kept.
 */
export function applyOpusSettings(sdp: string, settings: OpusSettings): string {
  const lines = sdp.split('\r\n');
  const opusPts = new Set<string>();
  for (const line of lines) {
    const match = /^a=rtpmap:(\d+) opus\/48000/i.exec(line);
    if (match) opusPts.add(match[1]!);
  }
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
  const out: string[] = [];
  let inAudio = false;
  for (const line of lines) {
    if (line.startsWith('m=')) inAudio = line.startsWith('m=audio');
    // Our own ptime line replaces any existing one.
    if (inAudio && /^a=(ptime|maxptime):/.test(line)) continue;
    const fmtp = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (fmtp && opusPts.has(fmtp[1]!)) {
      const params = new Map<string, string>();
      for (const pair of fmtp[2]!.split(';')) {
        const [key, value] = pair.split('=').map((s) => s.trim());
        if (key) params.set(key, value ?? '');
      }
      for (const [key, value] of Object.entries(managed)) params.set(key, value);
      out.push(`a=fmtp:${fmtp[1]} ${[...params].map(([k, v]) => `${k}=${v}`).join(';')}`);
      continue;
    }
    out.push(line);
    if (inAudio && line.startsWith('m=audio')) out.push(`a=ptime:${settings.ptime}`);
  }
  return out.join('\r\n');
}
