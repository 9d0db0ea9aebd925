import type { Page } from '@playwright/test';
import { TONE_MIN_DB, TONE_PRESENT_DB } from './groupAudioProbe.js';

/** One look at a page's remote audio: when (ms since epoch, this machine's clock) and which watched tones it held. */
export interface ToneSample {
  t: number;
  heard: number[];
}

/**
 * Watch what a page hears without pause, to time an outage: every `everyMs` one FFT (8192
 * points, ~170 ms at 48 kHz) of everything its <audio> elements play, new elements included
 * as they appear (a rejoin brings new streams). A tone counts as heard by the same rule as
 * `tonesHeard` (groupAudioProbe.ts), but on single frames instead of a 1.5 s average, so a
 * change shows within ~100 ms. Samples stay in the page; read them with `toneSamples`.
 */
export async function startToneWatch(page: Page, freqs: number[], everyMs = 50): Promise<void> {
  await page.evaluate(
    async ({ freqs, everyMs, presentDb, minDb }) => {
      const FLOOR_DB = -200;
      const ctx = new AudioContext();
      await ctx.resume();
      const analyser = new AnalyserNode(ctx, { fftSize: 8192, smoothingTimeConstant: 0, minDecibels: -160, maxDecibels: 0 });
      const frame = new Float32Array(analyser.frequencyBinCount);
      const hzPerBin = ctx.sampleRate / analyser.fftSize;
      const connected = new WeakSet<MediaStream>();
      const samples: Array<{ t: number; heard: number[] }> = [];
      (window as unknown as { __toneSamples: typeof samples }).__toneSamples = samples;
      const streamsAt: number[] = [];
      (window as unknown as { __toneStreamsAt: number[] }).__toneStreamsAt = streamsAt;
      setInterval(() => {
        for (const audio of document.querySelectorAll('audio')) {
          const stream = audio.srcObject;
          if (!(stream instanceof MediaStream) || connected.has(stream) || !stream.getAudioTracks().some((t) => t.readyState === 'live')) continue;
          connected.add(stream);
          ctx.createMediaStreamSource(stream).connect(analyser);
          streamsAt.push(Date.now());
        }
        analyser.getFloatFrequencyData(frame);
        const level = (i: number) => (Number.isFinite(frame[i]!) ? Math.max(frame[i]!, FLOOR_DB) : FLOOR_DB);
        const band: number[] = [];
        for (let i = Math.ceil(100 / hzPerBin); i <= Math.floor(8000 / hzPerBin); i++) band.push(level(i));
        band.sort((a, b) => a - b);
        const median = band[band.length >> 1] ?? FLOOR_DB;
        const heard = freqs.filter((hz) => {
          const center = Math.round(hz / hzPerBin);
          let db = FLOOR_DB;
          for (let i = center - 2; i <= center + 2; i++) db = Math.max(db, level(i));
          return db - median > presentDb && db > minDb;
        });
        samples.push({ t: Date.now(), heard });
        if (samples.length > 20_000) samples.splice(0, samples.length - 20_000);
      }, everyMs);
    },
    { freqs, everyMs, presentDb: TONE_PRESENT_DB, minDb: TONE_MIN_DB },
  );
}

/** When the watch started listening to each stream (the page's first ones, then any that appear, e.g. after a rejoin), oldest first. */
export function toneStreamTimes(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { __toneStreamsAt?: number[] }).__toneStreamsAt ?? []);
}

/** The samples `startToneWatch` has taken so far, oldest first. */
export function toneSamples(page: Page): Promise<ToneSample[]> {
  return page.evaluate(() => (window as unknown as { __toneSamples?: ToneSample[] }).__toneSamples ?? []);
}

/**
 * After `since`: when the audio was lost (the first of `steady` samples in a row that each lack
 * one of `tones`: a single frame's dip is not an outage; null when no such run, e.g. the gap was
 * shorter than `steady` frames or jitter-buffer concealment bridged it) and when it was back
 * (the first of `steady` samples in a row holding all of them, after the loss and not before
 * `backAfter`, e.g. when new streams appeared); null where it did not happen.
 */
export function toneOutage(samples: ToneSample[], tones: number[], since: number, opts: { steady?: number; backAfter?: number } = {}): { lostAt: number | null; backAt: number | null } {
  const steady = opts.steady ?? 6;
  const after = samples.filter((s) => s.t >= since);
  const full = (s: ToneSample) => tones.every((hz) => s.heard.includes(hz));
  const runFrom = (start: number, holds: (s: ToneSample) => boolean) => {
    for (let i = start; i + steady <= after.length; i++) if (after.slice(i, i + steady).every(holds)) return i;
    return -1;
  };
  const lost = runFrom(0, (s) => !full(s));
  let start = lost < 0 ? 0 : lost + steady;
  if (opts.backAfter !== undefined) {
    const first = after.findIndex((s) => s.t >= opts.backAfter!);
    start = Math.max(start, first < 0 ? after.length : first);
  }
  const back = runFrom(start, full);
  return { lostAt: lost < 0 ? null : after[lost]!.t, backAt: back < 0 ? null : after[back]!.t };
}
