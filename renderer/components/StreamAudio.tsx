import { useEffect, useRef } from 'react';

/**
 * Plays a remote stream. Keep it mounted for the stream's life so playback never restarts
 * (Chromium also feeds remote WebRTC audio to WebAudio only while an element plays it).
 */
export function StreamAudio({ stream }: { stream: MediaStream | null }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.srcObject = stream;
  }, [stream]);
  return <audio ref={ref} autoPlay aria-hidden="true" />;
}
