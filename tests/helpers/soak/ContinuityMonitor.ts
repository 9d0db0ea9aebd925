import type { Page } from '@playwright/test';
import { inboundAudioPackets } from '../audioProbe.js';
import { spectrumPeaks, TONE_MIN_DB, TONE_PRESENT_DB } from '../groupAudioProbe.js';

/** Audio continuity of one listener in a long-running call. */
export interface ContinuityReport {
  listener: string;
  /** The tones this listener must hear (every other participant's), Hz. */
  expectedHz: number[];
  samples: number;
  /** Samples in which every expected tone was heard and more Opus packets had arrived (at the first or the second reading). */
  good: number;
  /** `good / samples`, %. */
  percent: number;
  /** Good samples whose first reading was not (see ContinuityMonitor.sample). */
  secondReadings: number;
  /** What those first readings found (the first 20). */
  firstReadingProblems: string[];
  /** Runs of consecutive bad samples. */
  gaps: number;
  /** The longest run of bad samples, in seconds of sampling (run length × the sample interval). */
  longestGapS: number;
  /** Per tone: readings (first or second) in which it was missing. */
  missedByHz: Record<string, number>;
  /** Readings in which no new audio packet had arrived. */
  stalls: number;
  /** Per tone: the weakest reading above the spectrum's median, dB (TONE_PRESENT_DB is the threshold). */
  weakestAboveMedianDb: Record<string, number>;
}

/**
 * Samples what one participant of a group call hears, again and again: at each sample a 1.5 s
 * FFT of the page's remote audio (tests/helpers/groupAudioProbe.ts) must show every expected
 * tone, and the page's inbound Opus packet count must have risen since the previous reading.
 *
 * A sample whose first reading fails is read once more at once, and counts as bad only if the
 * second reading fails too. Why: on the busy 2-core build machines (load average 10–15 while
 * other suites run Chromium) a single 1.5 s reading now and then comes back as digital silence
 * on every source at once (the starved page's audio graph delivered no frames) or with the tones
 * 54 dB instead of 55 above a noise floor raised by concealment, while the audio itself is there;
 * an outage that a listener would notice lasts through both readings. Both are reported:
 * `secondReadings` counts the samples that needed the second reading.
 */
export class ContinuityMonitor {
  private samples = 0;
  private good = 0;
  private secondReadings = 0;
  private readonly firstReadingProblems: string[] = [];
  private gaps = 0;
  private run = 0;
  private longestRun = 0;
  private stalls = 0;
  private lastPackets: number | null = null;
  private readonly missed = new Map<number, number>();
  private readonly weakest = new Map<number, number>();

  constructor(
    readonly listener: string,
    private readonly page: Page,
    private readonly expectedHz: number[],
    private readonly intervalS: number,
  ) {}

  /** The packet count to compare the first sample with (call once the call carries audio). */
  async baseline(): Promise<void> {
    this.lastPackets = await inboundAudioPackets(this.page);
  }

  /** One sample (one or two readings); returns what was wrong with it, or null when it was good. `atS` labels the notes. */
  async sample(atS = 0): Promise<string | null> {
    this.samples++;
    const first = await this.read();
    const second = first === null ? null : await this.read();
    if (first === null || second === null) {
      if (first !== null) {
        this.secondReadings++;
        if (this.firstReadingProblems.length < 20) this.firstReadingProblems.push(`${atS.toFixed(0)} s: ${first}`);
      }
      this.good++;
      this.run = 0;
      return null;
    }
    if (this.run === 0) this.gaps++;
    this.run++;
    this.longestRun = Math.max(this.longestRun, this.run);
    return `${this.listener}: ${first} | again: ${second}`;
  }

  /** One reading: null when every expected tone is heard and new packets arrived, else what was wrong (a page that cannot be read counts as wrong). */
  private async read(): Promise<string | null> {
    const problems: string[] = [];
    try {
      const { peaks, sources, medianDb } = await spectrumPeaks(this.page, this.expectedHz);
      for (const peak of peaks) {
        this.weakest.set(peak.hz, Math.min(this.weakest.get(peak.hz) ?? Infinity, Math.round(peak.aboveMedianDb * 10) / 10));
        if (peak.aboveMedianDb > TONE_PRESENT_DB && peak.db > TONE_MIN_DB) continue;
        this.missed.set(peak.hz, (this.missed.get(peak.hz) ?? 0) + 1);
        problems.push(`${peak.hz} Hz missing (${peak.db.toFixed(1)} dBFS)`);
      }
      if (problems.length > 0) problems.push(`median ${medianDb.toFixed(1)} dBFS over ${sources} sources`);
      const packets = await inboundAudioPackets(this.page);
      if (this.lastPackets !== null && packets <= this.lastPackets) {
        this.stalls++;
        problems.push(`no audio packet since the previous reading (${packets} received)`);
      }
      this.lastPackets = packets;
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
    return problems.length === 0 ? null : problems.join('; ');
  }

  report(): ContinuityReport {
    return {
      listener: this.listener,
      expectedHz: this.expectedHz,
      samples: this.samples,
      good: this.good,
      secondReadings: this.secondReadings,
      firstReadingProblems: this.firstReadingProblems,
      percent: this.samples === 0 ? 0 : Math.round((1000 * this.good) / this.samples) / 10,
      gaps: this.gaps,
      longestGapS: this.longestRun * this.intervalS,
      missedByHz: Object.fromEntries(this.expectedHz.map((hz) => [String(hz), this.missed.get(hz) ?? 0])),
      stalls: this.stalls,
      weakestAboveMedianDb: Object.fromEntries([...this.weakest].map(([hz, db]) => [String(hz), db])),
    };
  }
}
