import { EarshotError } from '../common/errors.js';
import type { Conversation, Message, Permission, RoomSummary, User } from '../common/protocol/index.js';
import { toPublicUser, type Principal } from './auth/AuthService.js';
import type { Clock } from './Clock.js';
import type { Hub } from './Hub.js';
import type { Metrics } from './metrics.js';
import type { ConversationRecord, MessagePage, Store } from './store/Store.js';

export function requirePermission(principal: Principal, permission: Permission): void {
  if (!principal.permissions.has(permission)) {
    throw new EarshotError('FORBIDDEN', `your role (${principal.user.role}) lacks the "${permission}" permission`);
  }
}

/**
 * Conversations and messages: every rule about who may see or change what lives here, checked
 * on the server for every request. Non-members get NOT_FOUND for conversations they cannot see
 * (no existence oracle) and FORBIDDEN where they can see but may not act.
 */
export class ChatService {
  private readonly store: Store;
  private readonly hub: Hub;
  private readonly clock: Clock;
  private readonly metrics: Metrics;

  constructor(options: { store: Store; hub: Hub; clock: Clock; metrics: Metrics }) {
    this.store = options.store;
    this.hub = options.hub;
    this.clock = options.clock;
    this.metrics = options.metrics;
  }

  async conversationsOf(userId: number): Promise<Conversation[]> {
    const records = await this.store.listConversationsOf(userId);
    return Promise.all(records.map((record) => this.view(record, userId)));
  }

  /** Presence of the user and everyone they share a conversation with. */
  async presenceMap(userId: number): Promise<Record<string, ReturnType<Hub['presenceOf']>>> {
    const ids = [userId, ...(await this.store.contactsOf(userId))];
    return Object.fromEntries(ids.map((id) => [String(id), this.hub.presenceOf(id)]));
  }

  async searchUsers(query: string): Promise<User[]> {
    return (await this.store.searchUsers(query, 20)).map(toPublicUser);
  }

  async createDirect(principal: Principal, otherId: number): Promise<Conversation> {
    requirePermission(principal, 'conversation.create');
    const me = principal.user.id;
    if (otherId === me) throw new EarshotError('BAD_REQUEST', 'a direct conversation needs another person');
    const other = await this.store.getUserById(otherId);
    // Guests reach one room's call and nothing else: nobody can pull one into a chat.
    if (!other || other.guest) throw new EarshotError('NOT_FOUND', 'no such user');
    const directKey = `${Math.min(me, otherId)}:${Math.max(me, otherId)}`;
    let record = await this.store.findDirectConversation(directKey);
    if (!record) {
      try {
        record = await this.store.createConversation({
          kind: 'direct',
          title: null,
          guestAccess: false,
          directKey,
          createdBy: me,
          createdAt: this.clock.now(),
          memberIds: [me, otherId],
        });
      } catch (error) {
        // Both people opened the conversation at the same moment: the other insert won.
        if (!(error instanceof EarshotError && error.code === 'CONFLICT')) throw error;
        record = (await this.store.findDirectConversation(directKey))!;
      }
      await this.announce(record, [me, otherId]);
    }
    return this.view(record, me);
  }

  async createGroup(principal: Principal, title: string, memberIds: number[]): Promise<Conversation> {
    requirePermission(principal, 'conversation.create');
    const me = principal.user.id;
    const ids = [...new Set([me, ...memberIds])];
    for (const id of ids) {
      const user = await this.store.getUserById(id);
      if (!user || user.guest) throw new EarshotError('NOT_FOUND', `no user with id ${id}`);
    }
    const record = await this.store.createConversation({
      kind: 'group',
      title,
      guestAccess: false,
      directKey: null,
      createdBy: me,
      createdAt: this.clock.now(),
      memberIds: ids,
    });
    await this.announce(record, ids);
    return this.view(record, me);
  }

  async createRoom(principal: Principal, title: string, guestAccess: boolean): Promise<Conversation> {
    requirePermission(principal, 'room.create');
    const me = principal.user.id;
    const record = await this.store.createConversation({
      kind: 'room',
      title,
      guestAccess,
      directKey: null,
      createdBy: me,
      createdAt: this.clock.now(),
      memberIds: [me],
    });
    await this.announce(record, [me]);
    return this.view(record, me);
  }

  async listRooms(principal: Principal): Promise<RoomSummary[]> {
    requirePermission(principal, 'room.join');
    return (await this.store.listRooms()).map((room) => ({
      id: room.id,
      title: room.title,
      guestAccess: room.guestAccess,
      memberCount: room.memberIds.length,
      joined: room.memberIds.includes(principal.user.id),
    }));
  }

