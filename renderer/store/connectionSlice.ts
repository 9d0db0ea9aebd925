import type { ConnectionState } from '../signaling/SignalingClientTypes.js';
import type { AppSlice } from './AppState.js';

export interface ConnectionSlice {
  /** State of the signaling socket; `closed` while signed out. */
  connection: ConnectionState;
  /** True while a post-(re)connect resync (sync.state + missed messages) is running. */
  syncing: boolean;
  /** The account's state (me, conversations, presence) has come from the server since sign-in. */
  synced: boolean;
  setConnection(state: ConnectionState): void;
  setSyncing(syncing: boolean): void;
  setSynced(): void;
}

export const initialConnectionState = { connection: 'closed' as ConnectionState, syncing: false, synced: false };

export const createConnectionSlice: AppSlice<ConnectionSlice> = (set) => ({
  ...initialConnectionState,
  setConnection: (connection) => set({ connection }),
  setSyncing: (syncing) => set({ syncing }),
  setSynced: () => set({ synced: true }),
});
