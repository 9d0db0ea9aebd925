import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../../../renderer/store/index.js';
import type { PendingMessage } from '../../../../renderer/store/messagesSlice.js';
import { alice, conversation, message } from './fixtures.js';

function signedInStore() {
  const store = createAppStore();
  store.getState().setSession('token', alice);
  store.getState().setConversations([conversation({ lastMessage: message(2), lastReadMessageId: 2 })]);
  return store;
}

const pending = (clientId: string, body = 'hi'): PendingMessage => ({
  clientId,
  conversationId: 10,
  body,
  createdAt: 5,
  status: 'sending',
  error: null,
});

describe('messagesSlice', () => {
  describe('#addHistory', () => {
    it('keeps messages sorted by id without duplicates', () => {
      const store = signedInStore();
      store.getState().addHistory(10, [message(3), message(4)], { direction: 'latest', hasMore: true });
      store.getState().addHistory(10, [message(1), message(2), message(3)], { direction: 'older', hasMore: false });
      const entry = store.getState().messages[10];
      expect(entry?.messages.map((m) => m.id)).toEqual([1, 2, 3, 4]);
      expect(entry?.hasMore).toBe(false);
      expect(entry?.loaded).toBe(true);
    });

    it('leaves hasMore alone for catch-up pages and does not touch unread', () => {
      const store = signedInStore();
      store.getState().addHistory(10, [message(3)], { direction: 'latest', hasMore: true });
      store.getState().addHistory(10, [message(4), message(5)], { direction: 'newer' });
      expect(store.getState().messages[10]?.hasMore).toBe(true);
      expect(store.getState().conversations[10]?.unread).toBe(0);
    });

    it('settles pending messages the history already contains', () => {
      const store = signedInStore();
      store.getState().addPending(pending('client-aaaa'));
      store.getState().addHistory(10, [message(7, { senderId: alice.id, clientId: 'client-aaaa' })], { direction: 'newer' });
      expect(store.getState().pending[10]).toEqual([]);
    });
  });

  describe('#receiveMessage', () => {
    it('ignores a message it already has (dedup by id)', () => {
      const store = signedInStore();
      expect(store.getState().receiveMessage(message(3))).toBe(true);
      expect(store.getState().receiveMessage(message(3))).toBe(false);
      expect(store.getState().messages[10]?.messages).toHaveLength(1);
      expect(store.getState().conversations[10]?.unread).toBe(1);
    });

    it('replaces the pending message with the same clientId', () => {
      const store = signedInStore();
      store.getState().addPending(pending('client-aaaa', 'first'));
      store.getState().addPending(pending('client-bbbb', 'second'));
      store.getState().receiveMessage(message(3, { senderId: alice.id, clientId: 'client-aaaa', body: 'first' }));
      expect(store.getState().pending[10]?.map((p) => p.clientId)).toEqual(['client-bbbb']);
      // The send response for a message that message.new already delivered still settles it.
      store.getState().addPending(pending('client-cccc'));
      store.getState().receiveMessage(message(4, { senderId: alice.id, clientId: 'client-cccc' }));
      expect(store.getState().receiveMessage(message(4, { senderId: alice.id, clientId: 'client-cccc' }))).toBe(false);
      expect(store.getState().pending[10]?.map((p) => p.clientId)).toEqual(['client-bbbb']);
    });

    it('counts text from others as unread, not own or system messages', () => {
      const store = signedInStore();
      store.getState().receiveMessage(message(3));
      store.getState().receiveMessage(message(4, { senderId: alice.id }));
      store.getState().receiveMessage(message(5, { senderId: null, kind: 'system' }));
      const c = store.getState().conversations[10];
      expect(c?.unread).toBe(1);
      expect(c?.lastMessage?.id).toBe(5);
    });

    it('does not count a message the conversation already lists as its last one', () => {
      const store = signedInStore();
      store.getState().upsertConversation(conversation({ lastMessage: message(6), unread: 1, lastReadMessageId: 2 }));
      store.getState().receiveMessage(message(6));
      expect(store.getState().conversations[10]?.unread).toBe(1);
    });
  });

  describe('pending messages', () => {
    it('can be marked failed and removed', () => {
      const store = signedInStore();
      store.getState().addPending(pending('client-aaaa'));
      store.getState().updatePending(10, 'client-aaaa', { status: 'failed', error: 'nope' });
      expect(store.getState().pending[10]?.[0]).toMatchObject({ status: 'failed', error: 'nope' });
      store.getState().removePending(10, 'client-aaaa');
      expect(store.getState().pending[10]).toEqual([]);
    });
  });
});
