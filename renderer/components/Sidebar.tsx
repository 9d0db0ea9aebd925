import { useId, useState } from 'react';
import type { ChosenStatus } from '../../common/protocol/index.js';
import { useAppState, useController } from '../app/AppContext.js';
import { describeError } from '../lib/describeError.js';
import { ConversationList } from './ConversationList.js';
import type { MainDialog } from './MainScreen.js';

/** Who I am, my status, sign-out, the "new conversation" actions and the conversation list. */
export function Sidebar({ onOpenDialog }: { onOpenDialog: (dialog: MainDialog) => void }) {
  const controller = useController();
  const me = useAppState((s) => s.me);
  const myPresence = useAppState((s) => (s.me ? s.presence[s.me.id] : undefined));
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const chosen: ChosenStatus = myPresence === 'dnd' ? 'dnd' : 'online';

  const changeStatus = async (status: ChosenStatus) => {
    setError(null);
    try {
      await controller.setPresence(status);
    } catch (caught) {
      setError(describeError(caught));
    }
  };

  return (
    <aside className="sidebar" aria-label="Sidebar">
      <div className="me">
        <div className="me-name">
          <span className="avatar" aria-hidden="true">
            {(me?.displayName ?? '?').slice(0, 1).toUpperCase()}
          </span>
          <div>
            <div className="me-display">{me?.displayName ?? 'Loading…'}</div>
            {me ? <div className="me-username">@{me.username}</div> : null}
          </div>
        </div>
        <div className="me-controls">
          <label htmlFor={`${id}-status`}>Status</label>
          <select id={`${id}-status`} value={chosen} onChange={(e) => void changeStatus(e.target.value as ChosenStatus)}>
            <option value="online">Online</option>
            <option value="dnd">Do not disturb</option>
          </select>
          <button type="button" className="ghost" onClick={() => void controller.signOut()}>
            Sign out
          </button>
        </div>
        {error ? (
          <p role="alert" className="error">
            {error}
          </p>
        ) : null}
      </div>
      <div className="sidebar-actions">
        <button type="button" onClick={() => onOpenDialog('direct')}>
          New direct message
        </button>
        <button type="button" onClick={() => onOpenDialog('group')}>
          New group
        </button>
        <button type="button" onClick={() => onOpenDialog('rooms')}>
          Browse rooms
        </button>
        <button type="button" onClick={() => onOpenDialog('history')}>
          Call history
        </button>
        <button type="button" onClick={() => onOpenDialog('settings')}>
          Settings
        </button>
      </div>
      <ConversationList />
    </aside>
  );
}
