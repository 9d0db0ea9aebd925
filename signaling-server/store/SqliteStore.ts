import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { EarshotError } from '../../common/errors.js';
import { Permission, type ChosenStatus, type Message } from '../../common/protocol/index.js';
import { migrate } from './migrations.js';
import type { CallRecord } from '../../common/protocol/calls.js';
import type {
  ConversationRecord,
  NewCall,
  MemberRecord,
  MessagePage,
  NewConversation,
  NewMessage,
  NewSession,
  NewUser,
  RoleRecord,
  RoomRecord,
  SessionRecord,
  Store,
  UserRecord,
} from './Store.js';

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  password_hash: string;
  role: string;
  status: ChosenStatus;
  created_at: number;
  guest: number;
}
interface ConversationRow {
  id: number;
  kind: ConversationRecord['kind'];
  title: string | null;
  guest_access: number;
  direct_key: string | null;
  created_by: number | null;
  created_at: number;
}
interface CallRow {
  id: string;
  conversation_id: number;
  kind: 'direct' | 'group';
  caller_id: number | null;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  outcome: string;
  duration_ms: number;
}
interface MessageRow {
  id: number;
  conversation_id: number;
  sender_id: number | null;
  kind: Message['kind'];
  body: string;
  client_id: string | null;
  created_at: number;
}

const toUser = (r: UserRow): UserRecord => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  passwordHash: r.password_hash,
  role: r.role,
  status: r.status,
  createdAt: r.created_at,
  guest: r.guest === 1,
});
const toConversation = (r: ConversationRow): ConversationRecord => ({
  id: r.id,
  kind: r.kind,
  title: r.title,
  guestAccess: r.guest_access === 1,
  directKey: r.direct_key,
  createdBy: r.created_by,
  createdAt: r.created_at,
});
const toMessage = (r: MessageRow): Message => ({
  id: r.id,
  conversationId: r.conversation_id,
  senderId: r.sender_id,
  kind: r.kind,
  body: r.body,
  clientId: r.client_id,
  createdAt: r.created_at,
});
const parsePermissions = (json: string): Permission[] =>
  (JSON.parse(json) as unknown[]).filter((p): p is Permission => Permission.safeParse(p).success);

/**
 * Why the storage itself failed (not the request), in words for people, or null for other
 * errors. SQLite reports ENOSPC as SQLITE_FULL; EROFS and other write failures of the file
 * system surface as SQLITE_IOERR_* on an open database, or SQLITE_READONLY.
 */
function storageFailure(code: string): string | null {
  if (code === 'SQLITE_FULL') return "the server's disk is full";
  if (code.startsWith('SQLITE_READONLY')) return 'the database is read-only';
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN')) return 'the database cannot be read or written (I/O error)';
  return null;
}

/**
 * Map SQLite failures to typed errors: constraint → CONFLICT; full, read-only, I/O error and
 * busy → UNAVAILABLE with the reason (clients show "try again"; nothing was stored).
 */
function translate(error: unknown): unknown {
  const code = (error as { code?: string }).code ?? '';
  if (code.startsWith('SQLITE_CONSTRAINT')) return new EarshotError('CONFLICT', 'already exists');
  const failure = storageFailure(code);
  if (failure) return new EarshotError('UNAVAILABLE', `storage unavailable: ${failure} (${code})`);
  if (code.startsWith('SQLITE_BUSY')) return new EarshotError('UNAVAILABLE', `storage busy (${code})`);
  return error;
}

/**
 * Refuse a data folder the server could not write (read-only file system, wrong owner): it
 * is better to stop at start with the reason than to run a server that cannot store a
 * message. SQLite itself would open such a database read-only and fail only at the first
 * write, or, after a clean shutdown (no -wal/-shm left), fail every read with
 * "unable to open database file".
 */
function requireWritable(dataDir: string, file: string): void {
  for (const target of [dataDir, file, `${file}-wal`, `${file}-shm`]) {
    if (target !== dataDir && !existsSync(target)) continue;
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      const why = code === 'EROFS' ? 'read-only file system' : code === 'EACCES' ? 'permission denied' : code;
      throw new EarshotError('UNAVAILABLE', `cannot open the database: ${target} is not writable (${why})`);
    }
  }
}

