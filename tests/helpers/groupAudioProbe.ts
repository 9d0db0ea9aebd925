import type { Page } from '@playwright/test';

/**
 * A tone counts as heard when its bin stands this far above the spectrum's median (dB)…
 *
 * Measured through the SFU (three sox tones at half amplitude, Opus at 32 kbps, Chromium
 * headless): a tone that is sent reads about −20 dBFS, 70–117 dB above the median; a tone
 * that is not sent still reads 22–43 dB above the median, because Opus's shaped coding noise
 * sits well above the quiet high bins that set the median. 30 dB would therefore "hear"
 * absent tones; 55 dB sits between the two groups with margin on both sides.
 */
export const TONE_PRESENT_DB = 55;
/** …and is louder than this (dBFS): sent tones read about −20, absent ones −64 or lower. */
export const TONE_MIN_DB = -50;

/** One requested frequency, as measured. */
export interface SpectrumPeak {
  /** The frequency asked about, Hz. */
  hz: number;
  /** Mean power of the loudest bin within ±`spreadBins` of it, dBFS (−200 for digital silence). */
  db: number;
  /** `db` minus the median bin level over 100 Hz–8 kHz: how far the tone stands out. */
  aboveMedianDb: number;
}

export interface Spectrum {
  /** Median bin level over 100 Hz–8 kHz, dBFS: the noise floor the tones are compared with. */
  medianDb: number;
  peaks: SpectrumPeak[];
  /** How many <audio> elements with a stream were mixed into the analysis. */
  sources: number;
}

/**
 * What the page's <audio> elements play together (all remote participants of a group call),
 * analysed with one AnalyserNode (fftSize 8192, ~5.9 Hz bins at 48 kHz) over `ms`
 * milliseconds. Each frame's spectrum is converted to linear power and averaged, so steady
 * tones keep their level while codec noise averages out; each requested frequency is then
 * read as the loudest bin within ±2 bins (the analyser's Blackman window spreads a pure tone
 * over about three bins) and compared with the median bin of the voice band.
 *
 * Chromium feeds a remote WebRTC track to WebAudio only while a media element plays it: the
 * app's own <audio autoplay> elements do that, the probe only listens.
 */
export async function spectrumPeaks(page: Page, freqs: number[], ms = 1500): Promise<Spectrum> {
  return page.evaluate(
    async ({ freqs, duration }) => {
      const FLOOR_DB = -200;
      const audios = [...document.querySelectorAll('audio')].filter(
        (a) => a.srcObject instanceof MediaStream && a.srcObject.getAudioTracks().some((t) => t.readyState === 'live'),
      );
      if (audios.length === 0) {
        return { medianDb: FLOOR_DB, peaks: freqs.map((hz) => ({ hz, db: FLOOR_DB, aboveMedianDb: 0 })), sources: 0 };
      }
      const ctx = new AudioContext();
      try {
        await ctx.resume();
        const analyser = ctx.createAnalyser();
        analyser.fftSize = 8192;
        analyser.smoothingTimeConstant = 0;
        analyser.minDecibels = -160;
        analyser.maxDecibels = 0;
        for (const audio of audios) ctx.createMediaStreamSource(audio.srcObject as MediaStream).connect(analyser);
        const binCount = analyser.frequencyBinCount;
        const frame = new Float32Array(binCount);
        const power = new Float64Array(binCount);
        let frames = 0;
        const end = performance.now() + duration;
        // Let the graph start before the first read (the first frames can be all zeros).
        await new Promise((r) => setTimeout(r, 100));
        while (performance.now() < end) {
          // One FFT window is 8192 / 48000 ≈ 170 ms; reading more often only repeats overlapping windows.
          await new Promise((r) => setTimeout(r, 100));
          analyser.getFloatFrequencyData(frame);
          for (let i = 0; i < binCount; i++) {
            const db = Number.isFinite(frame[i]!) ? Math.max(frame[i]!, FLOOR_DB) : FLOOR_DB;
            power[i]! += 10 ** (db / 10);
          }
          frames++;
        }
        const toDb = (p: number) => Math.max(FLOOR_DB, 10 * Math.log10(p / Math.max(frames, 1)));
        const hzPerBin = ctx.sampleRate / analyser.fftSize;
        const levels = Array.from(power, toDb);
        const band = levels.slice(Math.ceil(100 / hzPerBin), Math.floor(8000 / hzPerBin) + 1).sort((a, b) => a - b);
        const medianDb = band[Math.floor(band.length / 2)] ?? FLOOR_DB;
        const spreadBins = 2;
        const peaks = freqs.map((hz) => {
          const center = Math.round(hz / hzPerBin);
          let db = FLOOR_DB;
          for (let i = Math.max(1, center - spreadBins); i <= Math.min(binCount - 1, center + spreadBins); i++) db = Math.max(db, levels[i]!);
          return { hz, db, aboveMedianDb: db - medianDb };
        });
        return { medianDb, peaks, sources: audios.length };
      } finally {
        await ctx.close();
      }
    },
    { freqs, duration: ms },
  );
}

/**
 * Which of `freqs` the page hears now (in the order given): each tone whose bin stands more
 * than TONE_PRESENT_DB above the median and above TONE_MIN_DB. Use with expect.poll, e.g.
 * `await expect.poll(() => tonesHeard(page, [660, 1000])).toEqual([660, 1000])`.
 */
export async function tonesHeard(page: Page, freqs: number[], ms?: number): Promise<number[]> {
  const { peaks } = await spectrumPeaks(page, freqs, ms);
  return peaks.filter((p) => p.aboveMedianDb > TONE_PRESENT_DB && p.db > TONE_MIN_DB).map((p) => p.hz);
}
