import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../../../renderer/store/index.js';
import { alice, conversation } from './fixtures.js';

describe('sessionSlice', () => {
  it('starts loading, then holds the session', () => {
    const store = createAppStore();
    expect(store.getState().authStatus).toBe('loading');
    store.getState().setSession('t', alice);
    expect(store.getState()).toMatchObject({ token: 't', authStatus: 'signedIn', me: { id: 1, permissions: [] } });
  });

  it('clears every slice on sign-out and keeps the message for the sign-in screen', () => {
    const store = createAppStore();
    store.getState().setSession('t', alice);
    store.getState().setConversations([conversation()]);
    store.getState().setPresence(2, 'online');
    store.getState().setConnection('connected');
    store.getState().signedOut('Your session has expired.');
    const state = store.getState();
    expect(state).toMatchObject({ token: null, me: null, authStatus: 'signedOut', authMessage: 'Your session has expired.' });
    expect(state.conversations).toEqual({});
    expect(state.presence).toEqual({});
    expect(state.connection).toBe('closed');
  });

  it('gives every test a fresh store', () => {
    expect(createAppStore().getState().conversations).toEqual({});
  });
});
