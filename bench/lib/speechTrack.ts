import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { AUDIO_CACHE_DIR } from '../../tests/helpers/tones.js';

const run = promisify(execFile);

/** About twenty seconds of ordinary speech at espeak-ng's default rate, pauses included. */
const TEXT = [
  'Hello, this is a test call from Earshot.',
  'I am reading a short paragraph so that the microphone carries ordinary speech, with the pauses people make between sentences.',
  'The weather was clear this morning, and the train into town was almost on time.',
  'Could you send me the figures from last week before the meeting on Thursday?',
  'Thank you, and talk to you soon.',
].join(' ');

/**
 * Speech from espeak-ng (voice en-us), converted with sox to a 48 kHz mono 16-bit WAV
 * normalised to −3 dBFS peak. Cached in .cache/audio. Needs espeak-ng and sox.
 * @returns the WAV's path and its length in seconds
 */
export async function makeSpeechTrack(): Promise<{ file: string; seconds: number }> {
  const file = path.join(AUDIO_CACHE_DIR, 'speech-en-us-48k.wav');
  let ready = false;
  try {
    ready = statSync(file).size > 44;
  } catch {
    // Not made yet.
  }
  if (!ready) {
    mkdirSync(AUDIO_CACHE_DIR, { recursive: true });
    const dir = mkdtempSync(path.join(AUDIO_CACHE_DIR, 'speech-'));
    try {
      const raw = path.join(dir, 'raw.wav');
      const out = path.join(dir, 'out.wav');
      await run('espeak-ng', ['-v', 'en-us', '-w', raw, TEXT]);
      await run('sox', [raw, '-r', '48000', '-c', '1', '-b', '16', out, 'norm', '-3']);
      renameSync(out, file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const { stdout } = await run('soxi', ['-D', file]);
  return { file, seconds: Number(stdout.trim()) };
}
