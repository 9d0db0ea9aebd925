import { randomBytes } from 'node:crypto';
import type { types as ms } from 'mediasoup';
import { EarshotError } from '../../common/errors.js';
import { formatDuration } from '../../common/formatDuration.js';
import { encodeNotification } from '../../common/protocol/frames.js';
import type { GroupCallInfo, GroupParticipant, IceConfig, TransportParams } from '../../common/protocol/index.js';
import { GroupRoom, type ReceiveMode } from '../../sfu/GroupRoom.js';
import type { Sfu } from '../../sfu/Sfu.js';
import type { Principal } from '../auth/AuthService.js';
import { requirePermission, type ChatService } from '../ChatService.js';
import type { ClientConnection } from '../ClientConnection.js';
import type { Clock } from '../Clock.js';
import type { Hub } from '../Hub.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/Store.js';
import { recordCallHistory } from './recordCallHistory.js';

export interface GroupCallServiceOptions {
  store: Store;
  hub: Hub;
  chat: ChatService;
  clock: Clock;
  logger: Logger;
  /** null: no SFU on this node; group calls answer UNAVAILABLE. */
  sfu: Sfu | null;
  /** Most participants in one call. Default 50. */
  cap: number;
  /** Whether `group.joinPlainRtp` is allowed (load-test bots on this host). */
  plainRtp: boolean;
  /** How long a participant whose socket dropped stays in the call. */
  reconnectGraceMs: number;
  iceConfigFor(userId: number): IceConfig;
}

interface Participant {
  id: string;
  userId: number;
  displayName: string;
  guest: boolean;
  connection: ClientConnection;
  joinedAt: number;
  muted: boolean;
  mutedByHost: boolean;
  grace: NodeJS.Timeout | undefined;
}

interface GroupCall {
  id: string;
  conversationId: number;
  startedAt: number;
  room: GroupRoom;
  /** Join order: the longest-present participant is first (host passes down this list). */
  participants: Map<string, Participant>;
  hostUserId: number;
}

/**
 * Group voice calls on the SFU: start/join/leave, the permission and cap checks, host controls,
 * history, and moving a call to a new router when its worker dies. The media path stores
 * nothing; this service keeps only call metadata (who, when) in the store.
 */
export class GroupCallService {
  private readonly o: GroupCallServiceOptions;
  private readonly log: Logger;
  private readonly byConversation = new Map<number, GroupCall>();
  private readonly byId = new Map<string, GroupCall>();

  constructor(options: GroupCallServiceOptions) {
    this.o = options;
    this.log = options.logger.child({ module: 'group-calls' });
    options.sfu?.on('workerDied', ({ pid, routerIds }) => void this.recoverFromWorkerDeath(pid, routerIds));
  }

  /** Whether the user takes part in any group call (for presence and 1-on-1 busy checks). */
  isInCall(userId: number): boolean {
    for (const call of this.byId.values()) for (const p of call.participants.values()) if (p.userId === userId) return true;
    return false;
  }

  /** The ongoing call of each of these conversations, for sync. */
  ongoing(conversationIds: number[]): GroupCallInfo[] {
    return conversationIds.flatMap((id) => {
      const call = this.byConversation.get(id);
      return call ? [this.info(call)] : [];
    });
  }

  async start(principal: Principal, conversationId: number): Promise<GroupCallInfo> {
    requirePermission(principal, 'groupcall.start');
    await this.o.chat.requireMember(principal, conversationId);
    const existing = this.byConversation.get(conversationId);
    if (existing) return this.info(existing);
    const sfu = this.requireSfu();
    const now = this.o.clock.now();
    const call: GroupCall = {
      id: randomBytes(16).toString('base64url'),
      conversationId,
      startedAt: now,
      room: await GroupRoom.create(sfu),
      participants: new Map(),
      hostUserId: principal.user.id,
    };
    this.wireRoom(call);
    this.byConversation.set(conversationId, call);
    this.byId.set(call.id, call);
    await recordCallHistory(this.log, call.id, async () => {
      await this.o.store.createCall({ id: call.id, conversationId, kind: 'group', callerId: principal.user.id, startedAt: now, outcome: 'active' });
      await this.o.store.setCallAnswered(call.id, now);
    });
    this.log.info({ call: call.id, conversation: conversationId }, 'group call started');
    await this.broadcast(call);
    return this.info(call);
  }

