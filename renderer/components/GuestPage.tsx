import { useId, useState, type FormEvent } from 'react';
import { useAppState, useGuest } from '../app/AppContext.js';
import { GUEST_STATUS } from '../store/guestSlice.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { GroupCallNotice } from './GroupCallNotice.js';
import { GroupCallPanel } from './GroupCallPanel.js';

/** The name form: `Your name`, `Join call`; the name is kept across a refused attempt. */
function GuestNameForm({ busy }: { busy: boolean }) {
  const guest = useGuest();
  const [name, setName] = useState('');
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void guest.join(name.trim());
  };
  return (
    <form className="guest-form" onSubmit={submit}>
      <label htmlFor={`${id}-name`}>Your name</label>
      <input id={`${id}-name`} autoComplete="name" required maxLength={64} value={name} disabled={busy} onChange={(e) => setName(e.target.value)} />
      <button type="submit" className="primary" disabled={busy || !name.trim()}>
        Join call
      </button>
    </form>
  );
}

/**
 * The page a guest link (`#/guest/<id>`) opens: the room's title, a name, `Join call`, then the
 * same group call panel members see. Nothing else of the app is here: no conversations, no
 * composer, no settings.
 */
export function GuestPage() {
  const guest = useGuest();
  const view = useAppState((s) => s.guest);
  const headingId = useId();
  if (!view) return null;
  const { phase } = view;
  const status = GUEST_STATUS[phase];
  return (
    <div className="app guest">
      <ConnectionBanner />
      <main className="guest-page" aria-labelledby={headingId}>
        <div className="guest-card">
          <h1 id={headingId}>{view.title ? `Voice call in ${view.title}` : 'Join a voice call'}</h1>
          {phase === 'form' || phase === 'connecting' ? <p className="hint">You are joining as a guest: no account needed.</p> : null}
          {view.error ? (
            <p role="alert" className="notice">
              {view.error}
            </p>
          ) : null}
          {phase === 'form' || phase === 'connecting' ? <GuestNameForm busy={phase === 'connecting'} /> : null}
          {status && phase !== 'inCall' ? (
            <p role="status" className="guest-status">
              {status}
            </p>
          ) : null}
          {phase === 'left' || phase === 'dropped' ? (
            <button type="button" className="primary" onClick={() => guest.joinAgain()}>
              Join again
            </button>
          ) : null}
        </div>
        <GroupCallNotice />
        {phase === 'inCall' ? <GroupCallPanel title={view.title} onLeave={() => void guest.leave()} /> : null}
      </main>
    </div>
  );
}