  async joinRoom(principal: Principal, conversationId: number): Promise<Conversation> {
    requirePermission(principal, 'room.join');
    const record = await this.store.getConversation(conversationId);
    if (!record || record.kind !== 'room') throw new EarshotError('NOT_FOUND', 'no such room');
    const me = principal.user.id;
    if (!(await this.store.getMembership(conversationId, me))) {
      await this.store.addMember(conversationId, me, this.clock.now());
      const members = await this.store.getMembers(conversationId);
      await this.announce(record, members.map((m) => m.userId));
    }
    return this.view(record, me);
  }

  async leave(principal: Principal, conversationId: number): Promise<void> {
    const record = await this.requireMember(principal, conversationId);
    if (record.kind === 'direct') throw new EarshotError('FORBIDDEN', 'direct conversations cannot be left');
    const me = principal.user.id;
    await this.store.removeMember(conversationId, me);
    this.hub.notify([me], 'conversation.removed', { conversationId });
    const remaining = await this.store.getMembers(conversationId);
    await this.announce(record, remaining.map((m) => m.userId));
  }

  async send(principal: Principal, conversationId: number, clientId: string, body: string): Promise<Message> {
    requirePermission(principal, 'message.send');
    await this.requireMember(principal, conversationId);
    const { message, created } = await this.store.appendMessage({
      conversationId,
      senderId: principal.user.id,
      kind: 'text',
      body,
      clientId,
      createdAt: this.clock.now(),
    });
    if (created) {
      this.metrics.chatMessages.inc();
      await this.broadcast(message);
    }
    return message;
  }

  /** Add a system message (call ended, missed call …) and deliver it to every member. */
  async postSystemMessage(conversationId: number, body: string): Promise<Message> {
    const { message } = await this.store.appendMessage({
      conversationId,
      senderId: null,
      kind: 'system',
      body,
      clientId: null,
      createdAt: this.clock.now(),
    });
    await this.broadcast(message);
    return message;
  }

  async history(principal: Principal, conversationId: number, page: MessagePage) {
    await this.requireMember(principal, conversationId);
    return this.store.getMessages(conversationId, page);
  }

  async markRead(principal: Principal, conversationId: number, messageId: number) {
    await this.requireMember(principal, conversationId);
    const me = principal.user.id;
    const lastReadMessageId = await this.store.markRead(conversationId, me, messageId);
    const unread = await this.store.unreadCount(conversationId, me);
    // Other devices of the same user clear their badges too.
    this.hub.notify([me], 'conversation.read', { conversationId, unread, lastReadMessageId });
    return { unread, lastReadMessageId };
  }

  /** The conversation if the caller is a member; NOT_FOUND otherwise (no existence oracle). */
  async requireMember(principal: Principal, conversationId: number): Promise<ConversationRecord> {
    const record = await this.store.getConversation(conversationId);
    if (!record || !(await this.store.getMembership(conversationId, principal.user.id))) {
      throw new EarshotError('NOT_FOUND', 'no such conversation');
    }
    return record;
  }

  private async broadcast(message: Message): Promise<void> {
    const members = await this.store.getMembers(message.conversationId);
    this.hub.notify(
      members.map((m) => m.userId),
      'message.new',
      { message },
    );
  }

  /**
   * Tell each member about a new or changed conversation, each with their own unread view, and
   * the presence of its members: people who just came to share a conversation had no reason to
   * hear about each other before.
   */
  private async announce(record: ConversationRecord, userIds: number[]): Promise<void> {
    const members = [...new Set(userIds)];
    for (const userId of members) {
      if (!this.hub.isOnline(userId)) continue;
      if (!(await this.store.getMembership(record.id, userId))) continue;
      this.hub.notify([userId], 'conversation.updated', { conversation: await this.view(record, userId) });
      for (const other of members) {
        if (other !== userId) this.hub.notify([userId], 'presence.changed', { userId: other, status: this.hub.presenceOf(other) }, false);
      }
    }
  }

  async view(record: ConversationRecord, userId: number): Promise<Conversation> {
    const members = await this.store.getMembers(record.id);
    const users = await Promise.all(members.map((m) => this.store.getUserById(m.userId)));
    const mine = members.find((m) => m.userId === userId);
    return {
      id: record.id,
      kind: record.kind,
      title: record.title,
      guestAccess: record.guestAccess,
      members: users.filter((u) => u !== undefined).map(toPublicUser),
      createdAt: record.createdAt,
      lastMessage: await this.store.lastMessage(record.id),
      unread: mine ? await this.store.unreadCount(record.id, userId) : 0,
      lastReadMessageId: mine?.lastReadMessageId ?? 0,
    };
  }
}