  async join(principal: Principal, connection: ClientConnection, conversationId: number) {
    const { call, participant, media } = await this.admit(principal, connection, conversationId, (room, peerId) => room.addPeer(peerId));
    return {
      call: this.info(call),
      participantId: participant.id,
      routerRtpCapabilities: media.routerRtpCapabilities as unknown as Record<string, unknown>,
      sendTransport: media.send as unknown as TransportParams,
      recvTransport: media.recv as unknown as TransportParams,
      ice: this.o.iceConfigFor(participant.userId),
    };
  }

  /** Join with plain RTP (see `group.joinPlainRtp`); RTP for this participant goes to 127.0.0.1:recvPort. */
  async joinPlainRtp(principal: Principal, connection: ClientConnection, conversationId: number, recvPort: number) {
    if (!this.o.plainRtp) throw new EarshotError('FORBIDDEN', 'plain RTP participants are not enabled on this server');
    const { call, participant, media } = await this.admit(principal, connection, conversationId, (room, peerId) =>
      room.addPlainPeer(peerId, { ip: '127.0.0.1', port: recvPort }),
    );
    return {
      call: this.info(call),
      participantId: participant.id,
      routerRtpCapabilities: media.routerRtpCapabilities as unknown as Record<string, unknown>,
      sendTransport: media.send,
      recvTransportId: media.recvTransportId,
    };
  }

  /** Checks, cap, the room peer (`addPeer`), the participant record and the broadcast, shared by both kinds of join. */
  private async admit<M>(principal: Principal, connection: ClientConnection, conversationId: number, addPeer: (room: GroupRoom, peerId: string) => Promise<M>) {
    requirePermission(principal, 'groupcall.join');
    if (principal.session.scopeConversationId === null) await this.o.chat.requireMember(principal, conversationId);
    else await this.requireGuestRoom(principal, conversationId);
    const call = this.byConversation.get(conversationId);
    if (!call) throw new EarshotError('CALL_NOT_FOUND', 'no call in progress here');
    // The same person joining again (reconnect, second device) replaces their earlier place.
    const previous = [...call.participants.values()].find((p) => p.userId === principal.user.id);
    if (previous) this.replaceParticipant(call, previous);
    if (call.participants.size >= this.o.cap) throw new EarshotError('ROOM_FULL', `the call is full (${this.o.cap} people)`);
    const now = this.o.clock.now();
    const participant: Participant = {
      id: randomBytes(9).toString('base64url'),
      userId: principal.user.id,
      displayName: principal.user.displayName,
      guest: principal.user.guest,
      connection,
      joinedAt: previous?.joinedAt ?? now,
      muted: previous?.muted ?? false,
      mutedByHost: previous?.mutedByHost ?? false,
      grace: undefined,
    };
    const media = await addPeer(call.room, participant.id);
    call.participants.set(participant.id, participant);
    await recordCallHistory(this.log, call.id, () =>
      previous
        ? this.o.store.setCallParticipantJoined(call.id, participant.userId, now)
        : this.o.store.addCallParticipant(call.id, participant.userId, participant.displayName, now),
    );
    await this.o.hub.setInCall(participant.userId, true);
    await this.broadcast(call);
    return { call, participant, media };
  }

  async connectTransport(connection: ClientConnection, callId: string, transportId: string, dtlsParameters: Record<string, unknown>): Promise<void> {
    const { call, participant } = this.mine(connection, callId);
    await call.room.connectTransport(participant.id, transportId, dtlsParameters as unknown as ms.DtlsParameters);
  }

  async produce(connection: ClientConnection, callId: string, transportId: string, rtpParameters: Record<string, unknown>, replace = false): Promise<string> {
    const { call, participant } = this.mine(connection, callId);
    // Paused while muted (by themselves or the host), a replacement producer included.
    return call.room.produce(participant.id, transportId, rtpParameters as unknown as ms.RtpParameters, participant.muted, replace);
  }

  async ready(connection: ClientConnection, callId: string, rtpCapabilities: Record<string, unknown>): Promise<void> {
    const { call, participant } = this.mine(connection, callId);
    await call.room.setReady(participant.id, rtpCapabilities as unknown as ms.RtpCapabilities);
  }

  async resumeConsumer(connection: ClientConnection, callId: string, consumerId: string): Promise<void> {
    const { call, participant } = this.mine(connection, callId);
    await call.room.resumeConsumer(participant.id, consumerId);
  }

  async restartIce(connection: ClientConnection, callId: string, transportId: string): Promise<Record<string, unknown>> {
    const { call, participant } = this.mine(connection, callId);
    return (await call.room.restartIce(participant.id, transportId)) as unknown as Record<string, unknown>;
  }

