import { useAppState, useCalls } from '../app/AppContext.js';

/** The ring: who is calling, Accept, Decline, and "Busy — call back later". */
export function IncomingCall() {
  const calls = useCalls();
  const call = useAppState((s) => s.call);
  if (!call || call.phase !== 'incoming') return null;
  return (
    <div className="incoming-backdrop">
      <div className="incoming" role="alertdialog" aria-label={`Incoming call from ${call.peerName}`} aria-describedby="incoming-text">
        <span className="avatar ringing" aria-hidden="true">
          {call.peerName.slice(0, 1).toUpperCase()}
        </span>
        <p id="incoming-text">
          <strong>{call.peerName}</strong> is calling…
        </p>
        <div className="call-actions">
          <button type="button" className="accept" onClick={() => void calls.accept()}>
            Accept
          </button>
          <button type="button" className="danger" onClick={() => void calls.decline(false)}>
            Decline
          </button>
        </div>
        <button type="button" className="link" onClick={() => void calls.decline(true)}>
          Busy — call back later
        </button>
      </div>
    </div>
  );
}
