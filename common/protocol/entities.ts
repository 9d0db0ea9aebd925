import { z } from 'zod';

/** Numeric database id (positive integer). */
export const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Milliseconds since the Unix epoch. */
export const Timestamp = z.number().int().nonnegative();

export const Username = z
  .string()
  .min(3)
  .max(32)
  .regex(/^[a-z0-9_.-]+$/, 'lowercase letters, digits, "_", "." and "-" only');

export const DisplayName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  // No control characters (incl. bidi overrides) in names shown to other people.
  .regex(/^[^\p{Cc}\u202A-\u202E\u2066-\u2069]+$/u, 'no control characters');

export const Password = z.string().min(8).max(256);

export const PERMISSIONS = [
  /** Place a 1-on-1 call. */
  'call.place',
  /** Answer a 1-on-1 call. */
  'call.join',
  /** Start a group voice call. */
  'groupcall.start',
  /** Join a group voice call. */
  'groupcall.join',
  /** Create direct and group conversations. */
  'conversation.create',
  /** Create chat rooms. */
  'room.create',
  /** Join chat rooms (open to all members). */
  'room.join',
  /** Send text messages. */
  'message.send',
  /** Manage users and roles (admin tools). */
  'admin',
] as const;
export const Permission = z.enum(PERMISSIONS);
export type Permission = z.infer<typeof Permission>;

export const RoleName = z
  .string()
  .min(2)
  .max(32)
  .regex(/^[a-z][a-z0-9_-]*$/);

export const User = z.object({
  id: Id,
  username: Username,
  displayName: z.string(),
  role: z.string(),
});
export type User = z.infer<typeof User>;

/** What the signed-in user may do; sent once with the sync state. */
export const Me = User.extend({
  permissions: z.array(Permission),
});
export type Me = z.infer<typeof Me>;

/**
 * Aggregated presence of a user across all their devices.
 * `offline`: no device connected; `busy`: in a call; `dnd`: do not disturb (chosen).
 */
export const PresenceStatus = z.enum(['online', 'offline', 'busy', 'dnd']);
export type PresenceStatus = z.infer<typeof PresenceStatus>;

/** The part of presence a user chooses; `busy` and `offline` are derived by the server. */
export const ChosenStatus = z.enum(['online', 'dnd']);
export type ChosenStatus = z.infer<typeof ChosenStatus>;

export const ConversationKind = z.enum(['direct', 'group', 'room']);
export type ConversationKind = z.infer<typeof ConversationKind>;

export const MessageKind = z.enum(['text', 'system']);
export type MessageKind = z.infer<typeof MessageKind>;

/** Message text: 1–4000 characters after trimming. */
export const MessageBody = z.string().trim().min(1).max(4000);

/** Client-chosen idempotency key so a resend after reconnect never duplicates a message. */
export const ClientMessageId = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/);

export const Message = z.object({
  id: Id,
  conversationId: Id,
  /** null for system messages. */
  senderId: Id.nullable(),
  kind: MessageKind,
  body: z.string(),
  createdAt: Timestamp,
  clientId: z.string().nullable(),
});
export type Message = z.infer<typeof Message>;

export const Conversation = z.object({
  id: Id,
  kind: ConversationKind,
  /** null for direct conversations (the UI shows the other person's name). */
  title: z.string().nullable(),
  /** Rooms only: whether guests may join the room's calls by display name. */
  guestAccess: z.boolean(),
  members: z.array(User),
  createdAt: Timestamp,
  lastMessage: Message.nullable(),
  /** Messages from others after the caller's read marker. */
  unread: z.number().int().nonnegative(),
  /** The caller's read marker (0 = nothing read). */
  lastReadMessageId: z.number().int().nonnegative(),
});
export type Conversation = z.infer<typeof Conversation>;

/** A room as listed to people who have not joined it. */
export const RoomSummary = z.object({
  id: Id,
  title: z.string(),
  guestAccess: z.boolean(),
  memberCount: z.number().int().nonnegative(),
  joined: z.boolean(),
});
export type RoomSummary = z.infer<typeof RoomSummary>;

export const ConversationTitle = z.string().trim().min(1).max(80);
