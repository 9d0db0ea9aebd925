/**
 * Ringtone (incoming) and ringback (outgoing) made with WebAudio, so no audio files ship and
 * nothing is fetched. Patterns: ringback 440+480 Hz, 2 s on / 4 s off (the North American
 * ringback); ringtone two short 660/880 Hz bursts every 2 s.
 */
export class Ringer {
  private ctx: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly createContext: () => AudioContext;

  constructor(createContext: () => AudioContext = () => new AudioContext()) {
    this.createContext = createContext;
  }

  /** Start ringing; `kind` chooses the pattern. Replaces whatever was playing. */
  start(kind: 'ringtone' | 'ringback'): void {
    this.stop();
    try {
      this.ctx = this.createContext();
    } catch {
      return; // No audio output (e.g. autoplay policy): the visual ring still shows.
    }
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
    gain.gain.linearRampToValueAtTime(0.12, start + 0.02);
    gain.gain.setValueAtTime(0.12, start + seconds - 0.05);
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
