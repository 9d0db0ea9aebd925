import { describe, expect, it } from 'vitest';
import {
  conversationName,
  sortedConversations,
  totalUnread,
} from '../../../../renderer/store/conversationsSlice.js';
import { createAppStore } from '../../../../renderer/store/index.js';
import { alice, bob, conversation, message } from './fixtures.js';

describe('conversationsSlice', () => {
  it('replaces conversations on sync and drops a selection that is gone', () => {
    const store = createAppStore();
    store.getState().setConversations([conversation(), conversation({ id: 11 })]);
    store.getState().selectConversation(11);
    store.getState().setConversations([conversation()]);
    expect(Object.keys(store.getState().conversations)).toEqual(['10']);
    expect(store.getState().selectedConversationId).toBeNull();
  });

  it('moves the read marker forward only', () => {
    const store = createAppStore();
    store.getState().setConversations([conversation({ unread: 3, lastReadMessageId: 5 })]);
    store.getState().setRead(10, 0, 8);
    expect(store.getState().conversations[10]).toMatchObject({ unread: 0, lastReadMessageId: 8 });
    store.getState().setRead(10, 2, 6);
    expect(store.getState().conversations[10]).toMatchObject({ unread: 0, lastReadMessageId: 8 });
  });

  it('removes a conversation with its messages and selection', () => {
    const store = createAppStore();
    store.getState().setConversations([conversation()]);
    store.getState().selectConversation(10);
    store.getState().addHistory(10, [message(1)], { direction: 'latest', hasMore: false });
    store.getState().removeConversation(10);
    expect(store.getState().conversations[10]).toBeUndefined();
    expect(store.getState().messages[10]).toBeUndefined();
    expect(store.getState().selectedConversationId).toBeNull();
  });

  it('sums unread, sorts by activity and names direct conversations after the peer', () => {
    const list = {
      10: conversation({ unread: 2, lastMessage: message(1, { createdAt: 50 }) }),
      11: conversation({ id: 11, kind: 'group', title: 'Team', unread: 1, createdAt: 100 }),
    };
    expect(totalUnread(list)).toBe(3);
    expect(sortedConversations(list).map((c) => c.id)).toEqual([11, 10]);
    expect(conversationName(list[10], alice.id)).toBe(bob.displayName);
    expect(conversationName(list[11], alice.id)).toBe('Team');
  });
});
