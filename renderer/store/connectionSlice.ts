import type { ConnectionState } from '../signaling/SignalingClientTypes.js';
import type { AppSlice } from './AppState.js';

export interface ConnectionSlice {
  /** State of the signaling socket; `closed` while signed out. */
  connection: ConnectionState;
  /** True while a post-(re)connect resync (sync.state + missed messages) is running. */
  syncing: boolean;
  setConnection(state: ConnectionState): void;
  setSyncing(syncing: boolean): void;
}

export const initialConnectionState = { connection: 'closed' as ConnectionState, syncing: false };

export const createConnectionSlice: AppSlice<ConnectionSlice> = (set) => ({
  ...initialConnectionState,
  setConnection: (connection) => set({ connection }),
  setSyncing: (syncing) => set({ syncing }),
});
