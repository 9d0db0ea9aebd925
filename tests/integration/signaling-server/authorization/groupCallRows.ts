/**
 * Rows of the matrix for group calls on the SFU. The scene: a room open to guests whose call
 * has a host (who publishes audio), a member participant and a guest participant (both ready,
 * each holding a consumer of the host's audio), and a second guest room whose call has a guest
 * of its own. `member` is a fresh member who joins the call for the case (or the host, for host
 * actions).
 */
import type { RequestMethod, ResponseData } from '../../../../common/protocol/index.js';
import { row, type Actor, type Cast, type Row, type Scene, type Who, type World } from './matrix.js';

interface Group {
  cast: Cast;
  world: World;
  host: Actor;
  /** A member in the call, not the host. */
  participant: Actor;
  /** A guest of the room in the call. */
  guest: Actor;
  /** A guest of the other room, in that room's call. */
  elsewhere: Actor;
  roomId: number;
  otherRoomId: number;
  callId: string;
  /** The host's audio producer. */
  producerId: string;
}

let ssrc = 10_000;
/** Opus RTP parameters as a browser sends them (no media flows here). */
function opusRtp() {
  ssrc += 1;
  return {
    codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 }, rtcpFeedback: [] }],
    encodings: [{ ssrc }],
    headerExtensions: [],
    rtcp: { cname: `c${ssrc}` },
  };
}

/** A client's DTLS parameters for transport.connect (mediasoup checks the shape, not the peer). */
const DTLS = {
  role: 'client',
  fingerprints: [{ algorithm: 'sha-256', value: '82:5A:68:3D:36:C3:0A:DE:AF:E7:32:43:D2:88:83:57:E7:B5:D0:A1:B5:C1:8C:5B:3A:2C:33:0D:6A:C5:1F:0B' }],
};

/** Ports plain-RTP joiners ask the SFU to send to (nothing listens; no consumer is ever resumed). */
let recvPort = 31_000;

/** Join `conversationId`'s call; with `ready`, also get ready and take a consumer of `producerId`. */
async function join(actor: Actor, conversationId: number, ready?: { producerId: string }): Promise<Actor> {
  actor.joined = await actor.client.request('group.join', { conversationId });
  if (ready) {
    const consumer = actor.client.waitFor('group.newConsumer', (d) => d.producerId === ready.producerId);
    await actor.client.request('group.ready', { callId: actor.joined.call.callId, rtpCapabilities: actor.joined.routerRtpCapabilities });
    actor.consumerId = (await consumer).consumerId;
  }
  return actor;
}

async function groupScene(world: World, options: { mutedParticipant: boolean }): Promise<Group> {
  const cast = world.cast();
  const host = await cast.member('host', true);
  const { conversation: room } = await host.client.request('conversations.createRoom', { title: 'Stand-up', guestAccess: true });
  const { conversation: otherRoom } = await host.client.request('conversations.createRoom', { title: 'Elsewhere', guestAccess: true });
  cast.track(room.id, otherRoom.id);
  const { call } = await host.client.request('group.start', { conversationId: room.id });
  await join(host, room.id);
  const participant = await cast.member('participant', true);
  await participant.client.request('conversations.join', { conversationId: room.id });
  participant.joined = await participant.client.request('group.join', { conversationId: room.id });
  const guest = await cast.guest(room.id, true);
  guest.joined = await guest.client.request('group.join', { conversationId: room.id });
  // Both ready before the host publishes: each gets a consumer of the host's audio.
  const consumers = [participant, guest].map((a) => a.client.waitFor('group.newConsumer', (d) => d.participantId === host.joined!.participantId));
  for (const a of [participant, guest]) {
    await a.client.request('group.ready', { callId: call.callId, rtpCapabilities: a.joined!.routerRtpCapabilities });
  }
  const { producerId } = await host.client.request('group.produce', { callId: call.callId, transportId: host.joined!.sendTransport.id, rtpParameters: opusRtp() });
  [participant.consumerId, guest.consumerId] = (await Promise.all(consumers)).map((c) => c.consumerId);
  if (options.mutedParticipant) {
    await host.client.request('group.hostMute', { callId: call.callId, participantId: participant.joined!.participantId });
    await participant.client.waitFor('group.hostAction', (d) => d.action === 'muted');
  }
  await host.client.request('group.start', { conversationId: otherRoom.id });
  const elsewhere = await join(await cast.guest(otherRoom.id, true), otherRoom.id);
  return { cast, world, host, participant, guest, elsewhere, roomId: room.id, otherRoomId: otherRoom.id, callId: call.callId, producerId };
}

