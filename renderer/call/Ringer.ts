/** Where and how loud a pattern plays. */
export interface RingOutput {
  /** Output device (MediaDeviceInfo.deviceId); '' = the system default. */
  sinkId: string;
  /** 0..1, scales the pattern's level. */
  volume: number;
}

export interface RingerOptions {
  /** Default: `new AudioContext()`. */
  createContext?: () => AudioContext;
  /**
   * Where each pattern plays: the ringtone on the ring device at the ring volume, the ringback
   * (heard in a call of my own) on the call speaker. Default: the system default at full level.
   */
  output?: (kind: 'ringtone' | 'ringback') => RingOutput;
}

/** Peak gain of a pattern at volume 1 (the tones are pure sines: keep them well below clipping). */
const PEAK_GAIN = 0.15;

/** `AudioContext.setSinkId` (Chromium ≥ 110); absent from older engines and from the DOM typings of some. */
type SinkableContext = AudioContext & { setSinkId?: (sinkId: string) => Promise<void> };

/**
 * Ringtone (incoming) and ringback (outgoing) made with WebAudio, so no audio files ship and
 * nothing is fetched. Patterns: ringback 440+480 Hz, 2 s on / 4 s off (the North American
 * ringback); ringtone two short 660/880 Hz bursts every 2 s.
 */
export class Ringer {
  private ctx: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly createContext: () => AudioContext;
  private readonly output: (kind: 'ringtone' | 'ringback') => RingOutput;
  private level = PEAK_GAIN;

  constructor(options: RingerOptions = {}) {
    this.createContext = options.createContext ?? (() => new AudioContext());
    this.output = options.output ?? (() => ({ sinkId: '', volume: 1 }));
  }

  /** Start ringing; `kind` chooses the pattern. Replaces whatever was playing. */
  start(kind: 'ringtone' | 'ringback'): void {
    this.stop();
    let ctx: SinkableContext;
    try {
      ctx = this.createContext();
    } catch {
      return; // No audio output (e.g. autoplay policy): the visual ring still shows.
    }
    this.ctx = ctx;
    const { sinkId, volume } = this.output(kind);
    this.level = PEAK_GAIN * Math.min(1, Math.max(0, volume));
    // A device that is gone or refused keeps the default output: ringing somewhere beats silence.
    if (sinkId && ctx.setSinkId) void ctx.setSinkId(sinkId).catch(() => undefined);
    const play = () => (kind === 'ringback' ? this.burst([440, 480], 0, 2) : (this.burst([660, 880], 0, 0.35), this.burst([660, 880], 0.5, 0.35)));
    play();
    this.timer = setInterval(play, kind === 'ringback' ? 6000 : 2000);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    void this.ctx?.close().catch(() => undefined);
    this.ctx = null;
  }

  private burst(frequencies: number[], offset: number, seconds: number): void {
    const ctx = this.ctx;
    if (!ctx) return;
    const gain = ctx.createGain();
    const start = ctx.currentTime + offset;
    gain.gain.setValueAtTime(0, start);
    gain.gain.linearRampToValueAtTime(this.level, start + 0.02);
    gain.gain.setValueAtTime(this.level, start + seconds - 0.05);
    gain.gain.linearRampToValueAtTime(0, start + seconds);
    gain.connect(ctx.destination);
    for (const frequency of frequencies) {
      const osc = ctx.createOscillator();
      osc.frequency.value = frequency;
      osc.connect(gain);
      osc.start(start);
      osc.stop(start + seconds);
    }
  }
}
