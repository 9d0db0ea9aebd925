import { useCallback, useEffect, useRef, useState } from 'react';
import type { DesktopBridge, IncomingRing, RingResponse } from '../../common/bridge.js';
import { describeError } from '../lib/describeError.js';

/**
 * The desktop app's ring window (`#/ring`): a small always-on-top window with who is calling
 * and Accept, Decline, "Busy — call back later". The ring comes from the host
 * (bridge.currentRing) and the answer goes back to it (bridge.answerRing), which relays it to
 * the main window; this page never connects to the server.
 */
export function RingWindow({ bridge }: { bridge: DesktopBridge }) {
  const [ring, setRing] = useState<IncomingRing | null | undefined>(undefined);
  const [answered, setAnswered] = useState<RingResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const shownCallId = useRef<string | null>(null);

  const load = useCallback(() => {
    bridge.currentRing().then(
      (current) => {
        // A new ring in the same window starts with fresh buttons.
        if ((current?.callId ?? null) !== shownCallId.current) setAnswered(null);
        shownCallId.current = current?.callId ?? null;
        setRing(current);
      },
      (e: unknown) => setError(describeError(e)),
    );
  }, [bridge]);

  useEffect(() => {
    load();
    // The host may reuse the window for the next ring: look again whenever it is shown.
    const onVisible = () => document.visibilityState === 'visible' && load();
    window.addEventListener('focus', load);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.removeEventListener('focus', load);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [load]);

  const answer = (response: RingResponse) => {
    if (!ring) return;
    setAnswered(response);
    bridge.answerRing(ring.callId, response).catch((e: unknown) => {
      setAnswered(null);
      setError(describeError(e));
    });
  };

  if (ring === undefined) {
    return (
      <main className="ring-window" aria-label="Incoming call">
        <p role="status">Loading…</p>
      </main>
    );
  }
  if (ring === null) {
    return (
      <main className="ring-window" aria-label="Incoming call">
        <p role="status">No incoming call</p>
      </main>
    );
  }
  return (
    <main className="ring-window" aria-label={`Incoming call from ${ring.callerName}`}>
      <span className="avatar ringing" aria-hidden="true">
        {ring.callerName.slice(0, 1).toUpperCase()}
      </span>
      <p>
        <strong>{ring.callerName}</strong> is calling…
      </p>
      <p role="status" className="muted">
        {answered === 'accept' ? 'Answering…' : answered ? 'Declined' : 'Incoming call'}
      </p>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      <div className="call-actions">
        <button type="button" className="accept" disabled={answered !== null} onClick={() => answer('accept')}>
          Accept
        </button>
        <button type="button" className="danger" disabled={answered !== null} onClick={() => answer('decline')}>
          Decline
        </button>
      </div>
      <button type="button" className="link" disabled={answered !== null} onClick={() => answer('busy')}>
        Busy — call back later
      </button>
    </main>
  );
}
