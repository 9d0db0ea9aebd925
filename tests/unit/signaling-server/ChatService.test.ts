import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EarshotError, type ErrorCode } from '../../../common/errors.js';
import type { Principal } from '../../../signaling-server/auth/AuthService.js';
import { ChatService, requirePermission } from '../../../signaling-server/ChatService.js';
import { Hub } from '../../../signaling-server/Hub.js';
import { InProcessBus } from '../../../signaling-server/MessageBus.js';
import { createMetrics, type Metrics } from '../../../signaling-server/metrics.js';
import { SqliteStore } from '../../../signaling-server/store/SqliteStore.js';
import { fakeClock, fakeConnection, makePrincipal, sentFrames, silentLogger, type FakeClock, type FakeSocket } from './fakes.js';

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EarshotError);
  expect((error as EarshotError).code).toBe(code);
}

describe('ChatService', () => {
  let store: SqliteStore;
  let metrics: Metrics;
  let clock: FakeClock;
  let hub: Hub;
  let chat: ChatService;
  let alice: Principal;
  let bob: Principal;
  let carol: Principal;
  let guest: Principal;

  beforeEach(async () => {
    store = SqliteStore.open(':memory:');
    metrics = createMetrics();
    clock = fakeClock();
    hub = new Hub({ store, bus: new InProcessBus(), metrics, logger: silentLogger });
    chat = new ChatService({ store, hub, clock, metrics });
    alice = await makePrincipal(store, { displayName: 'Alice' });
    bob = await makePrincipal(store, { displayName: 'Bob' });
    carol = await makePrincipal(store, { displayName: 'Carol' });
    guest = await makePrincipal(store, { role: 'guest' });
  });
  afterEach(async () => {
    await store.close();
  });

  async function online(principal: Principal): Promise<FakeSocket> {
    const { connection, socket } = fakeConnection(principal, { metrics });
    await hub.add(connection);
    socket.send.mockClear();
    return socket;
  }
  const events = (socket: FakeSocket, event: string) => sentFrames(socket).filter((f) => f.event === event).map((f) => f.data);
  const messageCount = async (conversationId: number) => (await store.getMessages(conversationId, { limit: 200 })).messages.length;
  const storedChatMessages = async () => (await metrics.chatMessages.get()).values[0]?.value ?? 0;

  describe('requirePermission', () => {
    it('passes when the role has the permission', () => {
      expect(() => requirePermission(alice, 'message.send')).not.toThrow();
    });

    it('throws FORBIDDEN naming the role and permission', () => {
      expect(() => requirePermission(guest, 'message.send')).toThrow(expect.objectContaining({ code: 'FORBIDDEN', message: expect.stringContaining('message.send') }));
    });
  });

  describe('#createDirect', () => {
    it('creates a direct conversation with both people', async () => {
      const conversation = await chat.createDirect(alice, bob.user.id);
      expect(conversation).toMatchObject({ kind: 'direct', title: null, guestAccess: false, lastMessage: null, unread: 0, lastReadMessageId: 0 });
      expect(conversation.members.map((m) => m.id).sort()).toStrictEqual([alice.user.id, bob.user.id].sort());
      expect(conversation.members[0]).not.toHaveProperty('passwordHash');
    });

    it('is idempotent: the same conversation from either side', async () => {
      const first = await chat.createDirect(alice, bob.user.id);
      const again = await chat.createDirect(alice, bob.user.id);
      const reverse = await chat.createDirect(bob, alice.user.id);
      expect(again.id).toBe(first.id);
      expect(reverse.id).toBe(first.id);
      expect(await store.listConversationsOf(alice.user.id)).toHaveLength(1);
    });

    it('rejects with FORBIDDEN for a role without conversation.create, creating nothing', async () => {
      await rejectsWith(chat.createDirect(guest, alice.user.id), 'FORBIDDEN');
      expect(await store.listConversationsOf(alice.user.id)).toStrictEqual([]);
    });

    it('rejects a conversation with oneself with BAD_REQUEST', async () => {
      await rejectsWith(chat.createDirect(alice, alice.user.id), 'BAD_REQUEST');
    });

    it('rejects an unknown user with NOT_FOUND', async () => {
      await rejectsWith(chat.createDirect(alice, 9999), 'NOT_FOUND');
    });

    it('announces the new conversation to online members only, once', async () => {
      const aliceSocket = await online(alice);
      const bobSocket = await online(bob);
      const carolSocket = await online(carol);
      const conversation = await chat.createDirect(alice, bob.user.id);
      await chat.createDirect(bob, alice.user.id);
      expect(events(aliceSocket, 'conversation.updated')).toStrictEqual([{ conversation }]);
      expect(events(bobSocket, 'conversation.updated')).toHaveLength(1);
      expect(events(carolSocket, 'conversation.updated')).toStrictEqual([]);
    });
  });

  describe('#createGroup', () => {
    it('creates the group with the caller and the members', async () => {
      const group = await chat.createGroup(alice, 'Team', [bob.user.id, carol.user.id, bob.user.id]);
      expect(group).toMatchObject({ kind: 'group', title: 'Team' });
      expect(group.members.map((m) => m.id).sort()).toStrictEqual([alice.user.id, bob.user.id, carol.user.id].sort());
    });

    it('rejects with FORBIDDEN for a role without conversation.create', async () => {
      await rejectsWith(chat.createGroup(guest, 'Team', [alice.user.id]), 'FORBIDDEN');
    });

    it('rejects an unknown member with NOT_FOUND, creating nothing', async () => {
      await rejectsWith(chat.createGroup(alice, 'Team', [bob.user.id, 9999]), 'NOT_FOUND');
      expect(await store.listConversationsOf(alice.user.id)).toStrictEqual([]);
    });
  });

  describe('rooms', () => {
    describe('#createRoom', () => {
      it('creates a room with the creator as the only member', async () => {
        const room = await chat.createRoom(alice, 'Lobby', true);
        expect(room).toMatchObject({ kind: 'room', title: 'Lobby', guestAccess: true });
        expect(room.members.map((m) => m.id)).toStrictEqual([alice.user.id]);
      });

      it('rejects with FORBIDDEN for a role without room.create', async () => {
        await store.upsertRole('member', ['room.join', 'message.send']);
        const member = await makePrincipal(store);
        await rejectsWith(chat.createRoom(member, 'Lobby', false), 'FORBIDDEN');
        expect(await store.listRooms()).toStrictEqual([]);
      });
    });

    describe('#listRooms', () => {
      it('lists every room with member counts and whether the caller joined', async () => {
        const lobby = await chat.createRoom(alice, 'Lobby', false);
        const games = await chat.createRoom(bob, 'Games', true);
        await chat.createDirect(alice, carol.user.id);
        expect(await chat.listRooms(alice)).toStrictEqual([
          { id: games.id, title: 'Games', guestAccess: true, memberCount: 1, joined: false },
          { id: lobby.id, title: 'Lobby', guestAccess: false, memberCount: 1, joined: true },
        ]);
      });

      it('rejects with FORBIDDEN for a role without room.join', async () => {
        await rejectsWith(chat.listRooms(guest), 'FORBIDDEN');
      });
    });

    describe('#joinRoom', () => {
      it('adds the caller and tells the online members', async () => {
        const room = await chat.createRoom(alice, 'Lobby', false);
        const aliceSocket = await online(alice);
        const joined = await chat.joinRoom(bob, room.id);
        expect(joined.members.map((m) => m.id).sort()).toStrictEqual([alice.user.id, bob.user.id].sort());
        expect(events(aliceSocket, 'conversation.updated')).toHaveLength(1);
      });

      it('is idempotent', async () => {
        const room = await chat.createRoom(alice, 'Lobby', false);
        await chat.joinRoom(bob, room.id);
        const aliceSocket = await online(alice);
        await chat.joinRoom(bob, room.id);
        expect(await store.getMembers(room.id)).toHaveLength(2);
        expect(events(aliceSocket, 'conversation.updated')).toStrictEqual([]);
      });

      it('rejects with FORBIDDEN for a role without room.join, adding nothing', async () => {
        const room = await chat.createRoom(alice, 'Lobby', true);
        await rejectsWith(chat.joinRoom(guest, room.id), 'FORBIDDEN');
        expect(await store.getMembership(room.id, guest.user.id)).toBeUndefined();
      });

      it('rejects a group or direct conversation with NOT_FOUND', async () => {
        const group = await chat.createGroup(alice, 'Private', [bob.user.id]);
        const direct = await chat.createDirect(alice, bob.user.id);
        await rejectsWith(chat.joinRoom(carol, group.id), 'NOT_FOUND');
        await rejectsWith(chat.joinRoom(carol, direct.id), 'NOT_FOUND');
        expect(await store.getMembership(group.id, carol.user.id)).toBeUndefined();
      });

      it('rejects an unknown id with NOT_FOUND', async () => {
        await rejectsWith(chat.joinRoom(alice, 9999), 'NOT_FOUND');
      });
    });
  });

  describe('#leave', () => {
    it('removes the caller from a group, tells their devices and the others', async () => {
      const group = await chat.createGroup(alice, 'Team', [bob.user.id, carol.user.id]);
      const bobSocket = await online(bob);
      const carolSocket = await online(carol);
      await chat.leave(bob, group.id);
      expect(await store.getMembership(group.id, bob.user.id)).toBeUndefined();
      expect(events(bobSocket, 'conversation.removed')).toStrictEqual([{ conversationId: group.id }]);
      const [update] = events(carolSocket, 'conversation.updated') as Array<{ conversation: { members: Array<{ id: number }> } }>;
      expect(update?.conversation.members.map((m) => m.id).sort()).toStrictEqual([alice.user.id, carol.user.id].sort());
    });

    it('rejects leaving a direct conversation with FORBIDDEN', async () => {
      const direct = await chat.createDirect(alice, bob.user.id);
      await rejectsWith(chat.leave(alice, direct.id), 'FORBIDDEN');
      expect(await store.getMembership(direct.id, alice.user.id)).toBeDefined();
    });

    it('rejects a non-member with NOT_FOUND', async () => {
      const group = await chat.createGroup(alice, 'Team', [bob.user.id]);
      await rejectsWith(chat.leave(carol, group.id), 'NOT_FOUND');
    });
  });

  describe('#send', () => {
    it('stores the message and delivers it to every member device', async () => {
      const direct = await chat.createDirect(alice, bob.user.id);
      const aliceSocket = await online(alice);
      const bobSocket = await online(bob);
      const carolSocket = await online(carol);
      clock.advance(5);
      const message = await chat.send(alice, direct.id, 'client-0001', 'hello');
      expect(message).toMatchObject({ conversationId: direct.id, senderId: alice.user.id, kind: 'text', body: 'hello', createdAt: clock.now() });
      expect(events(aliceSocket, 'message.new')).toStrictEqual([{ message }]);
      expect(events(bobSocket, 'message.new')).toStrictEqual([{ message }]);
      expect(carolSocket.send).not.toHaveBeenCalled();
      expect(await storedChatMessages()).toBe(1);
    });

    it('is idempotent on clientId: a resend stores and delivers nothing new', async () => {
      const direct = await chat.createDirect(alice, bob.user.id);
      const bobSocket = await online(bob);
      const first = await chat.send(alice, direct.id, 'client-0001', 'hello');
      const resent = await chat.send(alice, direct.id, 'client-0001', 'hello');
      expect(resent).toStrictEqual(first);
      expect(await messageCount(direct.id)).toBe(1);
      expect(events(bobSocket, 'message.new')).toHaveLength(1);
      expect(await storedChatMessages()).toBe(1);
    });

    it('rejects a non-member with NOT_FOUND and stores nothing', async () => {
      const direct = await chat.createDirect(alice, bob.user.id);
      const bobSocket = await online(bob);
      await rejectsWith(chat.send(carol, direct.id, 'client-0001', 'let me in'), 'NOT_FOUND');
      expect(await messageCount(direct.id)).toBe(0);
      expect(bobSocket.send).not.toHaveBeenCalled();
    });

    it('rejects an unknown conversation with NOT_FOUND', async () => {
      await rejectsWith(chat.send(alice, 9999, 'client-0001', 'hello'), 'NOT_FOUND');
    });

    it('rejects with FORBIDDEN for a role without message.send, storing nothing', async () => {
      const room = await chat.createRoom(alice, 'Lobby', true);
      await store.addMember(room.id, guest.user.id, clock.now());
      await rejectsWith(chat.send(guest, room.id, 'client-0001', 'hi'), 'FORBIDDEN');
      expect(await messageCount(room.id)).toBe(0);
    });

    it('rejects a former member with NOT_FOUND', async () => {
      const group = await chat.createGroup(alice, 'Team', [bob.user.id]);
      await chat.leave(bob, group.id);
      await rejectsWith(chat.send(bob, group.id, 'client-0001', 'still here?'), 'NOT_FOUND');
    });
  });

  describe('#postSystemMessage', () => {
    it('delivers a sender-less system message that counts as unread for nobody', async () => {
      const direct = await chat.createDirect(alice, bob.user.id);
      const bobSocket = await online(bob);
      const message = await chat.postSystemMessage(direct.id, 'Missed call');
      expect(message).toMatchObject({ senderId: null, kind: 'system', body: 'Missed call', clientId: null });
      expect(events(bobSocket, 'message.new')).toStrictEqual([{ message }]);
      expect(await store.unreadCount(direct.id, bob.user.id)).toBe(0);
      expect(await storedChatMessages()).toBe(0);
    });
  });

  describe('#history', () => {
    it('returns a page of messages to a member', async () => {
      const direct = await chat.createDirect(alice, bob.user.id);
      for (let i = 0; i < 3; i += 1) await chat.send(alice, direct.id, `client-000${i}`, `m${i}`);
      const page = await chat.history(bob, direct.id, { limit: 2 });
      expect(page.messages.map((m) => m.body)).toStrictEqual(['m1', 'm2']);
      expect(page.hasMore).toBe(true);
    });

    it('rejects a non-member with NOT_FOUND', async () => {
      const direct = await chat.createDirect(alice, bob.user.id);
      await chat.send(alice, direct.id, 'client-0001', 'secret');
      await rejectsWith(chat.history(carol, direct.id, { limit: 50 }), 'NOT_FOUND');
    });

    it('answers a missing conversation the same way as a hidden one', async () => {
      await rejectsWith(chat.history(carol, 9999, { limit: 50 }), 'NOT_FOUND');
    });
  });

  describe('#markRead', () => {
    it("moves the reader's marker, returns the unread count and tells their devices", async () => {
      const direct = await chat.createDirect(alice, bob.user.id);
      const first = await chat.send(alice, direct.id, 'client-0001', 'one');
      await chat.send(alice, direct.id, 'client-0002', 'two');
      const bobPhone = await online(bob);
      const bobLaptop = await online(bob);
      const aliceSocket = await online(alice);
      const result = await chat.markRead(bob, direct.id, first.id);
      expect(result).toStrictEqual({ unread: 1, lastReadMessageId: first.id });
      for (const socket of [bobPhone, bobLaptop]) {
        expect(events(socket, 'conversation.read')).toStrictEqual([{ conversationId: direct.id, unread: 1, lastReadMessageId: first.id }]);
      }
      expect(events(aliceSocket, 'conversation.read')).toStrictEqual([]);
    });

    it('never moves the marker backward', async () => {
      const direct = await chat.createDirect(alice, bob.user.id);
      const first = await chat.send(alice, direct.id, 'client-0001', 'one');
      const second = await chat.send(alice, direct.id, 'client-0002', 'two');
      await chat.markRead(bob, direct.id, second.id);
      expect(await chat.markRead(bob, direct.id, first.id)).toStrictEqual({ unread: 0, lastReadMessageId: second.id });
    });

    it('rejects a non-member with NOT_FOUND and changes nothing', async () => {
      const direct = await chat.createDirect(alice, bob.user.id);
      const message = await chat.send(alice, direct.id, 'client-0001', 'one');
      await rejectsWith(chat.markRead(carol, direct.id, message.id), 'NOT_FOUND');
      expect(await store.getMembership(direct.id, carol.user.id)).toBeUndefined();
    });
  });

  describe('#conversationsOf', () => {
    it("gives each conversation with the user's own unread count and last message", async () => {
      const direct = await chat.createDirect(alice, bob.user.id);
      const room = await chat.createRoom(bob, 'Lobby', false);
      await chat.send(alice, direct.id, 'client-0001', 'one');
      const last = await chat.send(alice, direct.id, 'client-0002', 'two');
      const [bobsDirect, bobsRoom] = await chat.conversationsOf(bob.user.id);
      expect(bobsDirect).toMatchObject({ id: direct.id, unread: 2, lastReadMessageId: 0, lastMessage: last });
      expect(bobsRoom).toMatchObject({ id: room.id, unread: 0, lastMessage: null });
      const [alicesDirect] = await chat.conversationsOf(alice.user.id);
      expect(alicesDirect).toMatchObject({ unread: 0, lastReadMessageId: last.id });
    });
  });

  describe('#presenceMap', () => {
    it('maps the user and their contacts to presence', async () => {
      await chat.createDirect(alice, bob.user.id);
      await online(bob);
      expect(await chat.presenceMap(alice.user.id)).toStrictEqual({
        [String(alice.user.id)]: 'offline',
        [String(bob.user.id)]: 'online',
      });
    });
  });

  describe('#searchUsers', () => {
    it('returns public users only', async () => {
      const users = await chat.searchUsers('Ali');
      expect(users).toStrictEqual([{ id: alice.user.id, username: alice.user.username, displayName: 'Alice', role: 'member' }]);
    });
  });
});
