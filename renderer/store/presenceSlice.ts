import type { PresenceStatus } from '../../common/protocol/index.js';
import type { AppSlice } from './AppState.js';

export interface PresenceSlice {
  /** Presence by user id of everyone the user shares a conversation with (and the user). */
  presence: Record<number, PresenceStatus>;
  /** Replace everything (sync.state sends the map keyed by user id as a string). */
  setPresenceMap(presence: Record<string, PresenceStatus>): void;
  setPresence(userId: number, status: PresenceStatus): void;
}

export const initialPresenceState = { presence: {} as Record<number, PresenceStatus> };

export const createPresenceSlice: AppSlice<PresenceSlice> = (set) => ({
  ...initialPresenceState,
  setPresenceMap: (map) => {
    const presence: Record<number, PresenceStatus> = {};
    for (const [key, status] of Object.entries(map)) {
      const id = Number(key);
      if (Number.isSafeInteger(id) && id > 0) presence[id] = status;
    }
    set({ presence });
  },
  setPresence: (userId, status) => set((state) => ({ presence: { ...state.presence, [userId]: status } })),
});

/** A user's presence; unknown users count as offline. */
export function presenceOf(presence: Record<number, PresenceStatus>, userId: number): PresenceStatus {
  return presence[userId] ?? 'offline';
}

/** Presence as shown to people: text, never colour alone (STYLE.md §14). */
export const PRESENCE_LABELS: Record<PresenceStatus, string> = {
  online: 'Online',
  offline: 'Offline',
  busy: 'Busy',
  dnd: 'Do not disturb',
};
