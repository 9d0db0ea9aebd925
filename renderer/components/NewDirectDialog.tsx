import { useId, useState } from 'react';
import { useController } from '../app/AppContext.js';
import { describeError } from '../lib/describeError.js';
import { Dialog } from './Dialog.js';
import { useUserSearch } from './useUserSearch.js';

/** Find a person by name and open (or create) the direct conversation with them. */
export function NewDirectDialog({ onClose }: { onClose: () => void }) {
  const controller = useController();
  const [query, setQuery] = useState('');
  const [error, setError] = useState<string | null>(null);
  const { results, error: searchError, searching } = useUserSearch(controller, query);
  const id = useId();

  const start = async (userId: number) => {
    setError(null);
    try {
      await controller.createDirect(userId);
      onClose();
    } catch (caught) {
      setError(describeError(caught));
    }
  };

  return (
    <Dialog title="New direct message" onClose={onClose}>
      <label htmlFor={`${id}-search`}>Search people</label>
      <input id={`${id}-search`} type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
      {searchError || error ? (
        <p role="alert" className="error">
          {error ?? searchError}
        </p>
      ) : null}
      <ul role="list" aria-label="People" className="pick-list">
        {results.map((user) => (
          <li key={user.id}>
            <button type="button" onClick={() => void start(user.id)}>
              {user.displayName} <span className="muted">@{user.username}</span>
            </button>
          </li>
        ))}
      </ul>
      {query.trim() && !searching && results.length === 0 && !searchError ? <p className="muted">No one found.</p> : null}
    </Dialog>
  );
}
