import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Conversation, Message } from '../../../../common/protocol/index.js';
import type { HttpApi } from '../../../../renderer/api/http.js';
import { AppController } from '../../../../renderer/app/AppController.js';
import { memoryOutbox, type OutboxStorage } from '../../../../renderer/app/outboxStorage.js';
import { silentLogger } from '../../../../renderer/lib/createLogger.js';
import { SignalingClient } from '../../../../renderer/signaling/SignalingClient.js';
import { createAppStore } from '../../../../renderer/store/index.js';
import { fakeSockets, memoryBridge, type FakeSocket, type SentRequest } from '../fakes.js';
import { alice, bob, conversation, message } from '../store/fixtures.js';

/** A scripted server: every request is answered by `handle` on a microtask. */
function serve(socket: FakeSocket, handle: (request: SentRequest) => unknown) {
  socket.onRequest = (request) => {
    queueMicrotask(() => {
      if (socket.readyState !== 1) return;
      socket.respond(request.id, handle(request));
    });
  };
}

const me = { ...alice, permissions: ['message.send' as const] };

function setup(options: { token?: string | null; visible?: boolean; outbox?: OutboxStorage } = {}) {
  const factory = fakeSockets();
  const { bridge, state: bridgeState } = memoryBridge(options.token === undefined ? 'stored-token' : options.token);
  const api: HttpApi = {
    config: async () => ({ registrationOpen: true, serverName: 'Test' }),
    login: vi.fn(async () => ({ token: 'fresh', expiresAt: 0, user: alice })),
    register: vi.fn(async () => ({ token: 'fresh', expiresAt: 0, user: alice })),
    logout: vi.fn(async () => {}),
    guestRoom: vi.fn(async () => ({ conversationId: 10, title: 'Room' })),
    guest: vi.fn(async () => ({ token: 'guest', expiresAt: 0, user: alice })),
  };
  const store = createAppStore();
  const controller = new AppController({
    store,
    bridge,
    api,
    createClient: (token) =>
      new SignalingClient({
        url: 'ws://server/ws',
        token,
        createSocket: factory.create,
        backoff: { random: () => 1 },
        logger: silentLogger,
      }),
    isPageVisible: () => options.visible ?? true,
    logger: silentLogger,
    ...(options.outbox ? { outbox: options.outbox } : {}),
  });
  return { controller, store, factory, bridgeState, api };
}

