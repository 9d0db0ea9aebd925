import type { PendingMessage } from '../store/messagesSlice.js';

/**
 * Where unsent messages survive a page reload. Entries belong to one user: a different user
 * signing in on the same browser never sees (or sends) them.
 */
export interface OutboxStorage {
  /** The saved pending messages of `userId` (empty when none or another user's). */
  load(userId: number): PendingMessage[];
  /** Save `messages` (all conversations) for `userId`; an empty list clears the entry. */
  save(userId: number, messages: PendingMessage[]): void;
  clear(): void;
}

const KEY = 'earshot:outbox';

/** Outbox in Web Storage (localStorage in the browser); null storage keeps nothing. */
export function createOutboxStorage(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null): OutboxStorage {
  return {
    load(userId) {
      try {
        const raw = storage?.getItem(KEY);
        if (!raw) return [];
        const saved = JSON.parse(raw) as { userId?: unknown; messages?: unknown };
        if (saved.userId !== userId || !Array.isArray(saved.messages)) return [];
        return (saved.messages as PendingMessage[]).filter(
          (m) => typeof m?.clientId === 'string' && typeof m.conversationId === 'number' && typeof m.body === 'string',
        );
      } catch {
        return [];
      }
    },
    save(userId, messages) {
      try {
        if (messages.length === 0) storage?.removeItem(KEY);
        else storage?.setItem(KEY, JSON.stringify({ userId, messages }));
      } catch {
        // Quota or blocked storage: the message still lives in memory until sent.
      }
    },
    clear() {
      try {
        storage?.removeItem(KEY);
      } catch {
        // ignore
      }
    },
  };
}

/** An outbox that keeps nothing (tests, hosts without storage). */
export const memoryOutbox = (): OutboxStorage => {
  let saved: { userId: number; messages: PendingMessage[] } | null = null;
  return {
    load: (userId) => (saved?.userId === userId ? saved.messages : []),
    save: (userId, messages) => {
      saved = messages.length ? { userId, messages } : null;
    },
    clear: () => {
      saved = null;
    },
  };
};