type GroupRow<M extends RequestMethod> = Omit<Row<M>, 'scene' | 'repeatable' | 'memberIs'> & {
  /** `member` is the host (host actions) or a fresh member who joins (and with `ready`, takes a consumer). */
  memberRole: 'host' | 'participant' | 'joiner';
  ready?: boolean;
  /** The host mutes the participant while setting up. */
  mutedParticipant?: boolean;
  data: (group: Group, actor: Actor, who: Who) => ReturnType<Scene<M>['data']>;
};

const MEMBER_IS = { host: 'the host', participant: 'a member in the call', joiner: 'a member of the room' } as const;

/** A row played in the group call scene. Allowed requests come from fresh people or are idempotent, so the scene is reused. */
function inGroup<M extends RequestMethod>(r: GroupRow<M>): Row {
  const { data, memberRole, ready, mutedParticipant, ...rest } = r;
  return row<M>({
    ...rest,
    memberIs: MEMBER_IS[memberRole],
    repeatable: true,
    scene: async (world): Promise<Scene<M>> => {
      const group = await groupScene(world, { mutedParticipant: mutedParticipant ?? false });
      const { cast, roomId, otherRoomId } = group;
      const consume = ready ? { producerId: group.producerId } : undefined;
      const roomMember = async () => {
        const actor = await cast.member('member');
        await actor.client.request('conversations.join', { conversationId: roomId });
        return actor;
      };
      const actor = async (who: Who): Promise<Actor> => {
        switch (who) {
          case 'member':
            if (memberRole === 'host') return group.host;
            return memberRole === 'joiner' ? roomMember() : join(await roomMember(), roomId, consume);
          case 'nonHost':
            return join(await roomMember(), roomId, consume);
          case 'guestOfRoom':
            return memberRole === 'joiner' ? cast.guest(roomId) : join(await cast.guest(roomId), roomId, consume);
          case 'guestOfOtherRoom':
            return memberRole === 'joiner' ? cast.guest(otherRoomId) : join(await cast.guest(otherRoomId), otherRoomId);
          case 'nonMember':
            return cast.member('stranger');
          case 'memberNotInCall':
            return roomMember();
          case 'otherDevice':
            return cast.device(memberRole === 'host' ? group.host : group.participant);
          case 'foreignIds':
            return memberRole === 'host' ? group.host : group.participant;
          case 'mutedByHost':
          case 'alreadyIn':
            return group.participant;
          default:
            throw new Error(`no "${who}" in a group call scene`);
        }
      };
      return { cast, actor, data: (a, who) => data(group, a, who) };
    },
  });
}

/** The actor's own place in the scene's call; people outside it name the participant's (the attack). */
function place(group: Group, actor: Actor): ResponseData<'group.join'> {
  return actor.joined?.call.callId === group.callId ? actor.joined : group.participant.joined!;
}

/** In-call requests: bound to the participant's socket; anyone else is told there is no such call. */
const IN_CALL = {
  member: 'ok',
  guestOfRoom: 'ok',
  guestOfOtherRoom: 'CALL_NOT_FOUND',
  nonMember: 'CALL_NOT_FOUND',
  memberNotInCall: 'CALL_NOT_FOUND',
  otherDevice: 'CALL_NOT_FOUND',
} as const;

/** Host actions: only the host; guests are refused before anything else. */
const HOST_ONLY = {
  member: 'ok',
  nonHost: 'FORBIDDEN',
  guestOfRoom: 'FORBIDDEN',
  guestOfOtherRoom: 'FORBIDDEN',
  nonMember: 'CALL_NOT_FOUND',
  memberNotInCall: 'CALL_NOT_FOUND',
  otherDevice: 'CALL_NOT_FOUND',
} as const;