/** Let queued microtasks and zero-delay timers run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('AppController', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('connects with the stored token and loads sync.state', async () => {
    const { controller, store, factory } = setup();
    await controller.start();
    expect(store.getState().synced).toBe(false);
    const socket = factory.last();
    expect(socket.protocols).toEqual(['earshot.v1', 'token.stored-token']);
    serve(socket, () => ({ me, conversations: [conversation({ unread: 2 })], presence: { '2': 'dnd' } }));
    socket.open();
    await settle();
    const state = store.getState();
    expect(state.connection).toBe('connected');
    expect(state.me?.permissions).toEqual(['message.send']);
    expect(state.conversations[10]?.unread).toBe(2);
    expect(state.presence[bob.id]).toBe('dnd');
    expect(state.synced).toBe(true);
  });

  it('shows the sign-in screen when no token is stored', async () => {
    const { controller, store, factory } = setup({ token: null });
    await controller.start();
    expect(store.getState().authStatus).toBe('signedOut');
    expect(factory.sockets).toHaveLength(0);
  });

  it('after a reconnect fetches the missed messages with `after`, page by page', async () => {
    const { controller, store, factory } = setup();
    await controller.start();
    const history: Message[] = [1, 2, 3, 4, 5].map((id) => message(id));
    let conversations: Conversation[] = [conversation({ lastMessage: message(2), lastReadMessageId: 2 })];
    const handler = (request: SentRequest) => {
      switch (request.method) {
        case 'sync.state':
          return { me, conversations, presence: {} };
        case 'messages.history': {
          const after = request.data.after as number | undefined;
          if (after === undefined) return { messages: history.slice(0, 2), hasMore: false };
          const newer = history.filter((m) => m.id > after);
          return { messages: newer.slice(0, 2), hasMore: newer.length > 2 };
        }
        case 'conversations.markRead':
          return { unread: 0, lastReadMessageId: request.data.messageId };
        default:
          throw new Error(`unexpected ${request.method}`);
      }
    };
    serve(factory.last(), handler);
    factory.last().open();
    await settle();
    // Open the conversation: its latest page is loaded (nothing unread yet).
    await controller.selectConversation(10);
    expect(store.getState().messages[10]?.messages.map((m) => m.id)).toEqual([1, 2]);

    // The connection drops; three messages arrive on the server meanwhile.
    factory.last().serverClose(1006);
    expect(store.getState().connection).toBe('reconnecting');
    conversations = [conversation({ lastMessage: message(5), unread: 3, lastReadMessageId: 2 })];
    await vi.advanceTimersByTimeAsync(250);
    const second = factory.last();
    expect(factory.sockets).toHaveLength(2);
    serve(second, handler);
    second.open();
    await settle();

    const historyCalls = second.sent.filter((r) => r.method === 'messages.history').map((r) => r.data.after);
    expect(historyCalls).toEqual([2, 4]);
    expect(store.getState().messages[10]?.messages.map((m) => m.id)).toEqual([1, 2, 3, 4, 5]);
    // Visible and selected: the catch-up is marked read up to the newest message.
    expect(second.sent.find((r) => r.method === 'conversations.markRead')?.data).toEqual({ conversationId: 10, messageId: 5 });
    expect(store.getState().conversations[10]?.unread).toBe(0);
  });

  it('keeps a message sent while disconnected pending and resends it with the same clientId', async () => {
    const { controller, store, factory } = setup();
    await controller.start();
    const handler = (request: SentRequest) => {
      if (request.method === 'sync.state') return { me, conversations: [conversation()], presence: {} };
      if (request.method === 'messages.send') {
        return { message: message(9, { senderId: alice.id, clientId: request.data.clientId as string, body: request.data.body as string }) };
      }
      return { messages: [], hasMore: false };
    };
    serve(factory.last(), handler);
    factory.last().open();
    await settle();
    factory.last().serverClose(1006);

    controller.sendMessage(10, '  hello there ');
    const pending = store.getState().pending[10]?.[0];
    expect(pending).toMatchObject({ body: 'hello there', status: 'sending' });

    await vi.advanceTimersByTimeAsync(250);
    serve(factory.last(), handler);
    factory.last().open();
    await settle();
    const sends = factory.last().sent.filter((r) => r.method === 'messages.send');
    expect(sends).toHaveLength(1);
    expect(sends[0]?.data.clientId).toBe(pending?.clientId);
    expect(store.getState().pending[10]).toEqual([]);
    expect(store.getState().messages[10]?.messages.map((m) => m.body)).toEqual(['hello there']);
  });

  it('resends messages left unsent by a reloaded page, from the saved outbox', async () => {
    const outbox = memoryOutbox();
    const handler = (request: SentRequest) => {
      if (request.method === 'sync.state') return { me, conversations: [conversation()], presence: {} };
      if (request.method === 'messages.send') {
        return { message: message(9, { senderId: alice.id, clientId: request.data.clientId as string, body: request.data.body as string }) };
      }
      return { messages: [], hasMore: false };
    };
    const first = setup({ outbox });
    await first.controller.start();
    serve(first.factory.last(), handler);
    first.factory.last().open();
    await settle();
    first.factory.last().serverClose(1001);
    first.controller.sendMessage(10, 'survive the reload');
    const clientId = first.store.getState().pending[10]?.[0]?.clientId;
    first.controller.dispose(); // the page goes away before the server is back

    const second = setup({ outbox });
    await second.controller.start();
    serve(second.factory.last(), handler);
    second.factory.last().open();
    await settle();
    const sends = second.factory.last().sent.filter((r) => r.method === 'messages.send');
    expect(sends.map((r) => r.data.clientId)).toEqual([clientId]);
    expect(second.store.getState().pending[10]).toEqual([]);
    expect(outbox.load(alice.id)).toEqual([]);
  });

  it('drops the token and shows the sign-in screen on close code 4001', async () => {
    const { controller, store, factory, bridgeState } = setup();
    await controller.start();
    factory.last().open();
    factory.last().serverClose(4001, 'UNAUTHENTICATED: unknown token');
    await settle();
    expect(store.getState().authStatus).toBe('signedOut');
    expect(store.getState().authMessage).toMatch(/sign in again/i);
    expect(bridgeState.token).toBeNull();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(factory.sockets).toHaveLength(1);
  });

  it('notifies about messages from others in conversations that are not open, and updates the badge', async () => {
    const { controller, store, factory, bridgeState } = setup();
    await controller.start();
    serve(factory.last(), () => ({ me, conversations: [conversation(), conversation({ id: 11, members: [alice, bob] })], presence: {} }));
    factory.last().open();
    await settle();
    store.getState().selectConversation(11);

    factory.last().notify('message.new', { message: message(3) });
    factory.last().notify('message.new', { message: message(3) }); // duplicate: no second notification
    factory.last().notify('message.new', { message: message(4, { senderId: alice.id }) }); // own: none
    await settle();
    expect(bridgeState.notifications).toEqual([{ title: 'Bob', body: 'message 3', tag: 'conversation:10' }]);
    expect(store.getState().conversations[10]?.unread).toBe(1);
    expect(bridgeState.badges.at(-1)).toBe(1);

    factory.last().notify('conversation.read', { conversationId: 10, unread: 0, lastReadMessageId: 4 });
    await settle();
    expect(bridgeState.badges.at(-1)).toBe(0);
  });

  it('applies presence, conversation updates and removals', async () => {
    const { controller, store, factory } = setup();
    await controller.start();
    serve(factory.last(), () => ({ me, conversations: [conversation()], presence: {} }));
    factory.last().open();
    await settle();
    factory.last().notify('presence.changed', { userId: 2, status: 'busy' });
    factory.last().notify('conversation.updated', { conversation: conversation({ id: 12, kind: 'group', title: 'New' }) });
    factory.last().notify('conversation.removed', { conversationId: 10 });
    expect(store.getState().presence[2]).toBe('busy');
    expect(Object.keys(store.getState().conversations)).toEqual(['12']);
  });

  it('signs out: closes the socket, forgets the token, revokes it', async () => {
    const { controller, store, factory, bridgeState, api } = setup();
    await controller.start();
    factory.last().open();
    await controller.signOut();
    expect(factory.last().closedWith?.code).toBe(1000);
    expect(bridgeState.token).toBeNull();
    expect(store.getState().authStatus).toBe('signedOut');
    expect(api.logout).toHaveBeenCalledWith('stored-token');
  });
});
