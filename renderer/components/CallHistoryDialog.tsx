import { useEffect, useState } from 'react';
import { formatDuration } from '../../common/formatDuration.js';
import { useAppState, useCalls } from '../app/AppContext.js';
import { describeError } from '../lib/describeError.js';
import { Dialog } from './Dialog.js';

const OUTCOME_TEXT: Record<string, string> = {
  hangup: 'Completed',
  peer_lost: 'Completed (connection lost)',
  declined: 'Declined',
  busy: 'Busy',
  no_answer: 'No answer',
  cancelled: 'Cancelled',
  offline: 'Offline',
  dnd: 'Do not disturb',
  failed: 'Failed',
  ringing: 'Ringing',
  active: 'In progress',
  ended: 'Group call',
  interrupted: 'Interrupted (server restart)',
};

/** The user's calls, newest first: when, with whom, outcome and duration. */
export function CallHistoryDialog({ onClose }: { onClose: () => void }) {
  const calls = useCalls();
  const history = useAppState((s) => s.callHistory);
  const myId = useAppState((s) => s.me?.id);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    calls.loadHistory().catch((e: unknown) => setError(describeError(e)));
  }, [calls]);
  return (
    <Dialog title="Call history" onClose={onClose}>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      {history.length === 0 ? <p className="muted">No calls yet.</p> : null}
      <ul className="call-history" aria-label="Calls">
        {history.map((call) => {
          const others = call.participants.filter((p) => p.userId !== myId).map((p) => p.displayName);
          const outgoing = call.callerId === myId;
          return (
            <li key={call.callId}>
              <span className="history-who">
                {outgoing ? 'To' : 'From'} {others.join(', ') || 'unknown'}
              </span>
              <span>{OUTCOME_TEXT[call.outcome] ?? call.outcome}</span>
              <span>{call.durationMs > 0 ? formatDuration(call.durationMs) : '—'}</span>
              <time dateTime={new Date(call.startedAt).toISOString()}>{new Date(call.startedAt).toLocaleString()}</time>
            </li>
          );
        })}
      </ul>
    </Dialog>
  );
}
