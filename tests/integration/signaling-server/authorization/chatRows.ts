/**
 * Rows of the matrix for session, account and chat requests. The scene is a room open to guests
 * (with a member and a message in it) and a second guest room; `member` is a fresh account that
 * joined the room, `nonMember` a fresh account in no conversation at all.
 */
import type { RequestMethod } from '../../../../common/protocol/index.js';
import { row, type Actor, type Cast, type Row, type Scene, type Who, type World } from './matrix.js';

interface Room {
  cast: Cast;
  owner: Actor;
  /** A member of the room besides the owner (the target of createDirect/createGroup). */
  other: Actor;
  roomId: number;
  otherRoomId: number;
  /** The owner's message in the room. */
  messageId: number;
  /** With `extras`: a group chat and a direct conversation of owner and other, and a guest of the room (listening). */
  groupId?: number;
  directId?: number;
  guest?: Actor;
}

export async function roomScene(world: World, extras = false): Promise<Room> {
  const cast = world.cast();
  const owner = await cast.member('owner', true);
  const other = await cast.member('other', true);
  const { conversation: room } = await owner.client.request('conversations.createRoom', { title: 'Lobby', guestAccess: true });
  const { conversation: otherRoom } = await owner.client.request('conversations.createRoom', { title: 'Elsewhere', guestAccess: true });
  cast.track(room.id, otherRoom.id);
  await other.client.request('conversations.join', { conversationId: room.id });
  const { message } = await owner.client.request('messages.send', { conversationId: room.id, clientId: world.clientId(), body: 'hello' });
  const scene: Room = { cast, owner, other, roomId: room.id, otherRoomId: otherRoom.id, messageId: message.id };
  if (extras) {
    const otherId = other.session.user.id;
    scene.groupId = (await owner.client.request('conversations.createGroup', { title: 'Team', memberIds: [otherId] })).conversation.id;
    scene.directId = (await owner.client.request('conversations.createDirect', { userId: otherId })).conversation.id;
    scene.guest = await cast.guest(room.id, true);
    cast.track(scene.groupId, scene.directId);
  }
  return scene;
}

/** The four core relations toward a room: a fresh member who joined it, a fresh stranger, and the two guests. */
export async function roomActor(room: Room, who: Who): Promise<Actor> {
  switch (who) {
    case 'member': {
      const actor = await room.cast.member('member');
      await actor.client.request('conversations.join', { conversationId: room.roomId });
      return actor;
    }
    case 'nonMember':
      return room.cast.member('stranger');
    case 'guestOfRoom':
      return room.cast.guest(room.roomId);
    case 'guestOfOtherRoom':
      return room.cast.guest(room.otherRoomId);
    default:
      throw new Error(`no "${who}" in a room scene`);
  }
}

type RoomRow<M extends RequestMethod> = Omit<Row<M>, 'scene' | 'repeatable'> & {
  repeatable?: boolean;
  /** Build the scene's group chat, direct conversation and listening guest too. */
  extras?: boolean;
  /** Who stands as `who`, where it is not the default of `roomActor`. */
  actor?: (room: Room, who: Who) => Actor | undefined;
  data: (room: Room, actor: Actor, who: Who) => ReturnType<Scene<M>['data']>;
};

/** A row played in the room scene. */
function inRoom<M extends RequestMethod>(r: RoomRow<M>): Row {
  const { data, actor, extras, ...rest } = r;
  return row<M>({
    repeatable: true,
    ...rest,
    scene: async (world): Promise<Scene<M>> => {
      const room = await roomScene(world, extras);
      return {
        cast: room.cast,
        actor: async (who) => actor?.(room, who) ?? roomActor(room, who),
        data: (a, who) => data(room, a, who),
      };
    },
  });
}

/** Requests about the signed-in user or the whole server: any account may send them. */
const ANY_ACCOUNT = { member: 'ok', nonMember: 'ok', guestOfRoom: 'FORBIDDEN', guestOfOtherRoom: 'FORBIDDEN' } as const;
/** Requests about the room: members only; strangers do not learn the room exists. */
const MEMBERS_ONLY = { member: 'ok', nonMember: 'NOT_FOUND', guestOfRoom: 'FORBIDDEN', guestOfOtherRoom: 'FORBIDDEN' } as const;

