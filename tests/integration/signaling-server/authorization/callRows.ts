/**
 * Rows of the matrix for 1-on-1 calls. The scene: a caller and a callee with their direct
 * conversation, both also in a room open to guests (whose guest is "guest of the room"), and
 * the call idle, ringing or answered as the row needs.
 */
import type { CallSignal, RequestMethod } from '../../../../common/protocol/index.js';
import { row, type Actor, type Cast, type Row, type Scene, type Who, type World } from './matrix.js';

interface Call {
  cast: Cast;
  caller: Actor;
  callee: Actor;
  directId: number;
  roomId: number;
  otherRoomId: number;
  /** Set once placed. */
  callId: string;
}

async function callScene(world: World, state: 'idle' | 'ringing' | 'active', calleeRole?: string): Promise<Call> {
  const cast = world.cast();
  const caller = await cast.member('caller', true);
  const callee = await cast.member('callee', true);
  const { conversation: direct } = await caller.client.request('conversations.createDirect', { userId: callee.session.user.id });
  const { conversation: room } = await caller.client.request('conversations.createRoom', { title: 'Both of us', guestAccess: true });
  const { conversation: otherRoom } = await caller.client.request('conversations.createRoom', { title: 'Elsewhere', guestAccess: true });
  await callee.client.request('conversations.join', { conversationId: room.id });
  cast.track(direct.id, room.id, otherRoom.id);
  if (calleeRole) await world.setRole(callee.session.user.username, calleeRole);
  const scene: Call = { cast, caller, callee, directId: direct.id, roomId: room.id, otherRoomId: otherRoom.id, callId: '' };
  if (state === 'idle') return scene;
  const { call } = await caller.client.request('call.place', { conversationId: direct.id });
  scene.callId = call.callId;
  await callee.client.waitFor('call.incoming', (d) => d.call.callId === call.callId);
  if (state === 'active') {
    await callee.client.request('call.accept', { callId: call.callId });
    await caller.client.waitFor('call.accepted', (d) => d.call.callId === call.callId);
  }
  return scene;
}

type CallRow<M extends RequestMethod> = Omit<Row<M>, 'scene' | 'memberIs'> & {
  state: 'idle' | 'ringing' | 'active';
  /** Who `member` is: the relation that may send this. */
  memberIs: 'caller' | 'callee';
  calleeRole?: string;
  /** `member` is a new device of that person (kept open), not the one already bound. */
  newDevice?: boolean;
  data: (call: Call) => ReturnType<Scene<M>['data']>;
};

/** A row played in a 1-on-1 call scene. */
function inCall<M extends RequestMethod>(r: CallRow<M>): Row {
  const { data, state, calleeRole, newDevice, ...rest } = r;
  return row<M>({
    ...rest,
    memberIs: newDevice ? `the ${r.memberIs}, on a new socket` : `the ${r.memberIs}`,
    scene: async (world): Promise<Scene<M>> => {
      const call = await callScene(world, state, calleeRole);
      const actor = async (who: Who): Promise<Actor> => {
        switch (who) {
          case 'member':
            return newDevice ? call.cast.device(call[r.memberIs], true) : call[r.memberIs];
          case 'caller':
          case 'callee':
            return call[who];
          case 'otherDevice':
            return call.cast.device(call[r.memberIs]);
          case 'nonMember':
            return call.cast.member('stranger');
          case 'guestOfRoom':
            return call.cast.guest(call.roomId);
          case 'guestOfOtherRoom':
            return call.cast.guest(call.otherRoomId);
          default:
            throw new Error(`no "${who}" in a call scene`);
        }
      };
      return { cast: call.cast, actor, data: () => data(call) };
    },
  });
}

/** Call-scoped requests: strangers are told there is no such call; guests may not touch 1-on-1 calls at all. */
const OUTSIDERS = { nonMember: 'CALL_NOT_FOUND', guestOfRoom: 'FORBIDDEN', guestOfOtherRoom: 'FORBIDDEN' } as const;

const offer: CallSignal = { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n' };
const candidate: CallSignal = {
  type: 'candidate',
  candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
};

export const CALL_ROWS: readonly Row[] = [
  inCall({
    method: 'call.place',
    state: 'idle',
    memberIs: 'caller',
    needs: ['call.place'],
    // Placing is about the direct conversation: strangers do not learn it exists.
    expect: { member: 'ok', nonMember: 'NOT_FOUND', guestOfRoom: 'FORBIDDEN', guestOfOtherRoom: 'FORBIDDEN' },
    repeatable: false,
    data: (call) => ({ conversationId: call.directId }),
  }),
  inCall({
    method: 'call.accept',
    state: 'ringing',
    memberIs: 'callee',
    needs: ['call.join'],
    expect: { member: 'ok', caller: 'FORBIDDEN', ...OUTSIDERS },
    repeatable: false,
    data: (call) => ({ callId: call.callId }),
  }),
  inCall({
    method: 'call.decline',
    state: 'ringing',
    memberIs: 'callee',
    needs: [],
    // The caller cannot decline its own call: CONFLICT (the server's "wrong side or wrong state").
    expect: { member: 'ok', caller: 'CONFLICT', ...OUTSIDERS },
    repeatable: false,
    data: (call) => ({ callId: call.callId }),
  }),
  inCall({
    method: 'call.cancel',
    state: 'ringing',
    memberIs: 'caller',
    needs: [],
    expect: { member: 'ok', callee: 'CONFLICT', ...OUTSIDERS },
    repeatable: false,
    data: (call) => ({ callId: call.callId }),
  }),
  inCall({
    method: 'call.hangup',
    state: 'active',
    memberIs: 'caller',
    needs: [],
    // Either person may hang up, from any of their devices.
    expect: { member: 'ok', callee: 'ok', otherDevice: 'ok', ...OUTSIDERS },
    repeatable: false,
    data: (call) => ({ callId: call.callId }),
  }),
  inCall({
    method: 'call.signal',
    state: 'active',
    memberIs: 'caller',
    needs: [],
    // SDP goes only between the two devices bound to the call.
    expect: { member: 'ok', callee: 'ok', otherDevice: 'FORBIDDEN', ...OUTSIDERS },
    repeatable: true,
    data: (call) => ({ callId: call.callId, signal: offer }),
  }),
  inCall({
    method: 'call.signal',
    variant: 'ICE candidate',
    state: 'active',
    memberIs: 'caller',
    needs: [],
    expect: { member: 'ok', callee: 'ok', otherDevice: 'FORBIDDEN', ...OUTSIDERS },
    rolesAndTokens: true,
    repeatable: true,
    data: (call) => ({ callId: call.callId, signal: candidate }),
  }),
  inCall({
    method: 'call.rejoin',
    state: 'active',
    memberIs: 'caller',
    // After a reconnect: a new socket of the caller takes the call over.
    newDevice: true,
    needs: [],
    expect: { member: 'ok', callee: 'ok', ...OUTSIDERS },
    repeatable: true,
    data: (call) => ({ callId: call.callId }),
  }),
  inCall({
    method: 'call.place',
    variant: "the callee's role lacks call.join",
    state: 'idle',
    memberIs: 'caller',
    calleeRole: 'no-call-join',
    needs: ['call.place'],
    expect: { member: 'FORBIDDEN' },
    repeatable: false,
    data: (call) => ({ conversationId: call.directId }),
  }),
];
