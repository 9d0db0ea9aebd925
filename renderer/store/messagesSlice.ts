import type { Message } from '../../common/protocol/index.js';
import type { AppSlice } from './AppState.js';
import { countsAsUnread } from './conversationsSlice.js';

/** An outgoing message not yet confirmed by the server. */
export interface PendingMessage {
  /** Idempotency key; a resend reuses it so the server stores the message once. */
  clientId: string;
  conversationId: number;
  body: string;
  /** When the user hit Send, ms since epoch. */
  createdAt: number;
  /** `sending`: in flight or waiting for the connection; `failed`: the server refused or timed out. */
  status: 'sending' | 'failed';
  /** Why it failed (shown next to the message). */
  error: string | null;
}

/** Loaded history of one conversation. */
export interface ConversationMessages {
  /** Confirmed messages, ascending by id, no duplicates. */
  messages: Message[];
  /** Older messages exist on the server (show "Load older messages"). */
  hasMore: boolean;
  /** The latest page was fetched, so this conversation is caught up on resync with `after`. */
  loaded: boolean;
}

/** Which history page was merged: the latest page, an older page (`before`), or catch-up (`after`). */
export type HistoryPage = { direction: 'latest' | 'older'; hasMore: boolean } | { direction: 'newer' };

export interface MessagesSlice {
  messages: Record<number, ConversationMessages>;
  /** Outgoing messages by conversation, in the order they were sent. */
  pending: Record<number, PendingMessage[]>;
  /** Merge a page from messages.history. Does not touch unread (sync.state already counts them). */
  addHistory(conversationId: number, messages: Message[], page: HistoryPage): void;
  /**
   * Merge one live message (message.new or a send response): dedup by id, settle the pending
   * message with the same clientId, bump the conversation's lastMessage and unread.
   * Returns false when the message was already known.
   */
  receiveMessage(message: Message): boolean;
  addPending(message: PendingMessage): void;
  updatePending(conversationId: number, clientId: string, patch: Partial<Pick<PendingMessage, 'status' | 'error'>>): void;
  removePending(conversationId: number, clientId: string): void;
}

export const initialMessagesState = {
  messages: {} as Record<number, ConversationMessages>,
  pending: {} as Record<number, PendingMessage[]>,
};

const EMPTY: ConversationMessages = { messages: [], hasMore: false, loaded: false };

/** Merge `incoming` into the ascending list `existing`, dropping duplicate ids. */
export function mergeMessages(existing: Message[], incoming: Message[]): Message[] {
  const known = new Set(existing.map((m) => m.id));
  const fresh = incoming.filter((m) => {
    if (known.has(m.id)) return false;
    known.add(m.id);
    return true;
  });
  if (fresh.length === 0) return existing;
  return [...existing, ...fresh].sort((a, b) => a.id - b.id);
}

/** Pending messages minus those whose clientId the server has now confirmed. */
function settle(pending: PendingMessage[] | undefined, confirmed: Message[]): PendingMessage[] | undefined {
  if (!pending) return pending;
  const ids = new Set(confirmed.map((m) => m.clientId).filter((id) => id !== null));
  if (ids.size === 0) return pending;
  const left = pending.filter((p) => !ids.has(p.clientId));
  return left.length === pending.length ? pending : left;
}

export const createMessagesSlice: AppSlice<MessagesSlice> = (set, get) => ({
  ...initialMessagesState,

  addHistory: (conversationId, incoming, page) =>
    set((state) => {
      const current = state.messages[conversationId] ?? EMPTY;
      const next: ConversationMessages = { ...current, messages: mergeMessages(current.messages, incoming) };
      if (page.direction === 'latest') {
        next.loaded = true;
        // A refetch of the latest page keeps what older pages already revealed.
        next.hasMore = current.loaded ? current.hasMore : page.hasMore;
      } else if (page.direction === 'older') {
        next.hasMore = page.hasMore;
      }
      const pending = settle(state.pending[conversationId], incoming);
      return {
        messages: { ...state.messages, [conversationId]: next },
        pending: pending ? { ...state.pending, [conversationId]: pending } : state.pending,
      };
    }),

  receiveMessage: (message) => {
    const state = get();
    const current = state.messages[message.conversationId] ?? EMPTY;
    if (current.messages.some((m) => m.id === message.id)) {
      // Known already (e.g. message.new beat the send response): still settle its pending twin.
      if (message.clientId !== null) state.removePending(message.conversationId, message.clientId);
      return false;
    }
    const update: Partial<typeof state> = {
      messages: {
        ...state.messages,
        [message.conversationId]: { ...current, messages: mergeMessages(current.messages, [message]) },
      },
    };
    const pending = settle(state.pending[message.conversationId], [message]);
    if (pending) update.pending = { ...state.pending, [message.conversationId]: pending };
    const conversation = state.conversations[message.conversationId];
    if (conversation) {
      const isNewer = !conversation.lastMessage || conversation.lastMessage.id < message.id;
      const unreadBump =
        countsAsUnread(message, state.me?.id) && message.id > conversation.lastReadMessageId ? 1 : 0;
      // A message only shows up live once, but a stale lastMessage from conversation.updated
      // may already include it: only count what is newer than what we knew.
      update.conversations = {
        ...state.conversations,
        [message.conversationId]: {
          ...conversation,
          lastMessage: isNewer ? message : conversation.lastMessage,
          unread: conversation.unread + (isNewer ? unreadBump : 0),
        },
      };
    }
    set(update);
    return true;
  },

  addPending: (message) =>
    set((state) => ({
      pending: { ...state.pending, [message.conversationId]: [...(state.pending[message.conversationId] ?? []), message] },
    })),

  updatePending: (conversationId, clientId, patch) =>
    set((state) => {
      const list = state.pending[conversationId];
      if (!list?.some((p) => p.clientId === clientId)) return {};
      return {
        pending: { ...state.pending, [conversationId]: list.map((p) => (p.clientId === clientId ? { ...p, ...patch } : p)) },
      };
    }),

  removePending: (conversationId, clientId) =>
    set((state) => {
      const list = state.pending[conversationId];
      if (!list?.some((p) => p.clientId === clientId)) return {};
      return { pending: { ...state.pending, [conversationId]: list.filter((p) => p.clientId !== clientId) } };
    }),
});
