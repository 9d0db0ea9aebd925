import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppState } from './AppState.js';
import { createCallSlice } from './callSlice.js';
import { createConnectionSlice } from './connectionSlice.js';
import { createConversationsSlice } from './conversationsSlice.js';
import { createDevicesSlice } from './devicesSlice.js';
import { createGroupCallSlice } from './groupCallSlice.js';
import { createGuestSlice } from './guestSlice.js';
import { createMessagesSlice } from './messagesSlice.js';
import { createPresenceSlice } from './presenceSlice.js';
import { createSessionSlice } from './sessionSlice.js';

export type { AppState } from './AppState.js';
export type AppStore = StoreApi<AppState>;

/**
 * Build a fresh store with every slice. The app makes one in main.tsx; each test makes its own.
 * No middleware yet; it would be added here, once (STYLE.md §11).
 */
export function createAppStore(): AppStore {
  return createStore<AppState>()((...args) => ({
    ...createSessionSlice(...args),
    ...createConversationsSlice(...args),
    ...createMessagesSlice(...args),
    ...createPresenceSlice(...args),
    ...createConnectionSlice(...args),
    ...createCallSlice(...args),
    ...createGroupCallSlice(...args),
    ...createGuestSlice(...args),
    ...createDevicesSlice(...args),
  }));
}
