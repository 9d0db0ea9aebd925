/** `AudioContext.setSinkId` (Chromium ≥ 110); missing from older engines. */
type SinkableContext = AudioContext & { setSinkId?: (sinkId: string) => Promise<void> };

/**
 * A short two-note chime (about 0.8 s) on the given output device ('' = the system default),
 * for "Play test sound". Resolves when it has finished playing.
 */
export async function playTestSound(sinkId: string, createContext: () => AudioContext = () => new AudioContext()): Promise<void> {
  const ctx: SinkableContext = createContext();
  try {
    if (sinkId && ctx.setSinkId) await ctx.setSinkId(sinkId);
    await ctx.resume();
    const start = ctx.currentTime + 0.05;
    for (const [i, frequency] of [523.25, 783.99].entries()) {
      const at = start + i * 0.35;
      const gain = ctx.createGain();
      gain.gain.setValueAtTime(0, at);
      gain.gain.linearRampToValueAtTime(0.2, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.001, at + 0.4);
      gain.connect(ctx.destination);
      const osc = ctx.createOscillator();
      osc.frequency.value = frequency;
      osc.connect(gain);
      osc.start(at);
      osc.stop(at + 0.42);
    }
    await new Promise((resolve) => setTimeout(resolve, 850));
  } finally {
    await ctx.close().catch(() => undefined);
  }
}
