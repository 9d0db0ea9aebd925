import type { Conversation, Message, User } from '../../../../common/protocol/index.js';

export const alice: User = { id: 1, username: 'alice', displayName: 'Alice', role: 'member' };
export const bob: User = { id: 2, username: 'bob', displayName: 'Bob', role: 'member' };

export function message(id: number, overrides: Partial<Message> = {}): Message {
  return {
    id,
    conversationId: 10,
    senderId: bob.id,
    kind: 'text',
    body: `message ${id}`,
    createdAt: 1_000 + id,
    clientId: null,
    ...overrides,
  };
}

export function conversation(overrides: Partial<Conversation> = {}): Conversation {
  return {
    id: 10,
    kind: 'direct',
    title: null,
    guestAccess: false,
    members: [alice, bob],
    createdAt: 1_000,
    lastMessage: null,
    unread: 0,
    lastReadMessageId: 0,
    ...overrides,
  };
}