  /** Receive everyone or only the active speakers (low-bandwidth mode); only the sender's own consumers change. */
  async setReceiveMode(connection: ClientConnection, callId: string, mode: ReceiveMode): Promise<void> {
    const { call, participant } = this.mine(connection, callId);
    await call.room.setReceiveMode(participant.id, mode);
  }

  async setMuted(connection: ClientConnection, callId: string, muted: boolean): Promise<void> {
    const { call, participant } = this.mine(connection, callId);
    if (!muted && participant.mutedByHost) throw new EarshotError('FORBIDDEN', 'muted by the host: wait until the host allows you to unmute');
    participant.muted = muted;
    await call.room.setProducerPaused(participant.id, muted);
    await this.broadcast(call);
  }

  async hostMute(connection: ClientConnection, callId: string, participantId: string | null): Promise<void> {
    const { call, participant: me } = this.mine(connection, callId);
    if (me.userId !== call.hostUserId) throw new EarshotError('FORBIDDEN', 'only the host can mute others');
    const targets = participantId === null ? [...call.participants.values()].filter((p) => p !== me) : [this.target(call, participantId)];
    for (const target of targets) {
      target.muted = true;
      target.mutedByHost = true;
      // The server pauses the producer: muting does not depend on the muted client's cooperation.
      await call.room.setProducerPaused(target.id, true);
      target.connection.send(encodeNotification('group.hostAction', { callId, action: 'muted' }));
    }
    await this.broadcast(call);
  }

  async askToUnmute(connection: ClientConnection, callId: string, participantId: string): Promise<void> {
    const { call, participant: me } = this.mine(connection, callId);
    if (me.userId !== call.hostUserId) throw new EarshotError('FORBIDDEN', 'only the host can ask someone to unmute');
    const target = this.target(call, participantId);
    // Allowed to unmute, still muted: the microphone is never opened remotely.
    target.mutedByHost = false;
    target.connection.send(encodeNotification('group.hostAction', { callId, action: 'askToUnmute' }));
    await this.broadcast(call);
  }

  async leave(connection: ClientConnection, callId: string): Promise<void> {
    const { call, participant } = this.mine(connection, callId);
    await this.removeParticipant(call, participant);
  }

  /** A socket closed: its participants stay for the grace period, then leave. */
  connectionClosed(connection: ClientConnection): void {
    for (const call of this.byId.values()) {
      for (const participant of call.participants.values()) {
        if (participant.connection !== connection) continue;
        participant.grace = setTimeout(
          () => void this.removeParticipant(call, participant).catch((error: unknown) => this.log.error({ err: error, call: call.id }, 'removing a participant failed')),
          this.o.reconnectGraceMs,
        );
      }
    }
  }

  dispose(): void {
    for (const call of this.byId.values()) {
      for (const p of call.participants.values()) clearTimeout(p.grace);
      call.room.close();
    }
  }

  /** A guest may join only the room its token is for, and only while the room still allows guests. */
  private async requireGuestRoom(principal: Principal, conversationId: number): Promise<void> {
    const room = await this.o.store.getConversation(conversationId);
    if (principal.session.scopeConversationId !== conversationId || !room?.guestAccess) {
      throw new EarshotError('NOT_FOUND', 'no such conversation');
    }
  }

  private requireSfu(): Sfu {
    if (!this.o.sfu) throw new EarshotError('UNAVAILABLE', 'group calls are not available on this server (no SFU)');
    return this.o.sfu;
  }

  /** The caller's participant in the call, identified by its connection (no one acts for another). */
  private mine(connection: ClientConnection, callId: string): { call: GroupCall; participant: Participant } {
    const call = this.byId.get(callId);
    const participant = call && [...call.participants.values()].find((p) => p.connection === connection);
    if (!call || !participant) throw new EarshotError('CALL_NOT_FOUND', 'you are not in this call');
    return { call, participant };
  }

  private target(call: GroupCall, participantId: string): Participant {
    const target = call.participants.get(participantId);
    if (!target) throw new EarshotError('NOT_FOUND', 'no such participant');
    return target;
  }

  /** Drop a participant's media place before the same person joins again (no leave recorded). */
  private replaceParticipant(call: GroupCall, participant: Participant): void {
    call.participants.delete(participant.id);
    clearTimeout(participant.grace);
    call.room.removePeer(participant.id);
  }

