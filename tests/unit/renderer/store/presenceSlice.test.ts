import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../../../renderer/store/index.js';
import { presenceOf } from '../../../../renderer/store/presenceSlice.js';

describe('presenceSlice', () => {
  it('takes the sync map keyed by string ids and applies changes', () => {
    const store = createAppStore();
    store.getState().setPresenceMap({ '1': 'online', '2': 'dnd', bogus: 'online' });
    expect(store.getState().presence).toEqual({ 1: 'online', 2: 'dnd' });
    store.getState().setPresence(2, 'busy');
    store.getState().setPresence(3, 'online');
    expect(store.getState().presence).toEqual({ 1: 'online', 2: 'busy', 3: 'online' });
  });

  it('treats unknown users as offline', () => {
    expect(presenceOf({}, 42)).toBe('offline');
  });
});
