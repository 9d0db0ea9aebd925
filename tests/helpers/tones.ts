import { execFile } from 'node:child_process';
import { mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Generated audio is kept here between runs (git-ignored). */
export const AUDIO_CACHE_DIR = fileURLToPath(new URL('../../.cache/audio/', import.meta.url));

function exists(file: string): boolean {
  try {
    return statSync(file).size > 44; // more than a bare WAV header
  } catch {
    return false;
  }
}

/**
 * A sine tone as a 48 kHz mono 16-bit WAV at half amplitude, made with sox — the fake
 * microphone input for call tests (`--use-file-for-fake-audio-capture`).
 *
 * @param freqHz  tone frequency in Hz
 * @param seconds length in seconds (Chromium loops the file)
 * @param outPath where to write it; default `.cache/audio/tone-<freq>hz-<seconds>s.wav`.
 *                An existing file at that path is reused.
 * @returns the path of the WAV file
 */
export async function makeTone(freqHz: number, seconds: number, outPath?: string): Promise<string> {
  const file = outPath ?? path.join(AUDIO_CACHE_DIR, `tone-${freqHz}hz-${seconds}s.wav`);
  if (exists(file)) return file;
  mkdirSync(path.dirname(file), { recursive: true });
  // Write beside it and rename, so parallel workers never see a half-written file.
  const tmp = `${file}.${process.pid}.tmp.wav`;
  try {
    await run('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', tmp, 'synth', String(seconds), 'sine', String(freqHz), 'vol', '0.5']);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error('sox is not installed (run scripts/setup.sh, or apt-get install sox)', { cause: error });
    throw error;
  }
  renameSync(tmp, file);
  return file;
}