  private async removeParticipant(call: GroupCall, participant: Participant): Promise<void> {
    if (!call.participants.delete(participant.id)) return;
    clearTimeout(participant.grace);
    call.room.removePeer(participant.id);
    const now = this.o.clock.now();
    await recordCallHistory(this.log, call.id, () => this.o.store.setCallParticipantLeft(call.id, participant.userId, now));
    if (!this.isInCall(participant.userId)) await this.o.hub.setInCall(participant.userId, false);
    if (participant.userId === call.hostUserId) {
      // Host passes to the longest-present participant (Map keeps join order).
      // Guests cannot moderate, so hosting never passes to a guest.
      const next = [...call.participants.values()].filter((p) => !p.guest).sort((a, b) => a.joinedAt - b.joinedAt)[0];
      if (next) call.hostUserId = next.userId;
    }
    if (call.participants.size === 0) {
      await this.end(call);
      return;
    }
    await this.broadcast(call);
  }

  private async end(call: GroupCall): Promise<void> {
    this.byId.delete(call.id);
    this.byConversation.delete(call.conversationId);
    call.room.close();
    const now = this.o.clock.now();
    const duration = now - call.startedAt;
    await recordCallHistory(this.log, call.id, async () => {
      await this.o.store.endCall(call.id, now, 'ended', duration);
      await this.o.chat.postSystemMessage(call.conversationId, `Voice call ended · ${formatDuration(duration)}`);
    });
    await this.notifyMembers(call.conversationId, null);
    this.log.info({ call: call.id, durationMs: duration }, 'group call ended');
  }

  private wireRoom(call: GroupCall): void {
    const { room } = call;
    room.on('newConsumer', (peerId, consumer) => {
      call.participants.get(peerId)?.connection.send(
        encodeNotification('group.newConsumer', {
          callId: call.id,
          consumerId: consumer.consumerId,
          producerId: consumer.producerId,
          participantId: consumer.producerPeerId,
          kind: 'audio',
          rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>,
        }),
      );
    });
    room.on('consumerClosed', (peerId, consumerId) => {
      call.participants.get(peerId)?.connection.send(encodeNotification('group.consumerClosed', { callId: call.id, consumerId }));
    });
    room.on('speakers', (peerIds) => {
      const frame = encodeNotification('group.speakers', { callId: call.id, participantIds: peerIds });
      // Levels are the first thing to shed for a slow socket.
      for (const p of call.participants.values()) p.connection.send(frame, false);
    });
  }

  /** The worker under these routers died: move their calls to a new router; clients rejoin. */
  private async recoverFromWorkerDeath(pid: number, routerIds: string[]): Promise<void> {
    for (const call of this.byId.values()) {
      if (!routerIds.includes(call.room.router.id)) continue;
      this.log.warn({ call: call.id, pid }, 'media worker died; moving the call to a new worker');
      try {
        call.room = await GroupRoom.create(this.requireSfu());
        this.wireRoom(call);
      } catch (error) {
        this.log.error({ err: error, call: call.id }, 'cannot move the call');
        continue;
      }
      // Participants stay listed (presence and the participant list stay right); each client
      // sets its media up again with group.join, which replaces its old place.
      for (const p of call.participants.values()) {
        clearTimeout(p.grace);
        p.connection.send(encodeNotification('group.rejoin', { callId: call.id, conversationId: call.conversationId }));
      }
    }
  }

  private info(call: GroupCall): GroupCallInfo {
    return {
      callId: call.id,
      conversationId: call.conversationId,
      startedAt: call.startedAt,
      cap: this.o.cap,
      participants: [...call.participants.values()].map(
        (p): GroupParticipant => ({
          participantId: p.id,
          userId: p.userId,
          displayName: p.displayName,
          guest: p.guest,
          host: p.userId === call.hostUserId,
          muted: p.muted,
          mutedByHost: p.mutedByHost,
          joinedAt: p.joinedAt,
        }),
      ),
    };
  }

  private async broadcast(call: GroupCall): Promise<void> {
    await this.notifyMembers(call.conversationId, this.info(call));
  }

  /** Members of the conversation, everyone in the call, and guests connected for this room (guests are not members). */
  private async notifyMembers(conversationId: number, info: GroupCallInfo | null): Promise<void> {
    const members = await this.o.store.getMembers(conversationId);
    const inCall = info?.participants.flatMap((p) => (p.userId === null ? [] : [p.userId])) ?? [];
    // Guests waiting on the room's page hear about the call starting and ending too.
    const guests = [...this.o.hub.connections()].filter((c) => c.principal.session.scopeConversationId === conversationId).map((c) => c.userId);
    this.o.hub.notify([...members.map((m) => m.userId), ...inCall, ...guests], 'group.updated', { conversationId, call: info });
  }
}
