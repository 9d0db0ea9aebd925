import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EarshotError } from '../../../../common/errors.js';
import type { GroupCallInfo, GuestRequest, User } from '../../../../common/protocol/index.js';
import { GUEST_TEXT, GuestController, type GuestCallEngine } from '../../../../renderer/guest/GuestController.js';
import { silentLogger } from '../../../../renderer/lib/createLogger.js';
import { SignalingClient } from '../../../../renderer/signaling/SignalingClient.js';
import type { GroupCallView } from '../../../../renderer/store/groupCallSlice.js';
import { createAppStore, type AppStore } from '../../../../renderer/store/index.js';
import { fakeSockets, type FakeSocket } from '../fakes.js';
import { callInfo, CONVERSATION_ID as ROOM, participant } from '../group/fakeGroupServer.js';

const guestUser: User = { id: 50, username: 'guest-0a1b2c3d4e5f', displayName: 'Vera', role: 'guest' };
const POLL_MS = 1000;

/** Let queued microtasks and zero-delay timers run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

function callView(conversationId: number): GroupCallView {
  return {
    callId: 'c1',
    conversationId,
    participantId: 'p-me',
    phase: 'connected',
    status: 'Connected',
    participants: [],
    startedAt: 1,
    muted: false,
    mutedByHost: false,
    microphoneId: '',
    lowBandwidth: false,
    lowBandwidthReason: null,
  };
}

/**
 * Stands in for GroupCallController: `join` puts the call in the store (or, with
 * `refuse`, shows a notice and ends it the way the engine does), `leave` takes it out.
 */
class FakeEngine implements GuestCallEngine {
  readonly attached: (SignalingClient | null)[] = [];
  readonly joins: number[] = [];
  leaves = 0;
  refuse = false;
  constructor(private readonly store: AppStore) {}

  attach(client: SignalingClient | null): void {
    this.attached.push(client);
    if (!client) this.store.getState().setGroupCall(null);
  }

  async join(conversationId: number): Promise<void> {
    this.joins.push(conversationId);
    const state = this.store.getState();
    state.setGroupCall({ ...callView(conversationId), phase: 'joining', status: 'Joining…' });
    await Promise.resolve();
    if (this.refuse) {
      state.setGroupCall(null);
      state.showGroupNotice('The call is full');
    } else {
      state.setGroupCall(callView(conversationId));
    }
  }

  async leave(): Promise<void> {
    if (!this.store.getState().groupCall) return;
    this.leaves++;
    this.store.getState().setGroupCall(null);
  }
}

function setup(options: { conversationId?: number | null } = {}) {
  const sockets = fakeSockets();
  const store = createAppStore();
  const engine = new FakeEngine(store);
  const api = {
    guestRoom: vi.fn(async (conversationId: number) => ({ conversationId, title: 'Support' })),
    guest: vi.fn(async (_request: GuestRequest) => ({ token: 'guest-token', expiresAt: 0, user: guestUser })),
  };
  /** The room's call as sync.state reports it; null: none. */
  const server = { call: null as GroupCallInfo | null, syncs: 0 };
  const controller = new GuestController({
    store,
    api,
    createClient: (token) =>
      new SignalingClient({ url: 'ws://server/ws', token, createSocket: sockets.create, backoff: { random: () => 1 }, logger: silentLogger }),
    groupCalls: engine,
    conversationId: options.conversationId === undefined ? ROOM : options.conversationId,
    pollIntervalMs: POLL_MS,
    logger: silentLogger,
  });
  const serve = (socket: FakeSocket) => {
    socket.onRequest = (request) => {
      if (request.method !== 'sync.state') return;
      server.syncs++;
      const me = { ...guestUser, permissions: ['groupcall.join'] };
      queueMicrotask(() => socket.respond(request.id, { me, conversations: [], presence: {}, groupCalls: server.call ? [server.call] : [] }));
    };
  };
  /** Through the form and connected: sync.state answered from `server`. */
  const joinAs = async (name = 'Vera') => {
    await controller.start();
    await controller.join(name);
    serve(sockets.last());
    sockets.last().open();
    await settle();
  };
  const phase = () => store.getState().guest?.phase;
  return { controller, store, engine, api, server, sockets, serve, joinAs, phase };
}

