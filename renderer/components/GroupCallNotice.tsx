import { useAppState, useAppStore, useGroupCalls } from '../app/AppContext.js';

/**
 * Group call outcomes and requests ("The call is full", "Muted by host"), until dismissed. The
 * host's "asks you to unmute" comes with an Unmute button: unmuting is always my own action.
 */
export function GroupCallNotice() {
  const notice = useAppState((s) => s.groupNotice);
  const store = useAppStore();
  const groupCalls = useGroupCalls();
  if (!notice) return null;
  return (
    <div className="call-notice group-call-notice" key={notice.id}>
      <span role="alert">{notice.text}</span>
      {notice.kind === 'askToUnmute' ? (
        <button type="button" className="primary" onClick={() => void groupCalls.setMuted(false)}>
          Unmute
        </button>
      ) : null}
      <button type="button" className="ghost" onClick={() => store.getState().dismissGroupNotice()}>
        Dismiss
      </button>
    </div>
  );
}
