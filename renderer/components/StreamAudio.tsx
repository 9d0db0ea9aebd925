import { useEffect, useRef } from 'react';
import { useAppState } from '../app/AppContext.js';
import { createLogger } from '../lib/createLogger.js';

const log = createLogger('audio');

/**
 * Plays a remote stream on the chosen speaker (setSinkId; '' = the system default). Keep it
 * mounted for the stream's life so playback never restarts (Chromium also feeds remote WebRTC
 * audio to WebAudio only while an element plays it). A speaker change applies at once.
 */
export function StreamAudio({ stream }: { stream: MediaStream | null }) {
  const ref = useRef<HTMLAudioElement>(null);
  const sinkId = useAppState((s) => s.activeDevices.speaker);
  useEffect(() => {
    if (ref.current) ref.current.srcObject = stream;
  }, [stream]);
  useEffect(() => {
    const audio = ref.current;
    if (!audio || typeof audio.setSinkId !== 'function' || audio.sinkId === sinkId) return;
    audio.setSinkId(sinkId).catch((error: unknown) => log.warn(`[sink:${sinkId}] cannot play on that speaker`, error));
  }, [sinkId]);
  return <audio ref={ref} autoPlay aria-hidden="true" />;
}
