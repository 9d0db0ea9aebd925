import { assertUnreachable, EarshotError } from '../../common/errors.js';
import type { ParsedRequest, RequestMethod, ResponseData } from '../../common/protocol/index.js';
import type { AuthService, Principal } from '../auth/AuthService.js';
import { toPublicUser } from '../auth/AuthService.js';
import type { CallService } from '../calls/CallService.js';
import type { GroupCallService } from '../calls/GroupCallService.js';
import type { ChatService } from '../ChatService.js';
import type { ClientConnection } from '../ClientConnection.js';
import type { DiagnosticsService } from '../diagnostics/DiagnosticsService.js';
import type { Hub } from '../Hub.js';

/** What a guest session may call. */
const GUEST_METHODS: ReadonlySet<RequestMethod> = new Set<RequestMethod>([
  'sync.state',
  'session.refresh',
  'group.join',
  'group.connectTransport',
  'group.produce',
  'group.ready',
  'group.resumeConsumer',
  'group.restartIce',
  'group.setReceiveMode',
  'group.setMuted',
  'group.leave',
]);

export interface DispatchContext {
  /** Freshly re-authenticated for this request. */
  principal: Principal;
  /** The device the request came from (calls bind to one device). */
  connection: ClientConnection;
  /** Called after a token refresh so the connection keeps the new session. */
  replacePrincipal(principal: Principal): void;
}

export interface Services {
  auth: AuthService;
  chat: ChatService;
  hub: Hub;
  calls: CallService;
  groups: GroupCallService;
  diagnostics: DiagnosticsService;
}

/**
 * Route a parsed request to its service. The switch is exhaustive: adding a method to the
 * protocol without handling it here fails to compile.
 */
export async function dispatch(services: Services, ctx: DispatchContext, request: ParsedRequest): Promise<ResponseData<RequestMethod>> {
  const { auth, chat, hub, calls, groups, diagnostics } = services;
  const { principal, connection } = ctx;
  const me = principal.user.id;
  // Guests hold a token scoped to one room: they may join its calls and nothing else.
  if (principal.session.scopeConversationId !== null && !GUEST_METHODS.has(request.method)) {
    throw new EarshotError('FORBIDDEN', 'guests can only join the room\'s voice call');
  }
  switch (request.method) {
    case 'sync.state': {
      const conversations = await chat.conversationsOf(me);
      const scope = principal.session.scopeConversationId;
      return {
        me: { ...toPublicUser(principal.user), permissions: [...principal.permissions] },
        conversations,
        presence: await chat.presenceMap(me),
        groupCalls: groups.ongoing(scope !== null ? [scope] : conversations.map((c) => c.id)),
      };
    }
    case 'session.refresh': {
      const issued = await auth.refresh(principal);
      ctx.replacePrincipal({ ...principal, session: issued.session });
      return { token: issued.token, expiresAt: issued.expiresAt };
    }
    case 'users.search':
      return { users: await chat.searchUsers(request.data.query) };
    case 'conversations.createDirect':
      return { conversation: await chat.createDirect(principal, request.data.userId) };
    case 'conversations.createGroup':
      return { conversation: await chat.createGroup(principal, request.data.title, request.data.memberIds) };
    case 'conversations.createRoom':
      return { conversation: await chat.createRoom(principal, request.data.title, request.data.guestAccess) };
    case 'conversations.listRooms':
      return { rooms: await chat.listRooms(principal) };
    case 'conversations.join':
      return { conversation: await chat.joinRoom(principal, request.data.conversationId) };
    case 'conversations.leave':
      await chat.leave(principal, request.data.conversationId);
      return {};
    case 'messages.send':
      return { message: await chat.send(principal, request.data.conversationId, request.data.clientId, request.data.body) };
    case 'messages.history': {
      const { conversationId, before, after, limit } = request.data;
      return chat.history(principal, conversationId, { before, after, limit });
    }
    case 'conversations.markRead':
      return chat.markRead(principal, request.data.conversationId, request.data.messageId);
    case 'presence.set':
      return { status: await hub.setChosenStatus(me, request.data.status) };
    case 'call.place':
      return calls.place(principal, connection, request.data.conversationId);
    case 'call.accept':
      return calls.accept(principal, connection, request.data.callId);
    case 'call.decline':
      await calls.decline(principal, request.data.callId, request.data.busy);
      return {};
    case 'call.cancel':
      await calls.cancel(principal, request.data.callId);
      return {};
    case 'call.hangup':
      await calls.hangup(principal, request.data.callId);
      return {};
    case 'call.signal':
      calls.signal(principal, connection, request.data.callId, request.data.signal);
      return {};
    case 'call.rejoin':
      return calls.rejoin(principal, connection, request.data.callId);
    case 'call.history':
      return { calls: await calls.history(principal, request.data.limit, request.data.before) };
    case 'group.start':
      return { call: await groups.start(principal, request.data.conversationId) };
    case 'group.join':
      return groups.join(principal, connection, request.data.conversationId);
    case 'group.joinPlainRtp':
      return groups.joinPlainRtp(principal, connection, request.data.conversationId, request.data.recvPort);
    case 'group.connectTransport':
      await groups.connectTransport(connection, request.data.callId, request.data.transportId, request.data.dtlsParameters);
      return {};
    case 'group.produce':
      return { producerId: await groups.produce(connection, request.data.callId, request.data.transportId, request.data.rtpParameters, request.data.replace ?? false) };
    case 'group.ready':
      await groups.ready(connection, request.data.callId, request.data.rtpCapabilities);
      return {};
    case 'group.resumeConsumer':
      await groups.resumeConsumer(connection, request.data.callId, request.data.consumerId);
      return {};
    case 'group.restartIce':
      return { iceParameters: await groups.restartIce(connection, request.data.callId, request.data.transportId) };
    case 'group.setReceiveMode':
      await groups.setReceiveMode(connection, request.data.callId, request.data.mode);
      return {};
    case 'group.setMuted':
      await groups.setMuted(connection, request.data.callId, request.data.muted);
      return {};
    case 'group.hostMute':
      await groups.hostMute(connection, request.data.callId, request.data.participantId);
      return {};
    case 'group.hostMuteAll':
      await groups.hostMute(connection, request.data.callId, null);
      return {};
    case 'group.askToUnmute':
      await groups.askToUnmute(connection, request.data.callId, request.data.participantId);
      return {};
    case 'group.leave':
      await groups.leave(connection, request.data.callId);
      return {};
    case 'diagnostics.ice':
      return diagnostics.ice(principal);
    case 'diagnostics.sfuProbe':
      return diagnostics.sfuProbe(principal, connection);
    default:
      return assertUnreachable(request);
  }
}