/**
 * The embedded store: one SQLite file in WAL mode, migrations applied on open.
 * better-sqlite3 is synchronous; methods are async only to honour the Store interface.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmt;
  private closed = false;
  private problem: string | null = null;

  private constructor(db: Database.Database) {
    this.db = db;
    this.stmt = {
      insertUser: db.prepare<[string, string, string, string, number, number]>(
        'INSERT INTO users (username, display_name, password_hash, role, created_at, guest) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      userById: db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?'),
      userByUsername: db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?'),
      searchUsers: db.prepare<[string, string, number], UserRow>(
        `SELECT * FROM users WHERE guest = 0 AND (username LIKE ? ESCAPE '\\' OR display_name LIKE ? ESCAPE '\\' COLLATE NOCASE)
         ORDER BY username LIMIT ?`,
      ),
      listUsers: db.prepare<[], UserRow>('SELECT * FROM users ORDER BY id'),
      setRole: db.prepare<[string, number]>('UPDATE users SET role = ? WHERE id = ?'),
      setStatus: db.prepare<[string, number]>('UPDATE users SET status = ? WHERE id = ?'),
      role: db.prepare<[string], { name: string; permissions: string; builtin: number }>('SELECT * FROM roles WHERE name = ?'),
      roles: db.prepare<[], { name: string; permissions: string; builtin: number }>('SELECT * FROM roles ORDER BY name'),
      upsertRole: db.prepare<[string, string]>(
        'INSERT INTO roles (name, permissions) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET permissions = excluded.permissions',
      ),
      insertSession: db.prepare<[string, number, number, number, number | null]>(
        'INSERT INTO sessions (token_hash, user_id, created_at, expires_at, scope_conversation_id) VALUES (?, ?, ?, ?, ?)',
      ),
      sessionByHash: db.prepare<
        [string],
        { id: number; token_hash: string; user_id: number; created_at: number; expires_at: number; revoked_at: number | null; scope_conversation_id: number | null }
      >(
        'SELECT * FROM sessions WHERE token_hash = ?',
      ),
      revokeSession: db.prepare<[number, number]>('UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      liveSessionsOf: db.prepare<[number], { id: number }>('SELECT id FROM sessions WHERE user_id = ? AND revoked_at IS NULL'),
      revokeUserSessions: db.prepare<[number, number]>('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL'),
      deleteExpired: db.prepare<[number]>('DELETE FROM sessions WHERE expires_at < ?'),
      insertConversation: db.prepare<[string, string | null, number, string | null, number | null, number]>(
        'INSERT INTO conversations (kind, title, guest_access, direct_key, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      conversation: db.prepare<[number], ConversationRow>('SELECT * FROM conversations WHERE id = ?'),
      directByKey: db.prepare<[string], ConversationRow>('SELECT * FROM conversations WHERE direct_key = ?'),
      conversationsOf: db.prepare<[number], ConversationRow>(
        `SELECT c.* FROM conversations c JOIN members m ON m.conversation_id = c.id WHERE m.user_id = ? ORDER BY c.id`,
      ),
      rooms: db.prepare<[], ConversationRow & { member_ids: string | null }>(
        `SELECT c.*, (SELECT group_concat(user_id) FROM members WHERE conversation_id = c.id) AS member_ids
         FROM conversations c WHERE c.kind = 'room' ORDER BY c.title COLLATE NOCASE`,
      ),
      members: db.prepare<[number], { conversation_id: number; user_id: number; joined_at: number; last_read_message_id: number }>(
        'SELECT * FROM members WHERE conversation_id = ? ORDER BY joined_at, user_id',
      ),
      membership: db.prepare<[number, number], { conversation_id: number; user_id: number; joined_at: number; last_read_message_id: number }>(
        'SELECT * FROM members WHERE conversation_id = ? AND user_id = ?',
      ),
      addMember: db.prepare<[number, number, number]>(
        'INSERT INTO members (conversation_id, user_id, joined_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      removeMember: db.prepare<[number, number]>('DELETE FROM members WHERE conversation_id = ? AND user_id = ?'),
      contactsOf: db.prepare<[number, number], { user_id: number }>(
        `SELECT DISTINCT other.user_id FROM members mine JOIN members other ON other.conversation_id = mine.conversation_id
         WHERE mine.user_id = ? AND other.user_id != ?`,
      ),
      insertMessage: db.prepare<[number, number | null, string, string, string | null, number]>(
        'INSERT INTO messages (conversation_id, sender_id, kind, body, client_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      messageById: db.prepare<[number], MessageRow>('SELECT * FROM messages WHERE id = ?'),
      messageByClientId: db.prepare<[number, string], MessageRow>('SELECT * FROM messages WHERE sender_id = ? AND client_id = ?'),
      messagesLatest: db.prepare<[number, number], MessageRow>(
        'SELECT * FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT ?',
      ),
      messagesBefore: db.prepare<[number, number, number], MessageRow>(
        'SELECT * FROM messages WHERE conversation_id = ? AND id < ? ORDER BY id DESC LIMIT ?',
      ),
      messagesAfter: db.prepare<[number, number, number], MessageRow>(
        'SELECT * FROM messages WHERE conversation_id = ? AND id > ? ORDER BY id ASC LIMIT ?',
      ),
      lastMessage: db.prepare<[number], MessageRow>('SELECT * FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT 1'),
      markRead: db.prepare<[number, number, number, number]>(
        `UPDATE members SET last_read_message_id = MAX(last_read_message_id, ?)
         WHERE conversation_id = ? AND user_id = ? AND ? <= (SELECT COALESCE(MAX(id), 0) FROM messages WHERE conversation_id = members.conversation_id)`,
      ),
      insertCall: db.prepare<[string, number, string, number | null, number, string]>(
        'INSERT INTO calls (id, conversation_id, kind, caller_id, started_at, outcome) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      insertCallParticipant: db.prepare<[string, number | null, string, number | null]>(
        'INSERT INTO call_participants (call_id, user_id, display_name, joined_at) VALUES (?, ?, ?, ?)',
      ),
      callParticipantJoined: db.prepare<[number, string, number]>(
        'UPDATE call_participants SET joined_at = COALESCE(joined_at, ?), left_at = NULL WHERE call_id = ? AND user_id = ?',
      ),
      callParticipantLeft: db.prepare<[number, string, number]>(
        'UPDATE call_participants SET left_at = ? WHERE call_id = ? AND user_id = ? AND joined_at IS NOT NULL AND left_at IS NULL',
      ),
      callAnswered: db.prepare<[number, string]>('UPDATE calls SET answered_at = ?, outcome = \'active\' WHERE id = ?'),
      endCall: db.prepare<[number, string, number, string]>(
        `UPDATE calls SET ended_at = ?, outcome = ?, duration_ms = ? WHERE id = ? AND ended_at IS NULL`,
      ),
      closeParticipants: db.prepare<[number, string]>(
        'UPDATE call_participants SET left_at = ? WHERE call_id = ? AND joined_at IS NOT NULL AND left_at IS NULL',
      ),
      callsOf: db.prepare<[number, number, number], CallRow>(
        `SELECT c.* FROM calls c WHERE c.id IN (SELECT call_id FROM call_participants WHERE user_id = ?) AND c.started_at < ?
         ORDER BY c.started_at DESC LIMIT ?`,
      ),
      openCalls: db.prepare<[], CallRow>('SELECT * FROM calls WHERE ended_at IS NULL'),
      callParticipants: db.prepare<[string], { user_id: number | null; display_name: string; joined_at: number | null; left_at: number | null }>(
        'SELECT * FROM call_participants WHERE call_id = ? ORDER BY rowid',
      ),
      totalChanges: db.prepare<[], { n: number }>('SELECT total_changes() AS n'),
      unread: db.prepare<[number, number, number], { n: number }>(
        `SELECT COUNT(*) AS n FROM messages m JOIN members me ON me.conversation_id = m.conversation_id AND me.user_id = ?
         WHERE m.conversation_id = ? AND m.id > me.last_read_message_id AND m.kind = 'text' AND m.sender_id != ?`,
      ),
    };
  }

  /** Open (creating if needed) `<dataDir>/earshot.db`, or an in-memory database for `:memory:`. */
  static open(dataDir: string | ':memory:'): SqliteStore {
    let file = ':memory:';
    if (dataDir !== ':memory:') {
      mkdirSync(dataDir, { recursive: true });
      file = path.join(dataDir, 'earshot.db');
      requireWritable(dataDir, file);
    }
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return new SqliteStore(db);
  }

  /** The schema version in force (PRAGMA user_version). */
  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /**
   * Why writes are failing, in words (e.g. "the server's disk is full"), or null when healthy:
   * set by a storage failure (see `storageFailure`), cleared by the next write that stores
   * something (see `write`).
   */
  storageProblem(): string | null {
    return this.problem;
  }

  /** Run a read (or a write through `write`), mapping SQLite failures to typed errors. */
  private run<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new EarshotError('UNAVAILABLE', 'store is closed'));
    try {
      return Promise.resolve(fn());
    } catch (error) {
      const failure = storageFailure((error as { code?: string }).code ?? '');
      if (failure) this.problem = failure;
      return Promise.reject(translate(error));
    }
  }

  /**
   * A write. A failed one changed nothing: single statements are atomic, and `db.transaction`
   * rolls back on the error before it reaches the caller (SQLite may already have rolled back
   * itself after SQLITE_FULL or an I/O error; better-sqlite3 then skips its own ROLLBACK).
   * Only a write that changed rows clears `storageProblem`: one that matched nothing never
   * reached the disk, so it proves nothing about it. While healthy (every message goes through
   * here) no change count is read.
   */
  private write<T>(fn: () => T): Promise<T> {
    if (this.problem === null) return this.run(fn);
    return this.run(() => {
      const before = this.stmt.totalChanges.get()!.n;
      const result = fn();
      if (this.stmt.totalChanges.get()!.n !== before) this.problem = null;
      return result;
    });
  }

  createUser(input: NewUser): Promise<UserRecord> {
    return this.write(() => {
      const { lastInsertRowid } = this.stmt.insertUser.run(input.username, input.displayName, input.passwordHash, input.role, input.createdAt, input.guest ? 1 : 0);
      return toUser(this.stmt.userById.get(Number(lastInsertRowid))!);
    });
  }
  getUserById(id: number) {
    return this.run(() => {
      const row = this.stmt.userById.get(id);
      return row && toUser(row);
    });
  }
  getUserByUsername(username: string) {
    return this.run(() => {
      const row = this.stmt.userByUsername.get(username);
      return row && toUser(row);
    });
  }
  searchUsers(query: string, limit: number) {
    const pattern = `${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.run(() => this.stmt.searchUsers.all(pattern.toLowerCase(), pattern, limit).map(toUser));
  }
  listUsers() {
    return this.run(() => this.stmt.listUsers.all().map(toUser));
  }
  setUserRole(userId: number, role: string) {
    return this.write(() => {
      this.stmt.setRole.run(role, userId);
    });
  }
  setUserStatus(userId: number, status: ChosenStatus) {
    return this.write(() => {
      this.stmt.setStatus.run(status, userId);
    });
  }

  getRole(name: string) {
    return this.run(() => {
      const row = this.stmt.role.get(name);
      return row && ({ name: row.name, permissions: parsePermissions(row.permissions), builtin: row.builtin === 1 } satisfies RoleRecord);
    });
  }
  listRoles() {
    return this.run(() =>
      this.stmt.roles.all().map((row): RoleRecord => ({ name: row.name, permissions: parsePermissions(row.permissions), builtin: row.builtin === 1 })),
    );
  }
  upsertRole(name: string, permissions: readonly Permission[]) {
    return this.write(() => {
      this.stmt.upsertRole.run(name, JSON.stringify([...new Set(permissions)]));
    });
  }

  createSession(input: NewSession) {
    return this.write((): SessionRecord => {
      const scope = input.scopeConversationId ?? null;
      const { lastInsertRowid } = this.stmt.insertSession.run(input.tokenHash, input.userId, input.createdAt, input.expiresAt, scope);
      return {
        id: Number(lastInsertRowid),
        tokenHash: input.tokenHash,
        userId: input.userId,
        createdAt: input.createdAt,
        expiresAt: input.expiresAt,
        revokedAt: null,
        scopeConversationId: scope,
      };
    });
  }
  getSessionByTokenHash(tokenHash: string) {
    return this.run(() => {
      const r = this.stmt.sessionByHash.get(tokenHash);
      return (
        r &&
        ({
          id: r.id,
          tokenHash: r.token_hash,
          userId: r.user_id,
          createdAt: r.created_at,
          expiresAt: r.expires_at,
          revokedAt: r.revoked_at,
          scopeConversationId: r.scope_conversation_id,
        } satisfies SessionRecord)
      );
    });
  }
  revokeSession(sessionId: number, at: number) {
    return this.write(() => {
      this.stmt.revokeSession.run(at, sessionId);
    });
  }
  revokeUserSessions(userId: number, at: number) {
    return this.write(
      this.db.transaction(() => {
        const ids = this.stmt.liveSessionsOf.all(userId).map((r) => r.id);
        this.stmt.revokeUserSessions.run(at, userId);
        return ids;
      }),
    );
  }
  deleteExpiredSessions(now: number) {
    return this.write(() => this.stmt.deleteExpired.run(now).changes);
  }

  createConversation(input: NewConversation) {
    return this.write(
      this.db.transaction(() => {
        const { lastInsertRowid } = this.stmt.insertConversation.run(
          input.kind,
          input.title,
          input.guestAccess ? 1 : 0,
          input.directKey,
          input.createdBy,
          input.createdAt,
        );
        const id = Number(lastInsertRowid);
        for (const userId of new Set(input.memberIds)) this.stmt.addMember.run(id, userId, input.createdAt);
        return toConversation(this.stmt.conversation.get(id)!);
      }),
    );
  }
  getConversation(id: number) {
    return this.run(() => {
      const row = this.stmt.conversation.get(id);
      return row && toConversation(row);
    });
  }
  findDirectConversation(directKey: string) {
    return this.run(() => {
      const row = this.stmt.directByKey.get(directKey);
      return row && toConversation(row);
    });
  }
  listConversationsOf(userId: number) {
    return this.run(() => this.stmt.conversationsOf.all(userId).map(toConversation));
  }
  listRooms() {
    return this.run(() =>
      this.stmt.rooms.all().map(
        (r): RoomRecord => ({
          id: r.id,
          title: r.title ?? '',
          guestAccess: r.guest_access === 1,
          memberIds: r.member_ids ? r.member_ids.split(',').map(Number) : [],
        }),
      ),
    );
  }
  getMembers(conversationId: number) {
    return this.run(() =>
      this.stmt.members.all(conversationId).map(
        (r): MemberRecord => ({ conversationId: r.conversation_id, userId: r.user_id, joinedAt: r.joined_at, lastReadMessageId: r.last_read_message_id }),
      ),
    );
  }
  getMembership(conversationId: number, userId: number) {
    return this.run(() => {
      const r = this.stmt.membership.get(conversationId, userId);
      return r && ({ conversationId: r.conversation_id, userId: r.user_id, joinedAt: r.joined_at, lastReadMessageId: r.last_read_message_id } satisfies MemberRecord);
    });
  }
  addMember(conversationId: number, userId: number, joinedAt: number) {
    return this.write(() => {
      this.stmt.addMember.run(conversationId, userId, joinedAt);
    });
  }
  removeMember(conversationId: number, userId: number) {
    return this.write(() => {
      this.stmt.removeMember.run(conversationId, userId);
    });
  }
  contactsOf(userId: number) {
    return this.run(() => this.stmt.contactsOf.all(userId, userId).map((r) => r.user_id));
  }

  appendMessage(input: NewMessage) {
    return this.write(
      this.db.transaction(() => {
        if (input.clientId !== null && input.senderId !== null) {
          const existing = this.stmt.messageByClientId.get(input.senderId, input.clientId);
          if (existing && existing.conversation_id !== input.conversationId) {
            throw new EarshotError('CONFLICT', 'clientId already used for a message in another conversation');
          }
          if (existing) return { message: toMessage(existing), created: false };
        }
        const { lastInsertRowid } = this.stmt.insertMessage.run(
          input.conversationId,
          input.senderId,
          input.kind,
          input.body,
          input.clientId,
          input.createdAt,
        );
        const id = Number(lastInsertRowid);
        if (input.senderId !== null) this.stmt.markRead.run(id, input.conversationId, input.senderId, id);
        return { message: toMessage(this.stmt.messageById.get(id)!), created: true };
      }),
    );
  }
  getMessages(conversationId: number, page: MessagePage) {
    return this.run(() => {
      // Fetch one extra row to learn whether another page exists.
      const n = page.limit + 1;
      let rows: MessageRow[];
      if (page.after !== undefined) {
        rows = this.stmt.messagesAfter.all(conversationId, page.after, n);
        const hasMore = rows.length > page.limit;
        return { messages: rows.slice(0, page.limit).map(toMessage), hasMore };
      }
      rows = page.before !== undefined ? this.stmt.messagesBefore.all(conversationId, page.before, n) : this.stmt.messagesLatest.all(conversationId, n);
      const hasMore = rows.length > page.limit;
      return { messages: rows.slice(0, page.limit).reverse().map(toMessage), hasMore };
    });
  }
  lastMessage(conversationId: number) {
    return this.run(() => {
      const row = this.stmt.lastMessage.get(conversationId);
      return row ? toMessage(row) : null;
    });
  }
  markRead(conversationId: number, userId: number, messageId: number) {
    return this.write(() => {
      this.stmt.markRead.run(messageId, conversationId, userId, messageId);
      return this.stmt.membership.get(conversationId, userId)?.last_read_message_id ?? 0;
    });
  }
  unreadCount(conversationId: number, userId: number) {
    return this.run(() => this.stmt.unread.get(userId, conversationId, userId)?.n ?? 0);
  }

  createCall(input: NewCall) {
    return this.write(() => {
      this.stmt.insertCall.run(input.id, input.conversationId, input.kind, input.callerId, input.startedAt, input.outcome);
    });
  }
  addCallParticipant(callId: string, userId: number | null, displayName: string, joinedAt: number | null) {
    return this.write(() => {
      this.stmt.insertCallParticipant.run(callId, userId, displayName, joinedAt);
    });
  }
  setCallParticipantJoined(callId: string, userId: number, joinedAt: number) {
    return this.write(() => {
      this.stmt.callParticipantJoined.run(joinedAt, callId, userId);
    });
  }
  setCallParticipantLeft(callId: string, userId: number, leftAt: number) {
    return this.write(() => {
      this.stmt.callParticipantLeft.run(leftAt, callId, userId);
    });
  }
  setCallAnswered(callId: string, answeredAt: number) {
    return this.write(() => {
      this.stmt.callAnswered.run(answeredAt, callId);
    });
  }
  endCall(callId: string, endedAt: number, outcome: string, durationMs: number) {
    return this.write(
      this.db.transaction(() => {
        this.stmt.endCall.run(endedAt, outcome, durationMs, callId);
        this.stmt.closeParticipants.run(endedAt, callId);
      }),
    );
  }
  listCallsOf(userId: number, limit: number, before?: number) {
    return this.run(() => this.stmt.callsOf.all(userId, before ?? Number.MAX_SAFE_INTEGER, limit).map((row) => this.toCallRecord(row)));
  }
  listOpenCalls() {
    return this.run(() => this.stmt.openCalls.all().map((row) => this.toCallRecord(row)));
  }
  private toCallRecord(r: CallRow): CallRecord {
    return {
      callId: r.id,
      conversationId: r.conversation_id,
      kind: r.kind,
      callerId: r.caller_id,
      participants: this.stmt.callParticipants
        .all(r.id)
        .map((p) => ({ userId: p.user_id, displayName: p.display_name, joinedAt: p.joined_at, leftAt: p.left_at })),
      startedAt: r.started_at,
      answeredAt: r.answered_at,
      endedAt: r.ended_at,
      outcome: r.outcome,
      durationMs: r.duration_ms,
    };
  }

  close() {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A read-only or full disk cannot checkpoint; closing still releases the file cleanly.
    }
    this.db.close();
    return Promise.resolve();
  }
}
