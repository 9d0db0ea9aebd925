import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import type { RoomSummary } from '../../common/protocol/index.js';
import { useController } from '../app/AppContext.js';
import { describeError } from '../lib/describeError.js';
import { Dialog } from './Dialog.js';

/** List the server's rooms (Join / Open) and create a new one. */
export function BrowseRoomsDialog({ onClose }: { onClose: () => void }) {
  const controller = useController();
  const [rooms, setRooms] = useState<RoomSummary[] | null>(null);
  const [title, setTitle] = useState('');
  const [guestAccess, setGuestAccess] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  const refresh = useCallback(() => {
    controller.listRooms().then(setRooms, (caught: unknown) => setError(describeError(caught)));
  }, [controller]);
  useEffect(refresh, [refresh]);

  const run = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      onClose();
    } catch (caught) {
      setError(describeError(caught));
    }
  };

  const create = (event: FormEvent) => {
    event.preventDefault();
    if (!title.trim()) return setError('Give the room a name.');
    void run(() => controller.createRoom(title.trim(), guestAccess));
  };

  return (
    <Dialog title="Browse rooms" onClose={onClose}>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      {rooms === null ? <p className="muted">Loading rooms…</p> : null}
      {rooms?.length === 0 ? <p className="muted">No rooms yet.</p> : null}
      <ul role="list" aria-label="Rooms" className="pick-list rooms">
        {rooms?.map((room) => (
          <li key={room.id}>
            <span className="room-title">{room.title}</span>
            <span className="muted">
              {room.memberCount} {room.memberCount === 1 ? 'member' : 'members'}
              {room.guestAccess ? ' · Guests allowed' : ''}
            </span>
            {room.joined ? (
              <button type="button" onClick={() => void run(() => controller.selectConversation(room.id))}>
                Open
              </button>
            ) : (
              <button type="button" onClick={() => void run(() => controller.joinRoom(room.id))}>
                Join
              </button>
            )}
          </li>
        ))}
      </ul>
      <form onSubmit={create} className="dialog-form create-room">
        <h3>Create a room</h3>
        <label htmlFor={`${id}-title`}>Room name</label>
        <input id={`${id}-title`} maxLength={80} value={title} onChange={(e) => setTitle(e.target.value)} />
        <label className="checkbox">
          <input type="checkbox" checked={guestAccess} onChange={(e) => setGuestAccess(e.target.checked)} />
          Allow guests
        </label>
        <button type="submit" className="primary">
          Create room
        </button>
      </form>
    </Dialog>
  );
}
