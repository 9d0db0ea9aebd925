import type { Conversation, Message } from '../../common/protocol/index.js';
import type { AppSlice } from './AppState.js';

export interface ConversationsSlice {
  /** Conversations the user is a member of, by id. */
  conversations: Record<number, Conversation>;
  /** The conversation shown in the thread view, if any. */
  selectedConversationId: number | null;
  /** Replace all conversations (sync.state). Drops the selection if that conversation is gone. */
  setConversations(conversations: Conversation[]): void;
  /** Add or replace one (conversation.updated, create/join responses). */
  upsertConversation(conversation: Conversation): void;
  /** The user left or was removed (conversation.removed). */
  removeConversation(conversationId: number): void;
  selectConversation(conversationId: number | null): void;
  /** Read marker moved (markRead response, conversation.read). Never moves backward. */
  setRead(conversationId: number, unread: number, lastReadMessageId: number): void;
}

export const initialConversationsState = {
  conversations: {} as Record<number, Conversation>,
  selectedConversationId: null as number | null,
};

export const createConversationsSlice: AppSlice<ConversationsSlice> = (set) => ({
  ...initialConversationsState,
  setConversations: (list) =>
    set((state) => {
      const conversations = Object.fromEntries(list.map((c) => [c.id, c]));
      const selected = state.selectedConversationId;
      return { conversations, selectedConversationId: selected !== null && conversations[selected] ? selected : null };
    }),
  upsertConversation: (conversation) =>
    set((state) => ({ conversations: { ...state.conversations, [conversation.id]: conversation } })),
  removeConversation: (conversationId) =>
    set((state) => {
      const { [conversationId]: _removed, ...conversations } = state.conversations;
      const { [conversationId]: _messages, ...messages } = state.messages;
      const { [conversationId]: _pending, ...pending } = state.pending;
      return {
        conversations,
        messages,
        pending,
        selectedConversationId: state.selectedConversationId === conversationId ? null : state.selectedConversationId,
      };
    }),
  selectConversation: (selectedConversationId) => set({ selectedConversationId }),
  setRead: (conversationId, unread, lastReadMessageId) =>
    set((state) => {
      const conversation = state.conversations[conversationId];
      if (!conversation || lastReadMessageId < conversation.lastReadMessageId) return {};
      return {
        conversations: { ...state.conversations, [conversationId]: { ...conversation, unread, lastReadMessageId } },
      };
    }),
});

/** Conversations for the sidebar: most recent activity first. */
export function sortedConversations(conversations: Record<number, Conversation>): Conversation[] {
  const activity = (c: Conversation) => c.lastMessage?.createdAt ?? c.createdAt;
  return Object.values(conversations).sort((a, b) => activity(b) - activity(a) || b.id - a.id);
}

/** Unread messages across all conversations (badge count). */
export function totalUnread(conversations: Record<number, Conversation>): number {
  return Object.values(conversations).reduce((sum, c) => sum + c.unread, 0);
}

/** The other member of a direct conversation (undefined for groups/rooms or a self-chat). */
export function peerOf(conversation: Conversation, myId: number | undefined) {
  if (conversation.kind !== 'direct') return undefined;
  return conversation.members.find((m) => m.id !== myId);
}

/** The name shown for a conversation: its title, or for direct ones the other person's name. */
export function conversationName(conversation: Conversation, myId: number | undefined): string {
  if (conversation.title) return conversation.title;
  const others = conversation.members.filter((m) => m.id !== myId);
  if (others.length === 0) return conversation.members[0]?.displayName ?? 'Conversation';
  return others.map((m) => m.displayName).join(', ');
}

/** Whether `message` counts toward unread for user `myId` (mirrors the server: text from others). */
export function countsAsUnread(message: Message, myId: number | undefined): boolean {
  return message.kind === 'text' && message.senderId !== null && message.senderId !== myId;
}
