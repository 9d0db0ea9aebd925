import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EarshotError } from '../../../../common/errors.js';
import { BUILTIN_ROLES, MIGRATIONS, migrate } from '../../../../signaling-server/store/migrations.js';
import { SqliteStore } from '../../../../signaling-server/store/SqliteStore.js';
import type { NewMessage, UserRecord } from '../../../../signaling-server/store/Store.js';

const T0 = 1_700_000_000_000;
/** The newest schema version; a fresh database is migrated all the way. */
const LATEST = MIGRATIONS.at(-1)!.version;

async function rejection(promise: Promise<unknown>): Promise<EarshotError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EarshotError);
  return error as EarshotError;
}

describe('SqliteStore', () => {
  let store: SqliteStore;

  beforeEach(() => {
    store = SqliteStore.open(':memory:');
  });
  afterEach(async () => {
    await store.close();
  });

  const addUser = (username: string, displayName = username, role = 'member') =>
    store.createUser({ username, displayName, passwordHash: `hash-of-${username}`, role, createdAt: T0 });

  describe('.open', () => {
    describe('with a folder', () => {
      let dir: string;
      beforeEach(() => {
        dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-store-'));
      });
      afterEach(() => {
        rmSync(dir, { recursive: true, force: true });
      });

      it('creates the folder and earshot.db in WAL mode', async () => {
        const dataDir = path.join(dir, 'nested', 'data');
        const fileStore = SqliteStore.open(dataDir);
        await fileStore.close();
        const db = new Database(path.join(dataDir, 'earshot.db'), { readonly: true });
        try {
          expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
          expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
        } finally {
          db.close();
        }
      });

      it('keeps data across a reopen and does not re-run migrations', async () => {
        const first = SqliteStore.open(dir);
        expect(first.schemaVersion).toBe(LATEST);
        await first.createUser({ username: 'alice', displayName: 'Alice', passwordHash: 'h', role: 'member', createdAt: T0 });
        await first.upsertRole('ops', ['admin']);
        await first.close();

        const second = SqliteStore.open(dir);
        try {
          expect(second.schemaVersion).toBe(LATEST);
          expect((await second.getUserByUsername('alice'))?.displayName).toBe('Alice');
          expect((await second.getRole('ops'))?.permissions).toStrictEqual(['admin']);
          expect((await second.listRoles()).map((r) => r.name)).toStrictEqual(['admin', 'guest', 'member', 'ops']);
        } finally {
          await second.close();
        }
      });
    });

    it('applies the schema to an in-memory database', () => {
      expect(store.schemaVersion).toBe(LATEST);
    });

    it('numbers migrations 1, 2, 3 … in order', () => {
      expect(MIGRATIONS.map((m) => m.version)).toStrictEqual(MIGRATIONS.map((_m, i) => i + 1));
    });

    it('migrates idempotently: a migrated database gets no migration again', () => {
      const db = new Database(':memory:');
      try {
        expect(migrate(db)).toStrictEqual(MIGRATIONS.map((m) => m.version));
        expect(migrate(db)).toStrictEqual([]);
        expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
      } finally {
        db.close();
      }
    });
  });

  describe('#close', () => {
    it('is safe to call twice', async () => {
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    });

    it('makes every later call reject with UNAVAILABLE', async () => {
      await store.close();
      expect((await rejection(store.getUserById(1))).code).toBe('UNAVAILABLE');
      expect((await rejection(store.listRoles())).code).toBe('UNAVAILABLE');
      expect((await rejection(store.revokeUserSessions(1, T0))).code).toBe('UNAVAILABLE');
      expect((await rejection(store.appendMessage({ conversationId: 1, senderId: 1, kind: 'text', body: 'x', clientId: null, createdAt: T0 }))).code).toBe(
        'UNAVAILABLE',
      );
    });
  });

  describe('users', () => {
    describe('#createUser', () => {
      it('stores the user and returns it with an id and status online', async () => {
        const user = await addUser('alice', 'Alice A');
        expect(user).toStrictEqual({
          id: expect.any(Number),
          username: 'alice',
          displayName: 'Alice A',
          passwordHash: 'hash-of-alice',
          role: 'member',
          status: 'online',
          createdAt: T0,
          guest: false,
        });
        expect(await store.getUserById(user.id)).toStrictEqual(user);
        expect(await store.getUserByUsername('alice')).toStrictEqual(user);
      });

      it('rejects a taken username with CONFLICT', async () => {
        await addUser('alice');
        expect((await rejection(addUser('alice', 'Other Alice'))).code).toBe('CONFLICT');
        expect(await store.listUsers()).toHaveLength(1);
      });

      it('rejects an undefined role with CONFLICT (foreign key)', async () => {
        expect((await rejection(addUser('alice', 'Alice', 'nosuchrole'))).code).toBe('CONFLICT');
      });
    });

    it('returns undefined for unknown users', async () => {
      expect(await store.getUserById(999)).toBeUndefined();
      expect(await store.getUserByUsername('nobody')).toBeUndefined();
    });

    describe('#searchUsers', () => {
      beforeEach(async () => {
        await addUser('alice', 'Alice Liddell');
        await addUser('albert', 'Bert');
        await addUser('bob', 'Alfred Bob');
        await addUser('a_b', 'Underscore');
        await addUser('axb', 'Percent 100%');
      });

      it('matches a username prefix, ordered by username', async () => {
        expect((await store.searchUsers('al', 10)).map((u) => u.username)).toStrictEqual(['albert', 'alice', 'bob']);
      });

      it('matches a display name prefix case-insensitively', async () => {
        expect((await store.searchUsers('ALF', 10)).map((u) => u.username)).toStrictEqual(['bob']);
      });

      it('matches prefixes only, not substrings', async () => {
        expect(await store.searchUsers('ice', 10)).toStrictEqual([]);
      });

      it('honours the limit', async () => {
        expect(await store.searchUsers('al', 2)).toHaveLength(2);
      });

      it('treats "_" literally, not as a one-character wildcard', async () => {
        expect((await store.searchUsers('a_', 10)).map((u) => u.username)).toStrictEqual(['a_b']);
      });

      it('treats "%" literally, not as a wildcard', async () => {
        expect(await store.searchUsers('%', 10)).toStrictEqual([]);
        expect(await store.searchUsers('a%', 10)).toStrictEqual([]);
      });

      it('treats a backslash literally', async () => {
        expect(await store.searchUsers('\\', 10)).toStrictEqual([]);
      });
    });

    it('#listUsers lists by id', async () => {
      const b = await addUser('bob');
      const a = await addUser('alice');
      expect((await store.listUsers()).map((u) => u.id)).toStrictEqual([b.id, a.id]);
    });

    it('#setUserRole changes the role', async () => {
      const user = await addUser('alice');
      await store.setUserRole(user.id, 'admin');
      expect((await store.getUserById(user.id))?.role).toBe('admin');
    });

    it('#setUserStatus stores the chosen status', async () => {
      const user = await addUser('alice');
      await store.setUserStatus(user.id, 'dnd');
      expect((await store.getUserById(user.id))?.status).toBe('dnd');
    });
  });

  describe('roles', () => {
    it('has the built-in roles with their permissions', async () => {
      const roles = await store.listRoles();
      expect(roles.map((r) => [r.name, r.builtin])).toStrictEqual([
        ['admin', true],
        ['guest', true],
        ['member', true],
      ]);
      for (const role of roles) expect(role.permissions).toStrictEqual(BUILTIN_ROLES[role.name as keyof typeof BUILTIN_ROLES]);
    });

    it('returns undefined for an unknown role', async () => {
      expect(await store.getRole('nope')).toBeUndefined();
    });

    describe('#upsertRole', () => {
      it('creates a new, non-builtin role without duplicate permissions', async () => {
        await store.upsertRole('ops', ['call.place', 'admin', 'call.place']);
        expect(await store.getRole('ops')).toStrictEqual({ name: 'ops', permissions: ['call.place', 'admin'], builtin: false });
      });

      it('replaces the permissions of an existing role and keeps it built-in', async () => {
        await store.upsertRole('guest', []);
        expect(await store.getRole('guest')).toStrictEqual({ name: 'guest', permissions: [], builtin: true });
      });
    });
  });

  describe('sessions', () => {
    let alice: UserRecord;
    beforeEach(async () => {
      alice = await addUser('alice');
    });
    const newSession = (tokenHash: string, expiresAt = T0 + 1000, userId = alice.id) =>
      store.createSession({ tokenHash, userId, createdAt: T0, expiresAt });

    it('#createSession stores a live session found by its token hash', async () => {
      const session = await newSession('h1');
      expect(session).toStrictEqual({ id: expect.any(Number), tokenHash: 'h1', userId: alice.id, createdAt: T0, expiresAt: T0 + 1000, revokedAt: null, scopeConversationId: null });
      expect(await store.getSessionByTokenHash('h1')).toStrictEqual(session);
    });

    it('returns undefined for an unknown hash', async () => {
      expect(await store.getSessionByTokenHash('nope')).toBeUndefined();
    });

    it('rejects a duplicate token hash with CONFLICT', async () => {
      await newSession('h1');
      expect((await rejection(newSession('h1'))).code).toBe('CONFLICT');
    });

    describe('#revokeSession', () => {
      it('records when the session was revoked', async () => {
        const session = await newSession('h1');
        await store.revokeSession(session.id, T0 + 5);
        expect((await store.getSessionByTokenHash('h1'))?.revokedAt).toBe(T0 + 5);
      });

      it('keeps the first revocation time', async () => {
        const session = await newSession('h1');
        await store.revokeSession(session.id, T0 + 5);
        await store.revokeSession(session.id, T0 + 9);
        expect((await store.getSessionByTokenHash('h1'))?.revokedAt).toBe(T0 + 5);
      });
    });

    describe('#revokeUserSessions', () => {
      it("revokes the user's live sessions and returns their ids", async () => {
        const bob = await addUser('bob');
        const s1 = await newSession('h1');
        const s2 = await newSession('h2');
        const s3 = await newSession('h3');
        const bobs = await newSession('hb', T0 + 1000, bob.id);
        await store.revokeSession(s3.id, T0 + 1);

        expect((await store.revokeUserSessions(alice.id, T0 + 2)).sort()).toStrictEqual([s1.id, s2.id].sort());
        expect((await store.getSessionByTokenHash('h1'))?.revokedAt).toBe(T0 + 2);
        expect((await store.getSessionByTokenHash('h3'))?.revokedAt).toBe(T0 + 1);
        expect((await store.getSessionByTokenHash('hb'))?.revokedAt).toBeNull();
        expect(bobs.revokedAt).toBeNull();
      });

      it('returns no ids when nothing is live', async () => {
        expect(await store.revokeUserSessions(alice.id, T0)).toStrictEqual([]);
      });
    });

    describe('#deleteExpiredSessions', () => {
      it('deletes sessions that expired before now and returns how many', async () => {
        await newSession('old', T0 + 10);
        await newSession('edge', T0 + 20);
        await newSession('new', T0 + 30);
        expect(await store.deleteExpiredSessions(T0 + 20)).toBe(1);
        expect(await store.getSessionByTokenHash('old')).toBeUndefined();
        expect(await store.getSessionByTokenHash('edge')).toBeDefined();
        expect(await store.getSessionByTokenHash('new')).toBeDefined();
      });
    });
  });

  describe('conversations', () => {
    let alice: UserRecord;
    let bob: UserRecord;
    let carol: UserRecord;
    beforeEach(async () => {
      alice = await addUser('alice');
      bob = await addUser('bob');
      carol = await addUser('carol');
    });

    const direct = (a: number, b: number) =>
      store.createConversation({
        kind: 'direct',
        title: null,
        guestAccess: false,
        directKey: `${Math.min(a, b)}:${Math.max(a, b)}`,
        createdBy: a,
        createdAt: T0,
        memberIds: [a, b],
      });
    const room = (title: string, memberIds: number[], guestAccess = false) =>
      store.createConversation({ kind: 'room', title, guestAccess, directKey: null, createdBy: memberIds[0] ?? null, createdAt: T0, memberIds });

    describe('#createConversation', () => {
      it('creates the conversation with its members', async () => {
        const conversation = await direct(alice.id, bob.id);
        expect(conversation).toStrictEqual({
          id: expect.any(Number),
          kind: 'direct',
          title: null,
          guestAccess: false,
          directKey: `${alice.id}:${bob.id}`,
          createdBy: alice.id,
          createdAt: T0,
        });
        expect(await store.getConversation(conversation.id)).toStrictEqual(conversation);
        expect((await store.getMembers(conversation.id)).map((m) => m.userId).sort()).toStrictEqual([alice.id, bob.id].sort());
      });

      it('ignores repeated member ids', async () => {
        const group = await store.createConversation({
          kind: 'group',
          title: 'G',
          guestAccess: false,
          directKey: null,
          createdBy: alice.id,
          createdAt: T0,
          memberIds: [alice.id, bob.id, alice.id],
        });
        expect(await store.getMembers(group.id)).toHaveLength(2);
      });

      it('rejects a second direct conversation with the same key with CONFLICT', async () => {
        await direct(alice.id, bob.id);
        expect((await rejection(direct(bob.id, alice.id))).code).toBe('CONFLICT');
        expect(await store.listConversationsOf(alice.id)).toHaveLength(1);
      });

      it('leaves nothing behind when a member does not exist', async () => {
        const error = await rejection(room('Ghosts', [alice.id, 9999]));
        expect(error.code).toBe('CONFLICT');
        expect(await store.listRooms()).toStrictEqual([]);
      });
    });

    it('#findDirectConversation finds by key', async () => {
      const conversation = await direct(alice.id, bob.id);
      expect(await store.findDirectConversation(`${alice.id}:${bob.id}`)).toStrictEqual(conversation);
      expect(await store.findDirectConversation(`${alice.id}:${carol.id}`)).toBeUndefined();
    });

    it('#getConversation returns undefined for an unknown id', async () => {
      expect(await store.getConversation(12345)).toBeUndefined();
    });

    it('#listConversationsOf lists only conversations the user is in', async () => {
      const ab = await direct(alice.id, bob.id);
      const bc = await direct(bob.id, carol.id);
      expect((await store.listConversationsOf(alice.id)).map((c) => c.id)).toStrictEqual([ab.id]);
      expect((await store.listConversationsOf(bob.id)).map((c) => c.id)).toStrictEqual([ab.id, bc.id]);
    });

    describe('members', () => {
      it('#addMember adds once and keeps the first join time', async () => {
        const r = await room('R', [alice.id]);
        await store.addMember(r.id, bob.id, T0 + 1);
        await store.addMember(r.id, bob.id, T0 + 2);
        expect(await store.getMembership(r.id, bob.id)).toStrictEqual({ conversationId: r.id, userId: bob.id, joinedAt: T0 + 1, lastReadMessageId: 0 });
        expect(await store.getMembers(r.id)).toHaveLength(2);
      });

      it('#removeMember removes the membership', async () => {
        const r = await room('R', [alice.id, bob.id]);
        await store.removeMember(r.id, bob.id);
        expect(await store.getMembership(r.id, bob.id)).toBeUndefined();
        expect((await store.getMembers(r.id)).map((m) => m.userId)).toStrictEqual([alice.id]);
      });

      it('#getMembers orders by join time', async () => {
        const r = await room('R', [carol.id]);
        await store.addMember(r.id, alice.id, T0 + 2);
        await store.addMember(r.id, bob.id, T0 + 1);
        expect((await store.getMembers(r.id)).map((m) => m.userId)).toStrictEqual([carol.id, bob.id, alice.id]);
      });
    });

    describe('#contactsOf', () => {
      it('lists everyone sharing a conversation, once, without the user', async () => {
        await direct(alice.id, bob.id);
        await room('R', [alice.id, bob.id, carol.id]);
        expect((await store.contactsOf(alice.id)).sort()).toStrictEqual([bob.id, carol.id].sort());
      });

      it('is empty for a user with no conversations', async () => {
        await direct(alice.id, bob.id);
        expect(await store.contactsOf(carol.id)).toStrictEqual([]);
      });
    });

    describe('#listRooms', () => {
      it('lists only rooms, by title case-insensitively, with member ids', async () => {
        await direct(alice.id, bob.id);
        const zeta = await room('zeta', [alice.id, bob.id], true);
        const alpha = await room('Alpha', []);
        const beta = await room('beta', [carol.id]);
        const rooms = await store.listRooms();
        expect(rooms.map((r) => r.id)).toStrictEqual([alpha.id, beta.id, zeta.id]);
        expect(rooms[0]).toStrictEqual({ id: alpha.id, title: 'Alpha', guestAccess: false, memberIds: [] });
        expect(rooms[2]?.guestAccess).toBe(true);
        expect(rooms[2]?.memberIds.sort()).toStrictEqual([alice.id, bob.id].sort());
      });
    });
  });

  describe('messages', () => {
    let alice: UserRecord;
    let bob: UserRecord;
    let conversationId: number;
    let otherConversationId: number;

    beforeEach(async () => {
      alice = await addUser('alice');
      bob = await addUser('bob');
      const base = { kind: 'group' as const, guestAccess: false, directKey: null, createdBy: alice.id, createdAt: T0 };
      conversationId = (await store.createConversation({ ...base, title: 'A', memberIds: [alice.id, bob.id] })).id;
      otherConversationId = (await store.createConversation({ ...base, title: 'B', memberIds: [alice.id, bob.id] })).id;
    });

    const text = (senderId: number | null, body: string, clientId: string | null = null, conv = conversationId): NewMessage => ({
      conversationId: conv,
      senderId,
      kind: senderId === null ? 'system' : 'text',
      body,
      clientId,
      createdAt: T0 + 1,
    });
    const appendMany = async (n: number, senderId = alice.id, conv = conversationId) => {
      const ids: number[] = [];
      for (let i = 0; i < n; i += 1) ids.push((await store.appendMessage(text(senderId, `m${i}`, null, conv))).message.id);
      return ids;
    };
    const marker = async (userId: number) => (await store.getMembership(conversationId, userId))?.lastReadMessageId;

    describe('#appendMessage', () => {
      it('stores the message and reports it as created', async () => {
        const { message, created } = await store.appendMessage(text(alice.id, 'hello', 'client-0001'));
        expect(created).toBe(true);
        expect(message).toStrictEqual({
          id: expect.any(Number),
          conversationId,
          senderId: alice.id,
          kind: 'text',
          body: 'hello',
          clientId: 'client-0001',
          createdAt: T0 + 1,
        });
        expect(await store.lastMessage(conversationId)).toStrictEqual(message);
      });

      it('is idempotent on clientId per sender', async () => {
        const first = await store.appendMessage(text(alice.id, 'hello', 'client-0001'));
        const again = await store.appendMessage(text(alice.id, 'hello (resent)', 'client-0001'));
        expect(again).toStrictEqual({ message: first.message, created: false });
        expect((await store.getMessages(conversationId, { limit: 10 })).messages).toHaveLength(1);
      });

      it('rejects with CONFLICT when a clientId is reused in another conversation, storing nothing', async () => {
        await store.appendMessage(text(alice.id, 'hello', 'client-0001'));
        expect((await rejection(store.appendMessage(text(alice.id, 'elsewhere', 'client-0001', otherConversationId)))).code).toBe('CONFLICT');
        expect((await store.getMessages(otherConversationId, { limit: 10 })).messages).toEqual([]);
      });

      it('lets two senders use the same clientId', async () => {
        const a = await store.appendMessage(text(alice.id, 'a', 'client-0001'));
        const b = await store.appendMessage(text(bob.id, 'b', 'client-0001'));
        expect(b.created).toBe(true);
        expect(b.message.id).not.toBe(a.message.id);
      });

      it('never deduplicates messages without a clientId', async () => {
        await store.appendMessage(text(alice.id, 'x'));
        const second = await store.appendMessage(text(alice.id, 'x'));
        expect(second.created).toBe(true);
      });

      it("moves the sender's read marker to the new message, not others'", async () => {
        const { message } = await store.appendMessage(text(alice.id, 'hello'));
        expect(await marker(alice.id)).toBe(message.id);
        expect(await marker(bob.id)).toBe(0);
      });

      it('stores system messages without a sender and moves no marker', async () => {
        const { message } = await store.appendMessage(text(null, 'call ended'));
        expect(message.senderId).toBeNull();
        expect(message.kind).toBe('system');
        expect(await marker(alice.id)).toBe(0);
      });
    });

    describe('#getMessages', () => {
      it('returns an empty page for an empty conversation', async () => {
        expect(await store.getMessages(conversationId, { limit: 5 })).toStrictEqual({ messages: [], hasMore: false });
      });

      it('returns the latest page, oldest first, with hasMore', async () => {
        const ids = await appendMany(5);
        const page = await store.getMessages(conversationId, { limit: 3 });
        expect(page.messages.map((m) => m.id)).toStrictEqual(ids.slice(2));
        expect(page.hasMore).toBe(true);
      });

      it('reports no more when the page holds everything', async () => {
        const ids = await appendMany(3);
        const page = await store.getMessages(conversationId, { limit: 3 });
        expect(page.messages.map((m) => m.id)).toStrictEqual(ids);
        expect(page.hasMore).toBe(false);
      });

      it('pages backwards with before (exclusive)', async () => {
        const ids = await appendMany(5);
        const page = await store.getMessages(conversationId, { before: ids[3]!, limit: 2 });
        expect(page.messages.map((m) => m.id)).toStrictEqual([ids[1], ids[2]]);
        expect(page.hasMore).toBe(true);
        const last = await store.getMessages(conversationId, { before: ids[1]!, limit: 2 });
        expect(last.messages.map((m) => m.id)).toStrictEqual([ids[0]]);
        expect(last.hasMore).toBe(false);
      });

      it('catches up forwards with after (exclusive), oldest first', async () => {
        const ids = await appendMany(5);
        const page = await store.getMessages(conversationId, { after: ids[0]!, limit: 2 });
        expect(page.messages.map((m) => m.id)).toStrictEqual([ids[1], ids[2]]);
        expect(page.hasMore).toBe(true);
        const rest = await store.getMessages(conversationId, { after: ids[2]!, limit: 2 });
        expect(rest.messages.map((m) => m.id)).toStrictEqual([ids[3], ids[4]]);
        expect(rest.hasMore).toBe(false);
      });

      it('returns everything from the start with after: 0', async () => {
        const ids = await appendMany(2);
        expect((await store.getMessages(conversationId, { after: 0, limit: 10 })).messages.map((m) => m.id)).toStrictEqual(ids);
      });

      it('never returns messages of another conversation', async () => {
        await appendMany(2, alice.id, otherConversationId);
        const ids = await appendMany(2);
        await appendMany(2, alice.id, otherConversationId);
        expect((await store.getMessages(conversationId, { limit: 10 })).messages.map((m) => m.id)).toStrictEqual(ids);
        expect((await store.getMessages(conversationId, { after: 0, limit: 10 })).messages.map((m) => m.id)).toStrictEqual(ids);
      });
    });

    it('#lastMessage is null for an empty conversation', async () => {
      expect(await store.lastMessage(conversationId)).toBeNull();
    });

    describe('#unreadCount', () => {
      it("counts others' text messages after the read marker", async () => {
        await appendMany(3, bob.id);
        expect(await store.unreadCount(conversationId, alice.id)).toBe(3);
      });

      it("does not count the user's own messages", async () => {
        await appendMany(2, alice.id);
        expect(await store.unreadCount(conversationId, alice.id)).toBe(0);
      });

      it('does not count system messages', async () => {
        await store.appendMessage(text(null, 'missed call'));
        expect(await store.unreadCount(conversationId, alice.id)).toBe(0);
      });

      it('counts only messages after the marker', async () => {
        const ids = await appendMany(4, bob.id);
        await store.markRead(conversationId, alice.id, ids[1]!);
        expect(await store.unreadCount(conversationId, alice.id)).toBe(2);
      });

      it('is reset for the sender when they reply', async () => {
        await appendMany(3, bob.id);
        await store.appendMessage(text(alice.id, 'reply'));
        expect(await store.unreadCount(conversationId, alice.id)).toBe(0);
      });

      it('does not count messages of other conversations', async () => {
        await appendMany(2, bob.id, otherConversationId);
        expect(await store.unreadCount(conversationId, alice.id)).toBe(0);
      });

      it('is 0 for a non-member', async () => {
        const carol = await addUser('carol');
        await appendMany(2, bob.id);
        expect(await store.unreadCount(conversationId, carol.id)).toBe(0);
      });
    });

    describe('#markRead', () => {
      it('moves the marker forward and returns it', async () => {
        const ids = await appendMany(3, bob.id);
        expect(await store.markRead(conversationId, alice.id, ids[1]!)).toBe(ids[1]);
        expect(await marker(alice.id)).toBe(ids[1]);
      });

      it('never moves the marker backward', async () => {
        const ids = await appendMany(3, bob.id);
        await store.markRead(conversationId, alice.id, ids[2]!);
        expect(await store.markRead(conversationId, alice.id, ids[0]!)).toBe(ids[2]);
      });

      it('cannot move the marker beyond the last message', async () => {
        const ids = await appendMany(2, bob.id);
        await store.markRead(conversationId, alice.id, ids[0]!);
        expect(await store.markRead(conversationId, alice.id, ids[1]! + 1000)).toBe(ids[0]);
        expect(await store.unreadCount(conversationId, alice.id)).toBe(1);
      });

      it('cannot use a message id of a busier conversation to jump ahead', async () => {
        const ids = await appendMany(1, bob.id);
        const later = await appendMany(3, bob.id, otherConversationId);
        expect(await store.markRead(conversationId, alice.id, later[2]!)).toBe(0);
        expect(await store.unreadCount(conversationId, alice.id)).toBe(ids.length);
      });

      it('returns 0 for a non-member and stores nothing', async () => {
        const carol = await addUser('carol');
        const ids = await appendMany(1, bob.id);
        expect(await store.markRead(conversationId, carol.id, ids[0]!)).toBe(0);
        expect(await store.getMembership(conversationId, carol.id)).toBeUndefined();
      });
    });
  });
});
