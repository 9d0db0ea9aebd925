import { randomBytes } from 'node:crypto';
import { EarshotError } from '../../common/errors.js';
import { formatDuration } from '../../common/formatDuration.js';
import type { CallEndReason, CallInfo, CallRecord, CallSignal, IceConfig } from '../../common/protocol/calls.js';
import { encodeNotification } from '../../common/protocol/frames.js';
import { toPublicUser, type AuthService, type Principal } from '../auth/AuthService.js';
import { requirePermission, type ChatService } from '../ChatService.js';
import type { ClientConnection } from '../ClientConnection.js';
import type { Clock } from '../Clock.js';
import type { Hub } from '../Hub.js';
import type { Logger } from '../logger.js';
import type { Store, UserRecord } from '../store/Store.js';
import { recordCallHistory } from './recordCallHistory.js';
import { mintIceConfig, type TurnOptions } from './TurnCredentials.js';

export interface CallServiceOptions {
  store: Store;
  auth: AuthService;
  hub: Hub;
  chat: ChatService;
  clock: Clock;
  logger: Logger;
  turn: TurnOptions;
  /** How long the callee's devices ring before the call ends as `no_answer`. Default 30 s. */
  ringTimeoutMs: number;
  /** How long a participant whose socket dropped may take to come back. Default 15 s. */
  reconnectGraceMs: number;
  /** Whether the user is in a group call (then they are busy for 1-on-1 calls too). */
  isInGroupCall?: (userId: number) => boolean;
}

/** Caller-side signals sent while ringing wait here and go to the device that answers. */
const MAX_EARLY_SIGNALS = 64;

interface Leg {
  user: UserRecord;
  /** The device taking part; null while ringing (callee) or while its socket is gone. */
  connection: ClientConnection | null;
  grace: NodeJS.Timeout | undefined;
}

interface ActiveCall {
  id: string;
  conversationId: number;
  caller: Leg;
  callee: Leg;
  state: 'ringing' | 'active';
  startedAt: number;
  answeredAt: number | null;
  ringTimer: NodeJS.Timeout | undefined;
  earlySignals: CallSignal[];
}

/**
 * 1-on-1 calls: placing, ringing every device of the callee, first-accept-wins, SDP/ICE relay
 * between exactly the two bound devices, reconnect grace, and the history and system messages
 * each outcome leaves behind. Media never touches the server.
 */
export class CallService {
  private readonly calls = new Map<string, ActiveCall>();
  /** User id → the call they are in (ringing or active); a user is in at most one call. */
  private readonly byUser = new Map<number, string>();
  private readonly options: CallServiceOptions;
  private readonly logger: Logger;

  constructor(options: CallServiceOptions) {
    this.options = options;
    this.logger = options.logger.child({ module: 'calls' });
  }

  /** Whether the user is in a call (ringing or active); group calls will add to this. */
  isInCall(userId: number): boolean {
    return this.byUser.has(userId) || (this.options.isInGroupCall?.(userId) ?? false);
  }

  iceConfigFor(userId: number): IceConfig {
    return mintIceConfig(this.options.turn, userId, this.options.clock.now());
  }

  async place(principal: Principal, connection: ClientConnection, conversationId: number): Promise<{ call: CallInfo; ice: IceConfig }> {
    const { store, hub, chat, clock } = this.options;
    requirePermission(principal, 'call.place');
    const conversation = await chat.requireMember(principal, conversationId);
    if (conversation.kind !== 'direct') throw new EarshotError('BAD_REQUEST', '1-on-1 calls are placed in direct conversations');
    const members = await store.getMembers(conversationId);
    const calleeId = members.find((m) => m.userId !== principal.user.id)?.userId;
    const callee = calleeId === undefined ? undefined : await store.getUserById(calleeId);
    if (!callee) throw new EarshotError('NOT_FOUND', 'the other person no longer exists');
    if (!(await this.options.auth.permissionsOf(callee.role)).has('call.join')) {
      throw new EarshotError('FORBIDDEN', `${callee.displayName} cannot take calls`);
    }
    if (this.isInCall(principal.user.id)) throw new EarshotError('CONFLICT', 'you are already in a call');

    const now = clock.now();
    const id = randomBytes(16).toString('base64url');
    const record = (outcome: string) =>
      recordCallHistory(this.logger, id, async () => {
        await store.createCall({ id, conversationId, kind: 'direct', callerId: principal.user.id, startedAt: now, outcome });
        await store.addCallParticipant(id, principal.user.id, principal.user.displayName, null);
        await store.addCallParticipant(id, callee.id, callee.displayName, null);
        await store.endCall(id, now, outcome, 0);
      });
    // Outcomes that never ring. Nothing is queued: an offline callee is never rung later.
    if (!hub.isOnline(callee.id)) {
      await record('offline');
      throw new EarshotError('USER_OFFLINE', `${callee.displayName} is offline`);
    }
    const missed = (reason: 'dnd' | 'busy') =>
      hub.notify([callee.id], 'call.missed', { callId: id, conversationId, caller: toPublicUser(principal.user), reason });
    if (this.isInCall(callee.id)) {
      await record('busy');
      await chat.postSystemMessage(conversationId, `Missed voice call from ${principal.user.displayName} (busy)`);
      missed('busy');
      throw new EarshotError('USER_BUSY', `${callee.displayName} is in another call`);
    }
    if (hub.presenceOf(callee.id) === 'dnd') {
      await record('dnd');
      await chat.postSystemMessage(conversationId, `Missed voice call from ${principal.user.displayName} (do not disturb)`);
      missed('dnd');
      throw new EarshotError('DO_NOT_DISTURB', `${callee.displayName} does not want to be disturbed`);
    }

    await recordCallHistory(this.logger, id, async () => {
      await store.createCall({ id, conversationId, kind: 'direct', callerId: principal.user.id, startedAt: now, outcome: 'ringing' });
      await store.addCallParticipant(id, principal.user.id, principal.user.displayName, now);
      await store.addCallParticipant(id, callee.id, callee.displayName, null);
    });
    const call: ActiveCall = {
      id,
      conversationId,
      caller: { user: principal.user, connection, grace: undefined },
      callee: { user: callee, connection: null, grace: undefined },
      state: 'ringing',
      startedAt: now,
      answeredAt: null,
      ringTimer: undefined,
      earlySignals: [],
    };
    this.calls.set(id, call);
    this.byUser.set(principal.user.id, id);
    this.byUser.set(callee.id, id);
    call.ringTimer = setTimeout(() => void this.end(call, 'no_answer'), this.options.ringTimeoutMs);
    await hub.setInCall(principal.user.id, true);

    const info = this.info(call);
    hub.notify([callee.id], 'call.incoming', { call: info });
    connection.send(encodeNotification('call.ringing', { callId: id }));
    this.logger.info({ call: id, caller: principal.user.id, callee: callee.id }, 'ringing');
    return { call: info, ice: this.iceConfigFor(principal.user.id) };
  }

