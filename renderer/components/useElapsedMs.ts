import { useEffect, useState } from 'react';

/** Milliseconds since `since` (ms since epoch), re-rendering twice a second; null before it starts. */
export function useElapsedMs(since: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (since === null) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [since]);
  return since === null ? null : Math.max(0, now - since);
}
