import type { DesktopBridge } from '../../common/bridge.js';
import { CLOSE_CODES, EarshotError, assertUnreachable } from '../../common/errors.js';
import type {
  ChosenStatus,
  Conversation,
  Message,
  ParsedNotification,
  RoomSummary,
  User,
} from '../../common/protocol/index.js';
import type { HttpApi } from '../api/http.js';
import type { SignalingClient } from '../signaling/SignalingClient.js';
import type { ConnectionState, StateChangeInfo } from '../signaling/SignalingClientTypes.js';
import type { AppStore } from '../store/index.js';
import { conversationName, countsAsUnread, totalUnread } from '../store/conversationsSlice.js';
import type { PendingMessage } from '../store/messagesSlice.js';
import { createClientId } from '../lib/createClientId.js';
import { createLogger, type Logger } from '../lib/createLogger.js';
import { describeError } from '../lib/describeError.js';
import { memoryOutbox, type OutboxStorage } from './outboxStorage.js';
import { guestLink } from './route.js';

export interface AppControllerOptions {
  store: AppStore;
  bridge: DesktopBridge;
  api: HttpApi;
  /** Builds a (not yet connected) client for a token; tests inject one with a fake socket. */
  createClient: (token: string) => SignalingClient;
  /** Whether the page is visible now (document.visibilityState); default: always visible. */
  isPageVisible?: () => boolean;
  /** Clock, ms since epoch. */
  now?: () => number;
  logger?: Logger;
  /** Keeps unsent messages across page reloads; default: in memory only. */
  outbox?: OutboxStorage;
  /**
   * Where the server serves the web client (`http(s)://host[:port][/path]`), for links people
   * share (guest links). Default '': links are relative to the page.
   */
  webClientUrl?: string;
}

/** Size of a history page, and of one catch-up page after a reconnect. */
const PAGE_SIZE = 50;
const CATCH_UP_PAGE_SIZE = 200;

const SIGNED_OUT_TEXT: Record<number, string> = {
  [CLOSE_CODES.UNAUTHENTICATED]: 'Your session has expired. Please sign in again.',
  [CLOSE_CODES.SESSION_REVOKED]: 'You were signed out. Please sign in again.',
};

/**
 * Wires the outside world (HTTP API, signaling client, host bridge) to the store. UI components
 * call its methods; it owns the client's lifetime, the resync after every (re)connect, the
 * outgoing-message queue, read markers, notifications and the badge.
 */
export class AppController {
  readonly store: AppStore;
  readonly #bridge: DesktopBridge;
  readonly #api: HttpApi;
  readonly #createClient: (token: string) => SignalingClient;
  readonly #isPageVisible: () => boolean;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #outbox: OutboxStorage;
  readonly #webClientUrl: string;
  /** The user whose pending messages are being saved (set once sync.state said who we are). */
  #outboxUserId: number | null = null;

  #client: SignalingClient | null = null;
  #unsubscribeClient: (() => void) | null = null;
  /** Bumped on each resync and sign-out, so a stale resync stops writing. */
  #generation = 0;
  /** clientIds with a messages.send in flight (never two sends of one message at once). */
  readonly #sending = new Set<string>();
  /** Highest message id a markRead is in flight for, per conversation. */
  readonly #markingRead = new Map<number, number>();
  #notificationsEnabled = true;
  /** Told about each new signaling client (and null on sign-out), e.g. the call controller. */
  readonly #clientListeners = new Set<(client: SignalingClient | null) => void>();
  #lastBadge = -1;
  readonly #unsubscribeStore: () => void;

