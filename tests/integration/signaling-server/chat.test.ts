import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionResponse } from '../../../common/protocol/index.js';
import { startTestServer, type TestServer } from '../../helpers/testServer.js';
import { register, RequestFailed, TestClient } from '../../helpers/wsClient.js';

let srv: TestServer;
const clients: TestClient[] = [];

async function connect(session: SessionResponse): Promise<TestClient> {
  const client = await TestClient.connect(srv.wsUrl, session.token);
  clients.push(client);
  return client;
}

beforeEach(async () => {
  srv = await startTestServer();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await srv.stop();
});

describe('chat over the real server', () => {
  it('delivers a direct message live to every device of both members and keeps it in history', async () => {
    const alice = await register(srv.url, 'alice', 'Alice');
    const bob = await register(srv.url, 'bob', 'Bob');
    const a1 = await connect(alice);
    const b1 = await connect(bob);
    const b2 = await connect(bob);

    const { conversation } = await a1.request('conversations.createDirect', { userId: bob.user.id });
    expect(conversation.kind).toBe('direct');
    expect(conversation.members.map((m) => m.username).sort()).toEqual(['alice', 'bob']);
    // Bob's devices learn about the new conversation.
    await b1.waitFor('conversation.updated', (d) => d.conversation.id === conversation.id);
    await b2.waitFor('conversation.updated', (d) => d.conversation.id === conversation.id);

    const sent = await a1.request('messages.send', { conversationId: conversation.id, clientId: 'client-0001', body: '  hello bob  ' });
    expect(sent.message.body).toBe('hello bob');
    for (const device of [b1, b2, a1]) {
      const { message } = await device.waitFor('message.new', (d) => d.message.id === sent.message.id);
      expect(message.senderId).toBe(alice.user.id);
    }

    const again = await a1.request('messages.send', { conversationId: conversation.id, clientId: 'client-0001', body: 'hello bob' });
    expect(again.message.id).toBe(sent.message.id);

    const state = await b1.request('sync.state', {});
    const seen = state.conversations.find((c) => c.id === conversation.id)!;
    expect(seen.unread).toBe(1);
    expect(seen.lastMessage?.body).toBe('hello bob');

    // Reading on one device clears the count on the other.
    const read = await b1.request('conversations.markRead', { conversationId: conversation.id, messageId: sent.message.id });
    expect(read.unread).toBe(0);
    const onOther = await b2.waitFor('conversation.read', (d) => d.conversationId === conversation.id);
    expect(onOther.unread).toBe(0);

    const history = await b2.request('messages.history', { conversationId: conversation.id });
    expect(history.messages.map((m) => m.body)).toEqual(['hello bob']);
  });

  it('createDirect returns the same conversation from either side', async () => {
    const alice = await register(srv.url, 'alice');
    const bob = await register(srv.url, 'bob');
    const a = await connect(alice);
    const b = await connect(bob);
    const first = await a.request('conversations.createDirect', { userId: bob.user.id });
    const second = await b.request('conversations.createDirect', { userId: alice.user.id });
    expect(second.conversation.id).toBe(first.conversation.id);
  });

  it('pages history backwards and catches up forwards with `after`', async () => {
    const alice = await register(srv.url, 'alice');
    const bob = await register(srv.url, 'bob');
    const a = await connect(alice);
    const { conversation } = await a.request('conversations.createDirect', { userId: bob.user.id });
    const ids: number[] = [];
    for (let i = 0; i < 25; i++) {
      ids.push((await a.request('messages.send', { conversationId: conversation.id, clientId: `msg-${String(i).padStart(6, '0')}`, body: `m${i}` })).message.id);
    }
    const latest = await a.request('messages.history', { conversationId: conversation.id, limit: 10 });
    expect(latest.messages.map((m) => m.body)).toEqual(Array.from({ length: 10 }, (_, i) => `m${15 + i}`));
    expect(latest.hasMore).toBe(true);
    const older = await a.request('messages.history', { conversationId: conversation.id, limit: 10, before: latest.messages[0]!.id });
    expect(older.messages[0]!.body).toBe('m5');
    const oldest = await a.request('messages.history', { conversationId: conversation.id, limit: 10, before: older.messages[0]!.id });
    expect(oldest.messages.map((m) => m.body)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(oldest.hasMore).toBe(false);
    const missed = await a.request('messages.history', { conversationId: conversation.id, after: ids[19]!, limit: 3 });
    expect(missed.messages.map((m) => m.body)).toEqual(['m20', 'm21', 'm22']);
    expect(missed.hasMore).toBe(true);
  });

  it('group chats reach every member; rooms are open to members and listed with their guest flag', async () => {
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((u) => register(srv.url, u)));
    const a = await connect(alice!);
    const b = await connect(bob!);
    const c = await connect(carol!);
    const { conversation: group } = await a.request('conversations.createGroup', { title: 'Launch', memberIds: [bob!.user.id, carol!.user.id] });
    expect(group.members).toHaveLength(3);
    const sent = await b.request('messages.send', { conversationId: group.id, clientId: 'group-msg-1', body: 'hi all' });
    await a.waitFor('message.new', (d) => d.message.id === sent.message.id);
    await c.waitFor('message.new', (d) => d.message.id === sent.message.id);

    const { conversation: room } = await a.request('conversations.createRoom', { title: 'Lobby', guestAccess: true });
    const { rooms } = await b.request('conversations.listRooms', {});
    expect(rooms).toContainEqual({ id: room.id, title: 'Lobby', guestAccess: true, memberCount: 1, joined: false });
    // Not joined yet: the room's messages are not Bob's to read.
    await expect(b.request('messages.history', { conversationId: room.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await b.request('conversations.join', { conversationId: room.id });
    await a.waitFor('conversation.updated', (d) => d.conversation.id === room.id && d.conversation.members.length === 2);
    const inRoom = await a.request('messages.send', { conversationId: room.id, clientId: 'room-msg-1', body: 'welcome' });
    await b.waitFor('message.new', (d) => d.message.id === inRoom.message.id);

    await b.request('conversations.leave', { conversationId: room.id });
    await b.waitFor('conversation.removed', (d) => d.conversationId === room.id);
    await expect(b.request('messages.send', { conversationId: room.id, clientId: 'room-msg-2', body: 'still here?' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('refuses people outside a conversation and stores nothing for them', async () => {
    const [alice, bob, mallory] = await Promise.all(['alice', 'bob', 'mallory'].map((u) => register(srv.url, u)));
    const a = await connect(alice!);
    const m = await connect(mallory!);
    const { conversation } = await a.request('conversations.createDirect', { userId: bob!.user.id });
    await a.request('messages.send', { conversationId: conversation.id, clientId: 'private-0001', body: 'secret' });

    for (const attempt of [
      m.request('messages.send', { conversationId: conversation.id, clientId: 'evil-000001', body: 'injected' }),
      m.request('messages.history', { conversationId: conversation.id }),
      m.request('conversations.markRead', { conversationId: conversation.id, messageId: 1 }),
      m.request('conversations.leave', { conversationId: conversation.id }),
      m.request('conversations.join', { conversationId: conversation.id }),
    ]) {
      await expect(attempt).rejects.toBeInstanceOf(RequestFailed);
      await expect(attempt).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
    const history = await a.request('messages.history', { conversationId: conversation.id });
    expect(history.messages.map((msg) => msg.body)).toEqual(['secret']);
    // Mallory's sync shows nothing of it.
    expect((await m.request('sync.state', {})).conversations).toEqual([]);
  });

  it('enforces role permissions on the server: a role without message.send cannot post', async () => {
    const alice = await register(srv.url, 'alice');
    const bob = await register(srv.url, 'bob');
    await srv.server.store.upsertRole('readonly', ['room.join']);
    await srv.server.store.setUserRole(bob.user.id, 'readonly');
    const a = await connect(alice);
    const b = await connect(bob);
    const { conversation } = await a.request('conversations.createDirect', { userId: bob.user.id });
    await expect(b.request('messages.send', { conversationId: conversation.id, clientId: 'ro-00000001', body: 'x' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(b.request('conversations.createGroup', { title: 'g', memberIds: [alice.user.id] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // The change of role applies to the live connection, without reconnecting.
    await srv.server.store.setUserRole(bob.user.id, 'member');
    await expect(b.request('messages.send', { conversationId: conversation.id, clientId: 'ro-00000002', body: 'now ok' })).resolves.toBeTruthy();
    expect((await b.request('sync.state', {})).me.permissions).toContain('message.send');
  });
});

describe('presence', () => {
  it('is online with any device, offline after the last one leaves, and follows do-not-disturb', async () => {
    const alice = await register(srv.url, 'alice');
    const bob = await register(srv.url, 'bob');
    const a = await connect(alice);
    await a.request('conversations.createDirect', { userId: bob.user.id });
    // Starting the conversation tells Alice where Bob stands: not connected yet.
    await a.waitFor('presence.changed', (d) => d.userId === bob.user.id && d.status === 'offline');

    const b1 = await connect(bob);
    await a.waitFor('presence.changed', (d) => d.userId === bob.user.id && d.status === 'online');
    const b2 = await connect(bob);
    expect((await a.request('sync.state', {})).presence[String(bob.user.id)]).toBe('online');

    await b2.request('presence.set', { status: 'dnd' });
    await a.waitFor('presence.changed', (d) => d.userId === bob.user.id && d.status === 'dnd');
    // Bob's other device hears about his own change too.
    await b1.waitFor('presence.changed', (d) => d.userId === bob.user.id && d.status === 'dnd');

    b1.close();
    await b1.closed();
    b2.close();
    await a.waitFor('presence.changed', (d) => d.userId === bob.user.id && d.status === 'offline');

    // Do-not-disturb is remembered across reconnects.
    await connect(bob);
    await a.waitFor('presence.changed', (d) => d.userId === bob.user.id && d.status === 'dnd');
  });

  it('tells two people each other\'s presence as soon as they share a new conversation', async () => {
    const alice = await register(srv.url, 'alice');
    const bob = await register(srv.url, 'bob');
    const a = await connect(alice);
    const b = await connect(bob);
    await b.request('presence.set', { status: 'dnd' });
    await a.request('conversations.createDirect', { userId: bob.user.id });
    await a.waitFor('presence.changed', (d) => d.userId === bob.user.id && d.status === 'dnd');
    await b.waitFor('presence.changed', (d) => d.userId === alice.user.id && d.status === 'online');
  });

  it('is not pushed to people who share no conversation', async () => {
    const alice = await register(srv.url, 'alice');
    const stranger = await register(srv.url, 'stranger');
    const s = await connect(stranger);
    await connect(alice);
    // A request round trip orders after any presence push the server would have made.
    await s.request('sync.state', {});
    expect(s.frames.filter((f) => f.event === 'presence.changed' && (f.data as { userId: number }).userId === alice.user.id)).toEqual([]);
  });
});