const roomCall = () => callInfo([participant('p-host', 1, 'Host', { host: true })], { conversationId: ROOM });

describe('GuestController', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  describe('#start', () => {
    it('shows the room\'s title and the name form', async () => {
      const t = setup();
      expect(t.phase()).toBe('loading');
      await t.controller.start();
      expect(t.api.guestRoom).toHaveBeenCalledWith(ROOM);
      expect(t.store.getState().guest).toEqual({ conversationId: ROOM, title: 'Support', phase: 'form', error: null });
    });

    it('says clearly when the room does not exist or does not allow guests', async () => {
      const t = setup();
      t.api.guestRoom.mockRejectedValueOnce(new EarshotError('NOT_FOUND', 'no room with guest access here'));
      await t.controller.start();
      expect(t.store.getState().guest).toMatchObject({ phase: 'unavailable', error: GUEST_TEXT.unavailable });
    });

    it('says a malformed link is not valid, without asking the server', async () => {
      const t = setup({ conversationId: null });
      await t.controller.start();
      expect(t.store.getState().guest).toMatchObject({ phase: 'unavailable', error: GUEST_TEXT.invalidLink });
      expect(t.api.guestRoom).not.toHaveBeenCalled();
      await t.controller.join('Vera');
      expect(t.api.guest).not.toHaveBeenCalled();
    });
  });

  describe('#join', () => {
    it('gets a guest token for the room, connects with it and joins the call in progress', async () => {
      const t = setup();
      t.server.call = roomCall();
      await t.joinAs('Vera');
      expect(t.api.guest).toHaveBeenCalledWith({ conversationId: ROOM, displayName: 'Vera' });
      expect(t.sockets.last().protocols).toEqual(['earshot.v1', 'token.guest-token']);
      // The engine runs on the guest's client.
      expect(t.engine.attached).toHaveLength(1);
      expect(t.engine.attached[0]).toBeInstanceOf(SignalingClient);
      expect(t.engine.joins).toEqual([ROOM]);
      expect(t.phase()).toBe('inCall');
      expect(t.store.getState().me?.role).toBe('guest');
      expect(t.store.getState().connection).toBe('connected');
    });

    it('waits for the host when no call is in progress, and joins when group.updated announces one', async () => {
      const t = setup();
      await t.joinAs();
      expect(t.phase()).toBe('waiting');
      expect(t.engine.joins).toEqual([]);
      // Another room's call, or a room's call ending, changes nothing.
      t.sockets.last().notify('group.updated', { conversationId: ROOM + 1, call: callInfo([], { conversationId: ROOM + 1 }) });
      t.sockets.last().notify('group.updated', { conversationId: ROOM, call: null });
      await settle();
      expect(t.phase()).toBe('waiting');
      t.sockets.last().notify('group.updated', { conversationId: ROOM, call: roomCall() });
      await settle();
      expect(t.engine.joins).toEqual([ROOM]);
      expect(t.phase()).toBe('inCall');
    });

    it('while waiting, asks again every pollIntervalMs and joins once the host has started the call', async () => {
      const t = setup();
      await t.joinAs();
      expect(t.server.syncs).toBe(1);
      await vi.advanceTimersByTimeAsync(POLL_MS);
      expect(t.server.syncs).toBe(2);
      expect(t.phase()).toBe('waiting');
      t.server.call = roomCall();
      await vi.advanceTimersByTimeAsync(POLL_MS);
      expect(t.engine.joins).toEqual([ROOM]);
      expect(t.phase()).toBe('inCall');
      // In the call: no more polling.
      await vi.advanceTimersByTimeAsync(POLL_MS * 5);
      expect(t.server.syncs).toBe(3);
    });

    it('keeps the form with a readable error when the name is refused', async () => {
      const t = setup();
      await t.controller.start();
      t.api.guest.mockRejectedValueOnce(new EarshotError('BAD_REQUEST', 'Your name: Too long'));
      await t.controller.join('x'.repeat(80));
      expect(t.store.getState().guest).toMatchObject({ phase: 'form', error: 'Your name: Too long' });
      expect(t.sockets.sockets).toHaveLength(0);
    });

    it('says the room is unavailable when guest access was switched off meanwhile', async () => {
      const t = setup();
      await t.controller.start();
      t.api.guest.mockRejectedValueOnce(new EarshotError('NOT_FOUND', 'no room with guest access here'));
      await t.controller.join('Vera');
      expect(t.store.getState().guest).toMatchObject({ phase: 'unavailable', error: GUEST_TEXT.unavailable });
    });
  });

  describe('#leave and #joinAgain', () => {
    it('leaves the call ("You left the call"), then joins the ongoing call again', async () => {
      const t = setup();
      t.server.call = roomCall();
      await t.joinAs();
      await t.controller.leave();
      expect(t.engine.leaves).toBe(1);
      expect(t.phase()).toBe('left');
      await settle();
      expect(t.phase()).toBe('left');
      t.controller.joinAgain();
      expect(t.phase()).toBe('connecting');
      await settle();
      expect(t.engine.joins).toEqual([ROOM, ROOM]);
      expect(t.phase()).toBe('inCall');
    });

    it('waits for the next call when the call has ended by the time I join again', async () => {
      const t = setup();
      t.server.call = roomCall();
      await t.joinAs();
      await t.controller.leave();
      t.server.call = null;
      t.controller.joinAgain();
      await settle();
      expect(t.phase()).toBe('waiting');
    });
  });

  describe('out of the call without Leave', () => {
    it('offers Join again when the join was refused and the call goes on (the engine\'s notice says why)', async () => {
      const t = setup();
      t.server.call = roomCall();
      t.engine.refuse = true;
      await t.joinAs();
      expect(t.phase()).toBe('dropped');
      expect(t.store.getState().groupNotice?.text).toBe('The call is full');
      // No retry loop.
      await vi.advanceTimersByTimeAsync(POLL_MS * 3);
      expect(t.engine.joins).toEqual([ROOM]);
      t.engine.refuse = false;
      t.controller.joinAgain();
      expect(t.store.getState().groupNotice).toBeNull();
      await settle();
      expect(t.phase()).toBe('inCall');
    });

    it('waits for the host\'s next call when the call has ended', async () => {
      const t = setup();
      t.server.call = roomCall();
      await t.joinAs();
      t.server.call = null;
      // The engine ends the call (it saw group.updated with call: null).
      t.store.getState().setGroupCall(null);
      await settle();
      expect(t.phase()).toBe('waiting');
      t.server.call = roomCall();
      await vi.advanceTimersByTimeAsync(POLL_MS);
      expect(t.engine.joins).toEqual([ROOM, ROOM]);
      expect(t.phase()).toBe('inCall');
    });
  });

  it('goes back to the name form when the server ends the guest session', async () => {
    const t = setup();
    t.server.call = roomCall();
    await t.joinAs();
    t.sockets.last().serverClose(4001, 'session expired');
    await settle();
    expect(t.store.getState().guest).toMatchObject({ phase: 'form', error: GUEST_TEXT.sessionEnded });
    expect(t.engine.attached.at(-1)).toBeNull();
    expect(t.store.getState().groupCall).toBeNull();
    // No reconnect with the dead token.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.sockets.sockets).toHaveLength(1);
  });

  it('looks for the call again after a reconnect while waiting', async () => {
    const t = setup();
    await t.joinAs();
    expect(t.phase()).toBe('waiting');
    t.sockets.last().serverClose(1006);
    t.server.call = roomCall();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(t.sockets.sockets.length).toBeGreaterThan(1);
    t.serve(t.sockets.last());
    t.sockets.last().open();
    await settle();
    expect(t.engine.joins).toEqual([ROOM]);
    expect(t.phase()).toBe('inCall');
  });

  it('leaves the call and closes the socket on dispose', async () => {
    const t = setup();
    t.server.call = roomCall();
    await t.joinAs();
    t.controller.dispose();
    expect(t.engine.leaves).toBe(1);
    expect(t.sockets.last().closedWith?.code).toBe(1000);
    expect(t.phase()).toBe('left');
    await vi.advanceTimersByTimeAsync(POLL_MS * 3);
    expect(t.server.syncs).toBe(1);
  });
});
