import type { CallRecord } from '../../common/protocol/calls.js';
import type { ChosenStatus, ConversationKind, Message, MessageKind, Permission } from '../../common/protocol/index.js';

/**
 * Persistence for the signaling server. SQLite (SqliteStore) is the embedded default; the
 * interface is async so a networked store (PostgreSQL) can replace it without touching callers.
 * Each method is atomic on its own; no method leaves partial state behind on error.
 */
export interface Store {
  // Users
  createUser(input: NewUser): Promise<UserRecord>;
  getUserById(id: number): Promise<UserRecord | undefined>;
  getUserByUsername(username: string): Promise<UserRecord | undefined>;
  /** Prefix match on username or display name, case-insensitive, at most `limit`. */
  searchUsers(query: string, limit: number): Promise<UserRecord[]>;
  listUsers(): Promise<UserRecord[]>;
  setUserRole(userId: number, role: string): Promise<void>;
  setUserStatus(userId: number, status: ChosenStatus): Promise<void>;

  // Roles
  getRole(name: string): Promise<RoleRecord | undefined>;
  listRoles(): Promise<RoleRecord[]>;
  /** Create or replace a role's permission set. */
  upsertRole(name: string, permissions: readonly Permission[]): Promise<void>;

  // Sessions (tokens are stored as SHA-256 hashes only)
  createSession(input: NewSession): Promise<SessionRecord>;
  getSessionByTokenHash(tokenHash: string): Promise<SessionRecord | undefined>;
  revokeSession(sessionId: number, at: number): Promise<void>;
  /** Revoke all of a user's live sessions; returns their ids. */
  revokeUserSessions(userId: number, at: number): Promise<number[]>;
  deleteExpiredSessions(now: number): Promise<number>;

  // Conversations
  /** Create a conversation with its members in one step. Direct conversations need `directKey`. */
  createConversation(input: NewConversation): Promise<ConversationRecord>;
  getConversation(id: number): Promise<ConversationRecord | undefined>;
  findDirectConversation(directKey: string): Promise<ConversationRecord | undefined>;
  listConversationsOf(userId: number): Promise<ConversationRecord[]>;
  listRooms(): Promise<RoomRecord[]>;
  getMembers(conversationId: number): Promise<MemberRecord[]>;
  getMembership(conversationId: number, userId: number): Promise<MemberRecord | undefined>;
  addMember(conversationId: number, userId: number, joinedAt: number): Promise<void>;
  removeMember(conversationId: number, userId: number): Promise<void>;
  /** Ids of every user who shares at least one conversation with `userId` (not including them). */
  contactsOf(userId: number): Promise<number[]>;

  // Messages
  /**
   * Append a message. Idempotent on (senderId, clientId): a resend returns the stored message
   * with `created: false`; the same clientId in another conversation is a CONFLICT.
   * Moves the sender's read marker to the new message.
   */
  appendMessage(input: NewMessage): Promise<{ message: Message; created: boolean }>;
  /** Oldest first. `before`/`after` are exclusive message ids. */
  getMessages(conversationId: number, page: MessagePage): Promise<{ messages: Message[]; hasMore: boolean }>;
  lastMessage(conversationId: number): Promise<Message | null>;
  /** Move the read marker forward (never backward); returns the marker now in force. */
  markRead(conversationId: number, userId: number, messageId: number): Promise<number>;
  /** Text messages from other people after the user's read marker. */
  unreadCount(conversationId: number, userId: number): Promise<number>;

  // Call history (metadata only: the media path stores nothing)
  createCall(input: NewCall): Promise<void>;
  /** Add a participant row (invited or joined). */
  addCallParticipant(callId: string, userId: number | null, displayName: string, joinedAt: number | null): Promise<void>;
  setCallParticipantJoined(callId: string, userId: number, joinedAt: number): Promise<void>;
  setCallParticipantLeft(callId: string, userId: number, leftAt: number): Promise<void>;
  setCallAnswered(callId: string, answeredAt: number): Promise<void>;
  endCall(callId: string, endedAt: number, outcome: string, durationMs: number): Promise<void>;
  /** Calls the user took part in or was invited to, newest first. */
  listCallsOf(userId: number, limit: number, before?: number): Promise<CallRecord[]>;
  /** Calls that were never ended (e.g. the server died mid-call). */
  listOpenCalls(): Promise<CallRecord[]>;

  /**
   * Why writes are failing for a reason of the storage itself (disk full, read-only, I/O
   * error), in words, or null when they are not: set by such a failure, cleared by the next
   * write that stores something. Optional; a store without it is taken as healthy.
   */
  storageProblem?(): string | null;

  /** Flush and close. Safe to call twice. */
  close(): Promise<void>;
}

export interface UserRecord {
  id: number;
  username: string;
  displayName: string;
  passwordHash: string;
  role: string;
  status: ChosenStatus;
  createdAt: number;
  /** A guest: no password, a session scoped to one room's calls. */
  guest: boolean;
}
export type NewUser = Pick<UserRecord, 'username' | 'displayName' | 'passwordHash' | 'role' | 'createdAt'> & { guest?: boolean };

export interface RoleRecord {
  name: string;
  permissions: Permission[];
  /** Built-in roles (admin, member, guest) can be changed but not deleted. */
  builtin: boolean;
}

export interface SessionRecord {
  id: number;
  tokenHash: string;
  userId: number;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  /** Guest sessions: the one room whose calls they may join; null for members. */
  scopeConversationId: number | null;
}
export type NewSession = Pick<SessionRecord, 'tokenHash' | 'userId' | 'createdAt' | 'expiresAt'> & { scopeConversationId?: number | null };

export interface ConversationRecord {
  id: number;
  kind: ConversationKind;
  title: string | null;
  guestAccess: boolean;
  /** Direct conversations only: `<lowerId>:<higherId>`, unique. */
  directKey: string | null;
  createdBy: number | null;
  createdAt: number;
}
export type NewConversation = Omit<ConversationRecord, 'id'> & { memberIds: number[] };

export interface RoomRecord {
  id: number;
  title: string;
  guestAccess: boolean;
  memberIds: number[];
}

export interface MemberRecord {
  conversationId: number;
  userId: number;
  joinedAt: number;
  lastReadMessageId: number;
}

export interface NewMessage {
  conversationId: number;
  senderId: number | null;
  kind: MessageKind;
  body: string;
  clientId: string | null;
  createdAt: number;
}

export interface MessagePage {
  before?: number;
  after?: number;
  limit: number;
}

export interface NewCall {
  id: string;
  conversationId: number;
  kind: 'direct' | 'group';
  callerId: number | null;
  startedAt: number;
  outcome: string;
}
