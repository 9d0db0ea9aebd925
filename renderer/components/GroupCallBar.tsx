import { useAppState, useGroupCalls } from '../app/AppContext.js';

function participantsText(count: number): string {
  return `${count} ${count === 1 ? 'participant' : 'participants'}`;
}

/**
 * The group call part of a conversation's header: `Start voice call` when there is no call,
 * "Voice call in progress · N participants", who is in it and `Join call` when there is one
 * I am not in.
 */
export function GroupCallBar({ conversationId }: { conversationId: number }) {
  const groupCalls = useGroupCalls();
  const ongoing = useAppState((s) => s.ongoingGroupCalls[conversationId]);
  const inThisCall = useAppState((s) => s.groupCall?.conversationId === conversationId);
  // One call at a time: a 1-on-1 call or another group call keeps these buttons disabled.
  const busy = useAppState((s) => s.groupCall !== null || s.call !== null);

  if (inThisCall) {
    return (
      <div className="group-call-bar">
        <span className="thread-meta">You are in this call{ongoing ? ` · ${participantsText(ongoing.participants.length)}` : ''}</span>
      </div>
    );
  }
  if (!ongoing) {
    return (
      <div className="group-call-bar">
        <button type="button" className="primary" disabled={busy} onClick={() => void groupCalls.start(conversationId)}>
          Start voice call
        </button>
      </div>
    );
  }
  const names = ongoing.participants.map((p) => p.displayName).join(', ');
  return (
    <div className="group-call-bar">
      <span className="group-call-live">Voice call in progress · {participantsText(ongoing.participants.length)}</span>
      {names ? <span className="thread-meta">{names}</span> : null}
      <button type="button" className="accept" disabled={busy} onClick={() => void groupCalls.join(conversationId)}>
        Join call
      </button>
    </div>
  );
}
