import { useId, useState, type FormEvent } from 'react';
import type { User } from '../../common/protocol/index.js';
import { useController } from '../app/AppContext.js';
import { describeError } from '../lib/describeError.js';
import { Dialog } from './Dialog.js';
import { useUserSearch } from './useUserSearch.js';

/** Name a group, pick its members by searching, create it. */
export function NewGroupDialog({ onClose }: { onClose: () => void }) {
  const controller = useController();
  const [title, setTitle] = useState('');
  const [query, setQuery] = useState('');
  const [members, setMembers] = useState<User[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { results, error: searchError } = useUserSearch(controller, query);
  const id = useId();

  const toggle = (user: User, checked: boolean) =>
    setMembers((current) => (checked ? [...current.filter((m) => m.id !== user.id), user] : current.filter((m) => m.id !== user.id)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!title.trim()) return setError('Give the group a name.');
    if (members.length === 0) return setError('Pick at least one member.');
    setBusy(true);
    setError(null);
    try {
      await controller.createGroup(title.trim(), members.map((m) => m.id));
      onClose();
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
    }
  };

  // Selected members stay listed even when the search no longer finds them.
  const shown = [...members, ...results.filter((u) => !members.some((m) => m.id === u.id))];

  return (
    <Dialog title="New group" onClose={onClose}>
      <form onSubmit={submit} className="dialog-form">
        <label htmlFor={`${id}-title`}>Group name</label>
        <input id={`${id}-title`} maxLength={80} value={title} onChange={(e) => setTitle(e.target.value)} />
        <label htmlFor={`${id}-search`}>Search people</label>
        <input id={`${id}-search`} type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
        <ul role="list" aria-label="Members" className="pick-list">
          {shown.map((user) => (
            <li key={user.id}>
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={members.some((m) => m.id === user.id)}
                  onChange={(e) => toggle(user, e.target.checked)}
                />
                {user.displayName} <span className="muted">@{user.username}</span>
              </label>
            </li>
          ))}
        </ul>
        <p className="muted">{members.length === 1 ? '1 member selected' : `${members.length} members selected`}</p>
        {error || searchError ? (
          <p role="alert" className="error">
            {error ?? searchError}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          Create group
        </button>
      </form>
    </Dialog>
  );
}