  constructor(options: AppControllerOptions) {
    this.store = options.store;
    this.#bridge = options.bridge;
    this.#api = options.api;
    this.#createClient = options.createClient;
    this.#isPageVisible = options.isPageVisible ?? (() => true);
    this.#now = options.now ?? Date.now;
    this.#log = options.logger ?? createLogger('app');
    this.#outbox = options.outbox ?? memoryOutbox();
    this.#webClientUrl = options.webClientUrl ?? '';
    // The badge follows the total unread count, and the saved outbox the pending messages.
    this.#unsubscribeStore = this.store.subscribe((state, previous) => {
      this.#updateBadge(totalUnread(state.conversations));
      if (state.pending !== previous.pending && this.#outboxUserId !== null) {
        this.#outbox.save(this.#outboxUserId, Object.values(state.pending).flat());
      }
    });
  }

  /** Follow the signaling client across sign-ins; called at once with the current one. Returns an unsubscribe. */
  onClient(listener: (client: SignalingClient | null) => void): () => void {
    this.#clientListeners.add(listener);
    listener(this.#client);
    return () => this.#clientListeners.delete(listener);
  }

  /** The current signaling client (null while signed out). */
  get client(): SignalingClient | null {
    return this.#client;
  }

  /** Load settings, config and the stored token; connect when there is one. */
  async start(): Promise<void> {
    const [token, notifications] = await Promise.all([
      this.#bridge.getSessionToken(),
      this.#bridge.getSetting('messageNotifications').catch(() => true),
    ]);
    this.#notificationsEnabled = notifications;
    void this.#api.config().then(
      (config) => this.store.getState().setServerConfig(config),
      (error: unknown) => this.#log.warn('cannot load server config', error),
    );
    if (token) {
      this.store.getState().setSession(token, null);
      this.#connect(token);
    } else {
      this.store.getState().signedOut();
    }
  }

  async signIn(username: string, password: string): Promise<void> {
    const session = await this.#api.login({ username, password });
    await this.#startSession(session.token, session.user);
  }

  async register(username: string, displayName: string, password: string): Promise<void> {
    const session = await this.#api.register({ username, displayName, password });
    await this.#startSession(session.token, session.user);
  }

  /** Revoke the token (best effort), forget it and show the sign-in screen. */
  async signOut(): Promise<void> {
    const token = this.store.getState().token;
    this.#teardown();
    this.#outboxUserId = null;
    this.#outbox.clear();
    await this.#bridge.setSessionToken(null);
    this.store.getState().signedOut();
    if (token) await this.#api.logout(token).catch((error: unknown) => this.#log.warn('logout failed', error));
  }

  /** Stop everything (page unload, tests). */
  dispose(): void {
    this.#teardown();
    this.#unsubscribeStore();
  }

  /** Show a conversation: load its latest page if needed and mark it read. */
  async selectConversation(conversationId: number | null): Promise<void> {
    this.store.getState().selectConversation(conversationId);
    if (conversationId === null) return;
    if (!this.store.getState().messages[conversationId]?.loaded) await this.#loadLatest(conversationId);
    this.#markReadIfVisible(conversationId);
  }

  /** Fetch the page before the oldest loaded message. */
  async loadOlder(conversationId: number): Promise<void> {
    const oldest = this.store.getState().messages[conversationId]?.messages[0];
    const client = this.#requireClient();
    const page = await client.request('messages.history', {
      conversationId,
      limit: PAGE_SIZE,
      ...(oldest ? { before: oldest.id } : {}),
    });
    this.store.getState().addHistory(conversationId, page.messages, { direction: 'older', hasMore: page.hasMore });
  }

  /**
   * Queue a message and try to send it. It shows as pending until the server confirms it; if the
   * connection is down it is sent after the next reconnect with the same clientId, so it is
   * neither lost nor stored twice.
   */
  sendMessage(conversationId: number, body: string): void {
    const text = body.trim();
    if (!text) return;
    const pending: PendingMessage = {
      clientId: createClientId(),
      conversationId,
      body: text,
      createdAt: this.#now(),
      status: 'sending',
      error: null,
    };
    this.store.getState().addPending(pending);
    void this.#deliver(pending);
  }

  /** Try a failed message again (same clientId). */
  retryMessage(conversationId: number, clientId: string): void {
    const state = this.store.getState();
    const pending = state.pending[conversationId]?.find((p) => p.clientId === clientId);
    if (!pending) return;
    state.updatePending(conversationId, clientId, { status: 'sending', error: null });
    void this.#deliver(pending);
  }

  discardMessage(conversationId: number, clientId: string): void {
    this.store.getState().removePending(conversationId, clientId);
  }

  async setPresence(status: ChosenStatus): Promise<void> {
    const result = await this.#requireClient().request('presence.set', { status });
    const me = this.store.getState().me;
    if (me) this.store.getState().setPresence(me.id, result.status);
  }

  async searchUsers(query: string): Promise<User[]> {
    if (!query.trim()) return [];
    const { users } = await this.#requireClient().request('users.search', { query });
    const myId = this.store.getState().me?.id;
    return users.filter((u) => u.id !== myId);
  }

  async createDirect(userId: number): Promise<Conversation> {
    const { conversation } = await this.#requireClient().request('conversations.createDirect', { userId });
    return this.#openNew(conversation);
  }

  async createGroup(title: string, memberIds: number[]): Promise<Conversation> {
    const { conversation } = await this.#requireClient().request('conversations.createGroup', { title, memberIds });
    return this.#openNew(conversation);
  }

  async createRoom(title: string, guestAccess: boolean): Promise<Conversation> {
    const { conversation } = await this.#requireClient().request('conversations.createRoom', { title, guestAccess });
    return this.#openNew(conversation);
  }

  /** The link that lets guests into a guest-enabled room's call (`…/#/guest/<id>`). */
  guestLink(conversationId: number): string {
    return guestLink(this.#webClientUrl, conversationId);
  }

  async listRooms(): Promise<RoomSummary[]> {
    const { rooms } = await this.#requireClient().request('conversations.listRooms', {});
    return rooms;
  }

  async joinRoom(conversationId: number): Promise<Conversation> {
    const { conversation } = await this.#requireClient().request('conversations.join', { conversationId });
    return this.#openNew(conversation);
  }

  async leaveConversation(conversationId: number): Promise<void> {
    await this.#requireClient().request('conversations.leave', { conversationId });
    this.store.getState().removeConversation(conversationId);
  }

  /** The page became visible or hidden (visibilitychange). */
  setPageVisible(visible: boolean): void {
    const selected = this.store.getState().selectedConversationId;
    if (visible && selected !== null) this.#markReadIfVisible(selected);
  }

  /** The browser says the network is back: skip the backoff wait. */
  networkOnline(): void {
    this.#client?.reconnectNow();
  }

  async #startSession(token: string, user: User): Promise<void> {
    await this.#bridge.setSessionToken(token);
    this.store.getState().setSession(token, user);
    this.#connect(token);
  }

  #connect(token: string): void {
    this.#teardown();
    const client = this.#createClient(token);
    this.#client = client;
    const offs = [
      client.on('state', (state, info) => this.#onState(client, state, info)),
      client.on('connected', () => void this.resync()),
      client.on('notification', (notification) => this.#onNotification(notification)),
    ];
    this.#unsubscribeClient = () => offs.forEach((off) => off());
    for (const listener of this.#clientListeners) listener(client);
    client.connect();
  }

  #teardown(): void {
    this.#generation++;
    this.#unsubscribeClient?.();
    this.#unsubscribeClient = null;
    this.#client?.close();
    const hadClient = this.#client !== null;
    this.#client = null;
    if (hadClient) for (const listener of this.#clientListeners) listener(null);
    this.#sending.clear();
    this.#markingRead.clear();
  }

  #onState(client: SignalingClient, state: ConnectionState, info: StateChangeInfo): void {
    if (client !== this.#client) return;
    this.store.getState().setConnection(state);
    if (state === 'unauthenticated') {
      // The token is dead: forget it and ask for a new sign-in. The saved outbox stays: the
      // same user signing in again gets those messages sent.
      this.#teardown();
      this.#outboxUserId = null;
      void this.#bridge.setSessionToken(null);
      this.store.getState().signedOut(SIGNED_OUT_TEXT[info.code ?? 0] ?? SIGNED_OUT_TEXT[CLOSE_CODES.UNAUTHENTICATED]);
    }
  }

  /**
   * Bring the store up to date after a (re)connect: sync.state, then for every conversation
   * with loaded history the messages after the last one we hold (paging while hasMore), then
   * resend pending messages. Safe to call twice: a newer resync makes the older one stop.
   */
  async resync(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    const generation = ++this.#generation;
    const current = () => generation === this.#generation && client === this.#client;
    const store = this.store;
    store.getState().setSyncing(true);
    try {
      const sync = await client.request('sync.state', {});
      if (!current()) return;
      const present = new Set(sync.conversations.map((c) => c.id));
      for (const id of Object.keys(store.getState().conversations).map(Number)) {
        if (!present.has(id)) store.getState().removeConversation(id);
      }
      store.getState().setMe(sync.me);
      store.getState().setConversations(sync.conversations);
      store.getState().setOngoingGroupCalls(sync.groupCalls);
      store.getState().setPresenceMap(sync.presence);
      store.getState().setSynced();
      this.#restoreOutbox(sync.me.id, present);

      for (const [key, entry] of Object.entries(store.getState().messages)) {
        const conversationId = Number(key);
        if (!entry.loaded || !present.has(conversationId)) continue;
        const last = entry.messages.at(-1);
        if (!last) {
          await this.#loadLatest(conversationId);
          continue;
        }
        let after = last.id;
        for (;;) {
          const page = await client.request('messages.history', { conversationId, after, limit: CATCH_UP_PAGE_SIZE });
          if (!current()) return;
          store.getState().addHistory(conversationId, page.messages, { direction: 'newer' });
          const newest = page.messages.at(-1);
          if (!page.hasMore || !newest) break;
          after = newest.id;
        }
      }

      // Resend in the order they were written; the same clientId makes a resend harmless.
      for (const list of Object.values(store.getState().pending)) {
        for (const pending of list) {
          if (pending.status === 'sending') await this.#deliver(pending);
          if (!current()) return;
        }
      }

      const selected = store.getState().selectedConversationId;
      if (selected !== null) {
        if (!store.getState().messages[selected]?.loaded) await this.#loadLatest(selected);
        this.#markReadIfVisible(selected);
      }
    } catch (error) {
      // DISCONNECTED: the next `connected` runs a fresh resync.
      if (!(error instanceof EarshotError && error.code === 'DISCONNECTED')) this.#log.error('resync failed', error);
    } finally {
      if (current()) store.getState().setSyncing(false);
    }
  }

  /** Bring back messages left unsent by an earlier page (reload, crash) of the same user. */
  #restoreOutbox(userId: number, conversationIds: Set<number>): void {
    if (this.#outboxUserId === userId) return;
    this.#outboxUserId = userId;
    const state = this.store.getState();
    for (const saved of this.#outbox.load(userId)) {
      if (!conversationIds.has(saved.conversationId)) continue;
      if (state.pending[saved.conversationId]?.some((p) => p.clientId === saved.clientId)) continue;
      this.store.getState().addPending({ ...saved, status: 'sending', error: null });
    }
  }

  #onNotification(notification: ParsedNotification): void {
    const state = this.store.getState();
    switch (notification.event) {
      case 'message.new':
        this.#onMessage(notification.data.message);
        return;
      case 'conversation.updated':
        state.upsertConversation(notification.data.conversation);
        return;
      case 'conversation.removed':
        state.removeConversation(notification.data.conversationId);
        return;
      case 'conversation.read':
        state.setRead(notification.data.conversationId, notification.data.unread, notification.data.lastReadMessageId);
        return;
      case 'presence.changed':
        state.setPresence(notification.data.userId, notification.data.status);
        return;
      case 'protocol.error':
        this.#log.warn(`[code:${notification.data.code}] server reported a protocol error`, notification.data.message);
        return;
      case 'call.incoming':
      case 'call.ringing':
      case 'call.accepted':
      case 'call.ended':
      case 'call.signal':
      case 'call.peer':
      case 'call.missed':
      case 'group.updated':
      case 'group.newConsumer':
      case 'group.consumerClosed':
      case 'group.speakers':
      case 'group.hostAction':
      case 'group.rejoin':
        // Calls are the call engine's: it subscribes to the client's notifications itself.
        return;
      default:
        assertUnreachable(notification);
    }
  }

  #onMessage(message: Message): void {
    const inserted = this.store.getState().receiveMessage(message);
    if (!inserted) return;
    const state = this.store.getState();
    const open = this.#isPageVisible() && state.selectedConversationId === message.conversationId;
    if (open) {
      this.#markReadIfVisible(message.conversationId);
      return;
    }
    const me = state.me;
    if (!countsAsUnread(message, me?.id) || !this.#notificationsEnabled) return;
    if (me && state.presence[me.id] === 'dnd') return;
    const conversation = state.conversations[message.conversationId];
    const sender = conversation?.members.find((m) => m.id === message.senderId)?.displayName ?? 'New message';
    const title =
      conversation && conversation.kind !== 'direct' ? `${sender} in ${conversationName(conversation, me?.id)}` : sender;
    void this.#bridge
      .notify({ title, body: message.body.slice(0, 200), tag: `conversation:${message.conversationId}` })
      .catch((error: unknown) => this.#log.warn('notify failed', error));
  }

  async #deliver(pending: PendingMessage): Promise<void> {
    const client = this.#client;
    // Not connected: it stays pending and resync() sends it after the reconnect.
    if (!client || client.state !== 'connected' || this.#sending.has(pending.clientId)) return;
    this.#sending.add(pending.clientId);
    try {
      const { message } = await client.request('messages.send', {
        conversationId: pending.conversationId,
        clientId: pending.clientId,
        body: pending.body,
      });
      if (client === this.#client) this.#onMessage(message);
    } catch (error) {
      if (client !== this.#client) return;
      if (error instanceof EarshotError && error.code === 'DISCONNECTED') return; // resent after reconnect
      this.store.getState().updatePending(pending.conversationId, pending.clientId, {
        status: 'failed',
        error: describeError(error),
      });
      this.#log.warn(`[clientId:${pending.clientId}] send failed`, error);
    } finally {
      this.#sending.delete(pending.clientId);
    }
  }

  async #loadLatest(conversationId: number): Promise<void> {
    const client = this.#client;
    if (!client || client.state !== 'connected') return;
    try {
      const page = await client.request('messages.history', { conversationId, limit: PAGE_SIZE });
      if (client !== this.#client) return;
      this.store.getState().addHistory(conversationId, page.messages, { direction: 'latest', hasMore: page.hasMore });
    } catch (error) {
      this.#log.warn(`[conversation:${conversationId}] cannot load history`, error);
    }
  }

  /** Move the read marker to the newest message when the conversation is on screen. */
  #markReadIfVisible(conversationId: number): void {
    const state = this.store.getState();
    const client = this.#client;
    if (!client || client.state !== 'connected') return;
    if (!this.#isPageVisible() || state.selectedConversationId !== conversationId) return;
    const conversation = state.conversations[conversationId];
    if (!conversation) return;
    const loaded = state.messages[conversationId]?.messages ?? [];
    const newest = Math.max(conversation.lastMessage?.id ?? 0, loaded.at(-1)?.id ?? 0);
    if (newest <= conversation.lastReadMessageId || conversation.unread === 0) {
      // Nothing unread from others: only markers would move, no need to ask.
      const unseen = loaded.some((m) => m.id > conversation.lastReadMessageId && countsAsUnread(m, state.me?.id));
      if (!unseen) return;
    }
    if ((this.#markingRead.get(conversationId) ?? 0) >= newest) return;
    this.#markingRead.set(conversationId, newest);
    client
      .request('conversations.markRead', { conversationId, messageId: newest })
      .then(
        (result) => {
          if (client === this.#client) this.store.getState().setRead(conversationId, result.unread, result.lastReadMessageId);
        },
        (error: unknown) => this.#log.warn(`[conversation:${conversationId}] markRead failed`, error),
      )
      .finally(() => {
        if (this.#markingRead.get(conversationId) === newest) this.#markingRead.delete(conversationId);
      });
  }

  #openNew(conversation: Conversation): Conversation {
    this.store.getState().upsertConversation(conversation);
    void this.selectConversation(conversation.id);
    return conversation;
  }

  #requireClient(): SignalingClient {
    if (!this.#client || this.#client.state !== 'connected') throw new EarshotError('DISCONNECTED', 'not connected');
    return this.#client;
  }

  #updateBadge(count: number): void {
    if (count === this.#lastBadge) return;
    this.#lastBadge = count;
    void this.#bridge.setBadgeCount(count).catch((error: unknown) => this.#log.warn('badge update failed', error));
  }
}
