import type { StateCreator } from 'zustand';
import type { CallSlice } from './callSlice.js';
import type { ConnectionSlice } from './connectionSlice.js';
import type { ConversationsSlice } from './conversationsSlice.js';
import type { DevicesSlice } from './devicesSlice.js';
import type { GroupCallSlice } from './groupCallSlice.js';
import type { GuestSlice } from './guestSlice.js';
import type { MessagesSlice } from './messagesSlice.js';
import type { PresenceSlice } from './presenceSlice.js';
import type { SessionSlice } from './sessionSlice.js';

/** The whole renderer state: every slice combined (store/index.ts). */
export type AppState = SessionSlice & ConversationsSlice & MessagesSlice & PresenceSlice & ConnectionSlice & CallSlice & GroupCallSlice & GuestSlice & DevicesSlice;

/** How each slice is typed (STYLE.md §11): it sees the whole state, owns its own part. */
export type AppSlice<T> = StateCreator<AppState, [], [], T>;