export const GROUP_CALL_ROWS: readonly Row[] = [
  row<'group.start'>({
    method: 'group.start',
    memberIs: 'a member of the room',
    needs: ['groupcall.start'],
    expect: { member: 'ok', nonMember: 'NOT_FOUND', guestOfRoom: 'FORBIDDEN', guestOfOtherRoom: 'FORBIDDEN' },
    // The first allowed start creates the call; the next ones answer with it.
    repeatable: true,
    scene: async (world) => {
      const cast = world.cast();
      const owner = await cast.member('owner', true);
      const { conversation: room } = await owner.client.request('conversations.createRoom', { title: 'Quiet room', guestAccess: true });
      const { conversation: otherRoom } = await owner.client.request('conversations.createRoom', { title: 'Elsewhere', guestAccess: true });
      cast.track(room.id, otherRoom.id);
      const actor = async (who: Who): Promise<Actor> => {
        if (who === 'member') {
          const a = await cast.member('member');
          await a.client.request('conversations.join', { conversationId: room.id });
          return a;
        }
        if (who === 'nonMember') return cast.member('stranger');
        if (who === 'guestOfRoom') return cast.guest(room.id);
        if (who === 'guestOfOtherRoom') return cast.guest(otherRoom.id);
        throw new Error(`no "${who}" in this scene`);
      };
      return { cast, actor, data: () => ({ conversationId: room.id }) };
    },
  }),
  inGroup({
    method: 'group.join',
    memberRole: 'joiner',
    needs: ['groupcall.join'],
    // A guest joins only its own room's call; strangers do not learn the room exists.
    expect: { member: 'ok', guestOfRoom: 'ok', guestOfOtherRoom: 'NOT_FOUND', nonMember: 'NOT_FOUND', alreadyIn: 'ok' },
    data: (group) => ({ conversationId: group.roomId }),
  }),
  inGroup({
    method: 'group.joinPlainRtp',
    memberRole: 'joiner',
    needs: ['groupcall.join'],
    // Plain RTP is for bots on the SFU's host (switched on for this server): never for guest sessions.
    expect: { member: 'ok', guestOfRoom: 'FORBIDDEN', guestOfOtherRoom: 'FORBIDDEN', nonMember: 'NOT_FOUND', alreadyIn: 'ok' },
    data: (group) => ({ conversationId: group.roomId, recvPort: ++recvPort }),
  }),
  inGroup({
    method: 'diagnostics.sfuProbe',
    memberRole: 'joiner',
    // The connection test's throwaway SFU transport: any account (no call or membership needed), never a guest session.
    needs: [],
    expect: { member: 'ok', nonMember: 'ok', guestOfRoom: 'FORBIDDEN', guestOfOtherRoom: 'FORBIDDEN' },
    data: () => ({}),
  }),
  inGroup({
    method: 'group.connectTransport',
    memberRole: 'participant',
    needs: [],
    // Another participant's transport is not among yours.
    expect: { ...IN_CALL, foreignIds: 'NOT_FOUND' },
    data: (group, actor, who) => ({
      callId: group.callId,
      transportId: who === 'foreignIds' ? group.host.joined!.sendTransport.id : place(group, actor).sendTransport.id,
      dtlsParameters: DTLS,
    }),
  }),
  inGroup({
    method: 'group.produce',
    memberRole: 'participant',
    needs: [],
    // The only transport one may produce on is one's own send transport: anything else is BAD_REQUEST.
    expect: { ...IN_CALL, foreignIds: 'BAD_REQUEST' },
    data: (group, actor, who) => ({
      callId: group.callId,
      transportId: who === 'foreignIds' ? group.host.joined!.sendTransport.id : place(group, actor).sendTransport.id,
      rtpParameters: opusRtp(),
    }),
  }),
  inGroup({
    method: 'group.ready',
    memberRole: 'participant',
    needs: [],
    expect: IN_CALL,
    data: (group, actor) => ({ callId: group.callId, rtpCapabilities: place(group, actor).routerRtpCapabilities }),
  }),
  inGroup({
    method: 'group.resumeConsumer',
    memberRole: 'participant',
    ready: true,
    needs: [],
    expect: { ...IN_CALL, foreignIds: 'NOT_FOUND' },
    data: (group, actor, who) => ({
      callId: group.callId,
      consumerId: who === 'foreignIds' ? group.guest.consumerId! : (actor.consumerId ?? group.participant.consumerId!),
    }),
  }),
  inGroup({
    method: 'group.restartIce',
    memberRole: 'participant',
    needs: [],
    expect: { ...IN_CALL, foreignIds: 'NOT_FOUND' },
    data: (group, actor, who) => ({
      callId: group.callId,
      transportId: who === 'foreignIds' ? group.host.joined!.recvTransport.id : place(group, actor).recvTransport.id,
    }),
  }),
  inGroup({
    method: 'group.setReceiveMode',
    memberRole: 'participant',
    needs: [],
    // Bound to the sender's own place: there is no participant or consumer id to name.
    expect: IN_CALL,
    data: (group) => ({ callId: group.callId, mode: 'speakers' }),
  }),
  inGroup({
    method: 'group.setMuted',
    memberRole: 'participant',
    mutedParticipant: true,
    needs: [],
    // Muted by the host: unmuting waits for the host's "ask to unmute".
    expect: { ...IN_CALL, mutedByHost: 'FORBIDDEN' },
    data: (group, _actor, who) => ({ callId: group.callId, muted: who !== 'mutedByHost' }),
  }),
  inGroup({
    method: 'group.leave',
    memberRole: 'participant',
    needs: [],
    expect: IN_CALL,
    data: (group) => ({ callId: group.callId }),
  }),
  inGroup({
    method: 'group.hostMute',
    memberRole: 'host',
    needs: [],
    // The host's powers end at its own call: a participant of another call is nobody here.
    expect: { ...HOST_ONLY, foreignIds: 'NOT_FOUND' },
    data: (group, _actor, who) => ({
      callId: group.callId,
      participantId: who === 'foreignIds' ? group.elsewhere.joined!.participantId : group.participant.joined!.participantId,
    }),
  }),
  inGroup({
    method: 'group.hostMuteAll',
    memberRole: 'host',
    needs: [],
    expect: HOST_ONLY,
    data: (group) => ({ callId: group.callId }),
  }),
  inGroup({
    method: 'group.askToUnmute',
    memberRole: 'host',
    mutedParticipant: true,
    needs: [],
    expect: { ...HOST_ONLY, foreignIds: 'NOT_FOUND' },
    data: (group, _actor, who) => ({
      callId: group.callId,
      participantId: who === 'foreignIds' ? group.elsewhere.joined!.participantId : group.participant.joined!.participantId,
    }),
  }),
];

