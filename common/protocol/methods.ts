import { z } from 'zod';
import { ERROR_CODES } from '../errors.js';
import { callNotifications, callRequests } from './calls.js';
import { diagnosticsRequests } from './diagnostics.js';
import { GroupCallInfo, groupCallNotifications, groupCallRequests } from './groupCalls.js';
import {
  ChosenStatus,
  ClientMessageId,
  Conversation,
  ConversationTitle,
  Id,
  Me,
  Message,
  MessageBody,
  PresenceStatus,
  RoomSummary,
  User,
} from './entities.js';

/**
 * Every request the client can send over the socket: its request data and response data.
 * Request schemas are strict: unknown keys are a BAD_REQUEST.
 */
export const requests = {
  /** Full state after (re)connecting: who I am, my conversations, presence of everyone I share one with. */
  'sync.state': {
    request: z.strictObject({}),
    response: z.object({
      me: Me,
      conversations: z.array(Conversation),
      presence: z.record(z.string(), PresenceStatus),
      /** Group calls in progress in the user's conversations. */
      groupCalls: z.array(GroupCallInfo).default([]),
    }),
  },
  /** Replace the current token with a fresh one (the old one is revoked). */
  'session.refresh': {
    request: z.strictObject({}),
    response: z.object({ token: z.string(), expiresAt: z.number() }),
  },
  /** Find people by username or display name prefix. */
  'users.search': {
    request: z.strictObject({ query: z.string().trim().min(1).max(64) }),
    response: z.object({ users: z.array(User) }),
  },
  /** Open (or return the existing) direct conversation with one other user. */
  'conversations.createDirect': {
    request: z.strictObject({ userId: Id }),
    response: z.object({ conversation: Conversation }),
  },
  /** Create a group chat with the given members (the caller is added). */
  'conversations.createGroup': {
    request: z.strictObject({
      title: ConversationTitle,
      memberIds: z.array(Id).min(1).max(255),
    }),
    response: z.object({ conversation: Conversation }),
  },
  /** Create a chat room, open to every member; guests only when `guestAccess`. */
  'conversations.createRoom': {
    request: z.strictObject({ title: ConversationTitle, guestAccess: z.boolean() }),
    response: z.object({ conversation: Conversation }),
  },
  /** All rooms on the server, with whether the caller has joined. */
  'conversations.listRooms': {
    request: z.strictObject({}),
    response: z.object({ rooms: z.array(RoomSummary) }),
  },
  /** Join a chat room. */
  'conversations.join': {
    request: z.strictObject({ conversationId: Id }),
    response: z.object({ conversation: Conversation }),
  },
  /** Leave a group chat or a room (direct conversations cannot be left). */
  'conversations.leave': {
    request: z.strictObject({ conversationId: Id }),
    response: z.object({}),
  },
  /** Send a text message. Idempotent on `clientId`. */
  'messages.send': {
    request: z.strictObject({
      conversationId: Id,
      clientId: ClientMessageId,
      body: MessageBody,
    }),
    response: z.object({ message: Message }),
  },
  /**
   * A page of history, oldest first. `before`: messages with id < before (older pages);
   * `after`: messages with id > after (catching up after a reconnect). At most one of them.
   */
  'messages.history': {
    request: z
      .strictObject({
        conversationId: Id,
        before: Id.optional(),
        after: z.number().int().nonnegative().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .refine((r) => r.before === undefined || r.after === undefined, {
        message: 'use either before or after, not both',
      }),
    response: z.object({ messages: z.array(Message), hasMore: z.boolean() }),
  },
  /** Move the caller's read marker forward (never backward). */
  'conversations.markRead': {
    request: z.strictObject({ conversationId: Id, messageId: Id }),
    response: z.object({ unread: z.number().int().nonnegative(), lastReadMessageId: z.number() }),
  },
  /** Choose online or do-not-disturb (applies to all of the caller's devices). */
  'presence.set': {
    request: z.strictObject({ status: ChosenStatus }),
    response: z.object({ status: PresenceStatus }),
  },
  ...callRequests,
  ...groupCallRequests,
  ...diagnosticsRequests,
} as const;

/** Every notification the server pushes. */
export const notifications = {
  /** A message was added to a conversation the user is a member of. */
  'message.new': z.object({ message: Message }),
  /** A conversation the user is in was created or changed (members, title). */
  'conversation.updated': z.object({ conversation: Conversation }),
  /** The user left or was removed from a conversation. */
  'conversation.removed': z.object({ conversationId: Id }),
  /** The user's read marker moved (possibly on another device). */
  'conversation.read': z.object({
    conversationId: Id,
    unread: z.number().int().nonnegative(),
    lastReadMessageId: z.number(),
  }),
  /** Someone who shares a conversation with the user changed presence. */
  'presence.changed': z.object({ userId: Id, status: PresenceStatus }),
  /** A frame had no usable request id (e.g. not JSON), so its error cannot be a response. */
  'protocol.error': z.object({ code: z.enum(ERROR_CODES), message: z.string() }),
  ...callNotifications,
  ...groupCallNotifications,
} as const;

export type RequestMethod = keyof typeof requests;
export type NotificationName = keyof typeof notifications;

export type RequestData<M extends RequestMethod> = z.input<(typeof requests)[M]['request']>;
/** Request data after parsing (defaults applied). */
export type ParsedRequestData<M extends RequestMethod> = z.output<(typeof requests)[M]['request']>;
export type ResponseData<M extends RequestMethod> = z.infer<(typeof requests)[M]['response']>;
export type NotificationData<N extends NotificationName> = z.infer<(typeof notifications)[N]>;

export const REQUEST_METHODS = Object.keys(requests) as RequestMethod[];
export const NOTIFICATION_NAMES = Object.keys(notifications) as NotificationName[];

export function isRequestMethod(value: string): value is RequestMethod {
  return Object.hasOwn(requests, value);
}

export function isNotificationName(value: string): value is NotificationName {
  return Object.hasOwn(notifications, value);
}