export const CHAT_ROWS: readonly Row[] = [
  inRoom({
    method: 'sync.state',
    memberIs: 'a member of the room',
    needs: [],
    // A guest session may sync: it learns of its room's call and nothing else.
    expect: { member: 'ok', nonMember: 'ok', guestOfRoom: 'ok', guestOfOtherRoom: 'ok' },
    data: () => ({}),
  }),
  inRoom({
    method: 'session.refresh',
    memberIs: 'a member of the room',
    needs: [],
    expect: { member: 'ok', nonMember: 'ok', guestOfRoom: 'ok', guestOfOtherRoom: 'ok' },
    data: () => ({}),
  }),
  inRoom({
    method: 'users.search',
    memberIs: 'a member of the room',
    needs: [],
    expect: ANY_ACCOUNT,
    data: () => ({ query: 'other' }),
  }),
  inRoom({
    method: 'conversations.createDirect',
    memberIs: 'a member of the room',
    needs: ['conversation.create'],
    expect: ANY_ACCOUNT,
    data: (room) => ({ userId: room.other.session.user.id }),
  }),
  inRoom({
    method: 'conversations.createGroup',
    memberIs: 'a member of the room',
    needs: ['conversation.create'],
    expect: ANY_ACCOUNT,
    data: (room) => ({ title: 'Team', memberIds: [room.other.session.user.id] }),
  }),
  inRoom({
    method: 'conversations.createRoom',
    memberIs: 'a member of the room',
    needs: ['room.create'],
    expect: ANY_ACCOUNT,
    data: () => ({ title: 'New room', guestAccess: true }),
  }),
  inRoom({
    method: 'conversations.listRooms',
    memberIs: 'a member of the room',
    needs: ['room.join'],
    expect: ANY_ACCOUNT,
    data: () => ({}),
  }),
  inRoom({
    method: 'conversations.join',
    memberIs: 'already in the room',
    // Rooms are open to every account with room.join: the one who wants in is the stranger.
    base: 'nonMember',
    needs: ['room.join'],
    expect: ANY_ACCOUNT,
    data: (room) => ({ conversationId: room.roomId }),
  }),
  inRoom({
    method: 'conversations.leave',
    memberIs: 'a member of the room',
    needs: [],
    expect: MEMBERS_ONLY,
    data: (room) => ({ conversationId: room.roomId }),
  }),
  inRoom({
    method: 'messages.send',
    memberIs: 'a member of the room',
    needs: ['message.send'],
    expect: MEMBERS_ONLY,
    data: (room) => ({ conversationId: room.roomId, clientId: room.cast.world.clientId(), body: 'hi all' }),
  }),
  inRoom({
    method: 'messages.history',
    memberIs: 'a member of the room',
    needs: [],
    expect: MEMBERS_ONLY,
    data: (room) => ({ conversationId: room.roomId }),
  }),
  inRoom({
    method: 'conversations.markRead',
    memberIs: 'a member of the room',
    needs: [],
    expect: MEMBERS_ONLY,
    data: (room) => ({ conversationId: room.roomId, messageId: room.messageId }),
  }),
  inRoom({
    method: 'presence.set',
    memberIs: 'a member of the room',
    needs: [],
    expect: ANY_ACCOUNT,
    data: () => ({ status: 'dnd' }),
  }),
  inRoom({
    method: 'call.history',
    memberIs: 'a member of the room',
    needs: [],
    expect: ANY_ACCOUNT,
    data: () => ({}),
  }),

  // Variants: the same methods where the target, not the sender, makes the difference.
  inRoom({
    method: 'conversations.join',
    variant: 'a group chat, not a room',
    memberIs: 'a member of the group',
    extras: true,
    // Group chats are invitation only: nobody joins one, members included (it is not a room).
    expect: { member: 'NOT_FOUND', nonMember: 'NOT_FOUND' },
    needs: ['room.join'],
    actor: (room, who) => (who === 'member' ? room.other : undefined),
    data: (room) => ({ conversationId: room.groupId! }),
  }),
  inRoom({
    method: 'conversations.leave',
    variant: 'a direct conversation',
    memberIs: 'one of its two people',
    extras: true,
    expect: { member: 'FORBIDDEN', nonMember: 'NOT_FOUND' },
    needs: [],
    actor: (room, who) => (who === 'member' ? room.other : undefined),
    data: (room) => ({ conversationId: room.directId! }),
  }),
  inRoom({
    method: 'conversations.createDirect',
    variant: 'with a guest',
    memberIs: 'a member of the room',
    extras: true,
    // A guest session reaches its room's call and nothing else: nobody can pull it into a chat.
    expect: { member: 'NOT_FOUND', nonMember: 'NOT_FOUND' },
    needs: ['conversation.create'],
    data: (room) => ({ userId: room.guest!.session.user.id }),
  }),
  inRoom({
    method: 'conversations.createGroup',
    variant: 'with a guest among the members',
    memberIs: 'a member of the room',
    extras: true,
    expect: { member: 'NOT_FOUND', nonMember: 'NOT_FOUND' },
    needs: ['conversation.create'],
    data: (room) => ({ title: 'With a guest', memberIds: [room.other.session.user.id, room.guest!.session.user.id] }),
  }),
  inRoom({
    method: 'diagnostics.ice',
    memberIs: 'a member of the room',
    // The connection test: any account may run it (it gets the TURN credentials a call would); guests may not.
    needs: [],
    expect: ANY_ACCOUNT,
    data: () => ({}),
  }),
];
