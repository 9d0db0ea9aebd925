import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../../../renderer/store/index.js';

describe('guestSlice', () => {
  it('is empty in the member app', () => {
    expect(createAppStore().getState().guest).toBeNull();
  });

  it('patches the guest page only once it exists', () => {
    const store = createAppStore();
    store.getState().updateGuest({ phase: 'form' });
    expect(store.getState().guest).toBeNull();
    store.getState().setGuest({ conversationId: 3, title: '', phase: 'loading', error: null });
    store.getState().updateGuest({ phase: 'form', title: 'Support' });
    expect(store.getState().guest).toEqual({ conversationId: 3, title: 'Support', phase: 'form', error: null });
  });
});