  async accept(principal: Principal, connection: ClientConnection, callId: string): Promise<{ call: CallInfo; ice: IceConfig }> {
    requirePermission(principal, 'call.join');
    const call = this.requireCall(callId, principal.user.id);
    if (call.callee.user.id !== principal.user.id) throw new EarshotError('FORBIDDEN', 'only the callee can accept');
    if (call.state !== 'ringing') throw new EarshotError('CONFLICT', 'this call was already answered');
    const now = this.options.clock.now();
    clearTimeout(call.ringTimer);
    call.state = 'active';
    call.answeredAt = now;
    call.callee.connection = connection;
    await recordCallHistory(this.logger, callId, async () => {
      await this.options.store.setCallAnswered(callId, now);
      await this.options.store.setCallParticipantJoined(callId, principal.user.id, now);
    });
    await this.options.hub.setInCall(principal.user.id, true);

    const info = this.info(call);
    // The callee's other devices stop ringing.
    for (const other of this.options.hub.connectionsOf(principal.user.id)) {
      if (other !== connection) other.send(encodeNotification('call.ended', { callId, reason: 'answered_elsewhere', durationMs: 0 }));
    }
    call.caller.connection?.send(encodeNotification('call.accepted', { call: info }));
    // Offer and candidates the caller sent while ringing.
    for (const signal of call.earlySignals.splice(0)) connection.send(encodeNotification('call.signal', { callId, signal }));
    this.logger.info({ call: callId }, 'answered');
    return { call: info, ice: this.iceConfigFor(principal.user.id) };
  }

  async decline(principal: Principal, callId: string, busy: boolean): Promise<void> {
    const call = this.requireCall(callId, principal.user.id);
    if (call.callee.user.id !== principal.user.id || call.state !== 'ringing') {
      throw new EarshotError('CONFLICT', 'only a ringing call can be declined, by its callee');
    }
    await this.end(call, busy ? 'busy' : 'declined');
  }

  async cancel(principal: Principal, callId: string): Promise<void> {
    const call = this.requireCall(callId, principal.user.id);
    if (call.caller.user.id !== principal.user.id || call.state !== 'ringing') {
      throw new EarshotError('CONFLICT', 'only a ringing call can be cancelled, by its caller');
    }
    await this.end(call, 'cancelled');
  }

  async hangup(principal: Principal, callId: string): Promise<void> {
    const call = this.requireCall(callId, principal.user.id);
    if (call.state === 'ringing') {
      await this.end(call, call.caller.user.id === principal.user.id ? 'cancelled' : 'declined');
      return;
    }
    await this.end(call, 'hangup');
  }

  /** Relay SDP/ICE from one bound participant device to the other, and to nobody else. */
  signal(principal: Principal, connection: ClientConnection, callId: string, signal: CallSignal): void {
    const call = this.requireCall(callId, principal.user.id);
    const [mine, theirs] = call.caller.user.id === principal.user.id ? [call.caller, call.callee] : [call.callee, call.caller];
    if (mine.connection !== connection) throw new EarshotError('FORBIDDEN', 'this device is not the one in the call');
    if (call.state === 'ringing') {
      if (mine !== call.caller) throw new EarshotError('CONFLICT', 'answer the call before sending media parameters');
      if (call.earlySignals.length >= MAX_EARLY_SIGNALS) throw new EarshotError('RATE_LIMITED', 'too many signals before answer');
      call.earlySignals.push(signal);
      return;
    }
    theirs.connection?.send(encodeNotification('call.signal', { callId, signal }));
  }

