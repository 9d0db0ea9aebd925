/**
 * Measures the microphone's level (RMS of the time-domain signal, 0–1) about ten times a
 * second and reports it. The analyser reads the local track directly; nothing is recorded.
 */
export class MicLevelMeter {
  private ctx: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly onLevel: (level: number) => void) {}

  start(stream: MediaStream): void {
    this.stop();
    try {
      this.ctx = new AudioContext();
    } catch {
      return;
    }
    const analyser = this.ctx.createAnalyser();
    analyser.fftSize = 1024;
    this.ctx.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    this.timer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      // Enabled=false (muted) tracks read as silence, which is what the meter should show.
      this.onLevel(Math.min(1, Math.sqrt(sum / samples.length) * 2));
    }, 100);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    void this.ctx?.close().catch(() => undefined);
    this.ctx = null;
    this.onLevel(0);
  }
}
