import type { Me, PublicConfig, User } from '../../common/protocol/index.js';
import type { AppSlice } from './AppState.js';
import { initialConnectionState } from './connectionSlice.js';
import { initialCallState } from './callSlice.js';
import { initialConversationsState } from './conversationsSlice.js';
import { initialGroupCallState } from './groupCallSlice.js';
import { initialMessagesState } from './messagesSlice.js';
import { initialPresenceState } from './presenceSlice.js';

/**
 * - `loading`: reading the stored token at start-up.
 * - `signedOut`: show the sign-in screen.
 * - `signedIn`: a token is held (the socket may still be connecting).
 */
export type AuthStatus = 'loading' | 'signedOut' | 'signedIn';

export interface SessionSlice {
  token: string | null;
  /** The signed-in user; `permissions` stay empty until the first sync.state. */
  me: Me | null;
  authStatus: AuthStatus;
  /** Shown on the sign-in screen, e.g. "Your session expired. Please sign in again." */
  authMessage: string | null;
  /** GET /api/config, once loaded. */
  serverConfig: PublicConfig | null;
  /** A session was obtained (login, register, or a stored token with `user` unknown yet). */
  setSession(token: string, user: User | Me | null): void;
  setMe(me: Me): void;
  setServerConfig(config: PublicConfig): void;
  setAuthMessage(message: string | null): void;
  /** Drop the session and every piece of user data; show the sign-in screen with `message`. */
  signedOut(message?: string | null): void;
}

export const initialSessionState = {
  token: null as string | null,
  me: null as Me | null,
  authStatus: 'loading' as AuthStatus,
  authMessage: null as string | null,
};

export const createSessionSlice: AppSlice<SessionSlice> = (set) => ({
  ...initialSessionState,
  serverConfig: null,
  setSession: (token, user) =>
    set({
      token,
      me: user ? { permissions: [], ...user } : null,
      authStatus: 'signedIn',
      authMessage: null,
    }),
  setMe: (me) => set({ me }),
  setServerConfig: (serverConfig) => set({ serverConfig }),
  setAuthMessage: (authMessage) => set({ authMessage }),
  signedOut: (message = null) =>
    set({
      ...initialSessionState,
      ...initialConversationsState,
      ...initialMessagesState,
      ...initialPresenceState,
      ...initialConnectionState,
      ...initialCallState,
      ...initialGroupCallState,
      authStatus: 'signedOut',
      authMessage: message,
    }),
});
