import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { AUDIO_CACHE_DIR } from '../../tests/helpers/tones.js';

const run = promisify(execFile);

/** The click track's shape; the detectors' thresholds sit between the two amplitudes. */
export const CLICK_TRACK = {
  /** Sample rate of the WAV, Hz. */
  sampleRate: 48_000,
  /** Seconds; Chromium loops the file, and every period holds exactly one click. */
  seconds: 10,
  /** One click per period, s. */
  periodS: 1,
  /** Where the click starts inside each period, s. */
  clickAtS: 0.5,
  /** Click: a burst of a sine, this long (s), this high (Hz) and this loud (peak, 0–1). */
  clickS: 0.005,
  clickHz: 2000,
  clickPeak: 0.8,
  /** Quiet continuous tone under the clicks, so "first audio" need not wait for a click. */
  bedHz: 440,
  bedPeak: 0.05,
} as const;

/**
 * A 48 kHz mono 16-bit WAV, made with sox: a quiet 440 Hz tone (peak 0.05, −26 dBFS) with a
 * 5 ms 2 kHz burst (peak 0.8) at 0.5 s of every second. Cached in .cache/audio.
 */
export async function makeClickTrack(): Promise<string> {
  const t = CLICK_TRACK;
  const file = path.join(AUDIO_CACHE_DIR, `clicks-${t.bedHz}hz-${t.clickHz}hz-${t.clickS * 1000}ms-${t.seconds}s.wav`);
  try {
    if (statSync(file).size > 44) return file;
  } catch {
    // Not made yet.
  }
  mkdirSync(AUDIO_CACHE_DIR, { recursive: true });
  const dir = mkdtempSync(path.join(AUDIO_CACHE_DIR, 'clicks-'));
  const fmt = ['-r', String(t.sampleRate), '-c', '1', '-b', '16'];
  const bed = path.join(dir, 'bed.wav');
  const click = path.join(dir, 'click.wav');
  const period = path.join(dir, 'period.wav');
  const out = path.join(dir, 'out.wav');
  try {
    await run('sox', ['-n', ...fmt, bed, 'synth', String(t.periodS), 'sine', String(t.bedHz), 'vol', String(t.bedPeak)]);
    const after = t.periodS - t.clickAtS - t.clickS;
    await run('sox', ['-n', ...fmt, click, 'synth', String(t.clickS), 'sine', String(t.clickHz), 'vol', String(t.clickPeak), 'pad', String(t.clickAtS), String(after)]);
    // -v 1 on each input: sox -m would otherwise scale each input by 1/2.
    await run('sox', ['-m', '-v', '1', bed, '-v', '1', click, period]);
    await run('sox', [period, out, 'repeat', String(t.seconds / t.periodS - 1)]);
    renameSync(out, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return file;
}