/**
 * Rows for a server whose calls hold three people (the scene's host, participant and guest fill
 * the call) and whose plain-RTP joins are off (the default).
 */
export const FULL_CALL_ROWS: readonly Row[] = [
  inGroup({
    method: 'group.join',
    variant: 'the call is full',
    memberRole: 'joiner',
    needs: ['groupcall.join'],
    // Someone already in may take their place again (reconnect); nobody new gets in.
    expect: { member: 'ROOM_FULL', guestOfRoom: 'ROOM_FULL', guestOfOtherRoom: 'NOT_FOUND', nonMember: 'NOT_FOUND', alreadyIn: 'ok' },
    rolesAndTokens: true,
    data: (group) => ({ conversationId: group.roomId }),
  }),
  inGroup({
    method: 'group.joinPlainRtp',
    variant: 'plain RTP is off on this server',
    memberRole: 'joiner',
    needs: ['groupcall.join'],
    expect: { member: 'FORBIDDEN', guestOfRoom: 'FORBIDDEN', guestOfOtherRoom: 'FORBIDDEN', nonMember: 'FORBIDDEN', alreadyIn: 'FORBIDDEN' },
    rolesAndTokens: true,
    data: (group) => ({ conversationId: group.roomId, recvPort: ++recvPort }),
  }),
];
