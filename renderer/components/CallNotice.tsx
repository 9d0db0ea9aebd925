import { useAppState, useAppStore } from '../app/AppContext.js';

/** The outcome of the last call attempt ("Bob is offline", "Call declined"…), until dismissed. */
export function CallNotice() {
  const notice = useAppState((s) => s.callNotice);
  const store = useAppStore();
  if (!notice) return null;
  return (
    <div className="call-notice" key={notice.id}>
      <span role="alert">{notice.text}</span>
      <button type="button" className="ghost" onClick={() => store.getState().dismissCallNotice()}>
        Dismiss
      </button>
    </div>
  );
}