  /** Bind a new connection of a participant (after a reconnect) to the call. */
  rejoin(principal: Principal, connection: ClientConnection, callId: string): { call: CallInfo; ice: IceConfig } {
    const call = this.requireCall(callId, principal.user.id);
    const [mine, theirs] = call.caller.user.id === principal.user.id ? [call.caller, call.callee] : [call.callee, call.caller];
    if (call.state === 'ringing' && mine === call.callee) throw new EarshotError('CONFLICT', 'this call has not been answered');
    clearTimeout(mine.grace);
    mine.grace = undefined;
    mine.connection = connection;
    theirs.connection?.send(encodeNotification('call.peer', { callId, connected: true }));
    this.logger.info({ call: callId, user: principal.user.id }, 're-attached after reconnect');
    return { call: this.info(call), ice: this.iceConfigFor(principal.user.id) };
  }

  async history(principal: Principal, limit: number, before?: number): Promise<CallRecord[]> {
    return this.options.store.listCallsOf(principal.user.id, limit, before);
  }

  /** A socket closed: participants bound to it get a grace period to come back. */
  connectionClosed(connection: ClientConnection): void {
    const callId = this.byUser.get(connection.userId);
    const call = callId === undefined ? undefined : this.calls.get(callId);
    if (!call) return;
    for (const [leg, other] of [
      [call.caller, call.callee],
      [call.callee, call.caller],
    ] as const) {
      if (leg.connection !== connection) continue;
      leg.connection = null;
      other.connection?.send(encodeNotification('call.peer', { callId: call.id, connected: false }));
      leg.grace = setTimeout(() => void this.end(call, call.state === 'ringing' ? 'cancelled' : 'peer_lost'), this.options.reconnectGraceMs);
    }
  }

  /** End every call (server shutdown): timers cleared; the server closes their history (`closeInterruptedCalls`). */
  dispose(): void {
    for (const call of this.calls.values()) {
      clearTimeout(call.ringTimer);
      clearTimeout(call.caller.grace);
      clearTimeout(call.callee.grace);
    }
  }

  private requireCall(callId: string, userId: number): ActiveCall {
    const call = this.calls.get(callId);
    // Not a participant: same answer as no call at all (no existence oracle).
    if (!call || (call.caller.user.id !== userId && call.callee.user.id !== userId)) {
      throw new EarshotError('CALL_NOT_FOUND', 'no such call');
    }
    return call;
  }

  private info(call: ActiveCall): CallInfo {
    return {
      callId: call.id,
      conversationId: call.conversationId,
      caller: toPublicUser(call.caller.user),
      callee: toPublicUser(call.callee.user),
      state: call.state,
      startedAt: call.startedAt,
      answeredAt: call.answeredAt,
    };
  }

  private async end(call: ActiveCall, reason: CallEndReason): Promise<void> {
    if (!this.calls.delete(call.id)) return;
    const { store, hub, chat, clock } = this.options;
    clearTimeout(call.ringTimer);
    clearTimeout(call.caller.grace);
    clearTimeout(call.callee.grace);
    this.byUser.delete(call.caller.user.id);
    this.byUser.delete(call.callee.user.id);
    const now = clock.now();
    const durationMs = call.answeredAt === null ? 0 : now - call.answeredAt;
    const ended = encodeNotification('call.ended', { callId: call.id, reason, durationMs });
    call.caller.connection?.send(ended);
    if (call.callee.connection) call.callee.connection.send(ended);
    // Still ringing: every device of the callee stops.
    else for (const device of hub.connectionsOf(call.callee.user.id)) device.send(ended);
    this.logger.info({ call: call.id, reason, durationMs }, 'call ended');
    // Presence is cleared even when the history cannot be written (disk full): the two are
    // not busy any more either way.
    await recordCallHistory(this.logger, call.id, () => store.endCall(call.id, now, reason, durationMs));
    await hub.setInCall(call.caller.user.id, false);
    await hub.setInCall(call.callee.user.id, false);
    await recordCallHistory(this.logger, call.id, () => chat.postSystemMessage(call.conversationId, this.endMessage(call, reason, durationMs)));
  }

  private endMessage(call: ActiveCall, reason: CallEndReason, durationMs: number): string {
    const caller = call.caller.user.displayName;
    switch (reason) {
      case 'hangup':
      case 'peer_lost':
      case 'failed':
      case 'answered_elsewhere':
        return call.answeredAt === null ? `Missed voice call from ${caller}` : `Voice call ended · ${formatDuration(durationMs)}`;
      case 'declined':
        return `Voice call from ${caller} declined`;
      case 'busy':
        return `Voice call from ${caller} declined (busy — call back later)`;
      case 'no_answer':
        return `Missed voice call from ${caller} (no answer)`;
      case 'cancelled':
        return `Missed voice call from ${caller}`;
    }
  }
}
