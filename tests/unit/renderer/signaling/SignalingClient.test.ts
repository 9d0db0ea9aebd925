import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EarshotError } from '../../../../common/errors.js';
import type { ParsedNotification } from '../../../../common/protocol/index.js';
import { silentLogger } from '../../../../renderer/lib/createLogger.js';
import { SignalingClient } from '../../../../renderer/signaling/SignalingClient.js';
import type { ConnectionState } from '../../../../renderer/signaling/SignalingClientTypes.js';
import { fakeSockets } from '../fakes.js';

const me = { id: 1, username: 'alice', displayName: 'Alice', role: 'member', permissions: [] };

function setup(options: { timeoutMs?: number } = {}) {
  const factory = fakeSockets();
  const client = new SignalingClient({
    url: 'ws://server/ws',
    token: 'secret',
    createSocket: factory.create,
    requestTimeoutMs: options.timeoutMs ?? 1000,
    backoff: { random: () => 1 },
    logger: silentLogger,
  });
  const states: ConnectionState[] = [];
  client.on('state', (state) => states.push(state));
  return { client, factory, states };
}

async function expectCode(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EarshotError);
  expect((error as EarshotError).code).toBe(code);
}

describe('SignalingClient', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  describe('#connect', () => {
    it('offers the protocol name and the token as subprotocols', () => {
      const { client, factory, states } = setup();
      client.connect();
      expect(factory.last().url).toBe('ws://server/ws');
      expect(factory.last().protocols).toEqual(['earshot.v1', 'token.secret']);
      factory.last().open();
      expect(states).toEqual(['connecting', 'connected']);
    });
  });

  describe('#request', () => {
    it('matches responses to requests by id and validates them', async () => {
      const { client, factory } = setup();
      client.connect();
      const socket = factory.last();
      socket.open();
      const first = client.request('sync.state', {});
      const second = client.request('presence.set', { status: 'dnd' });
      const [a, b] = socket.sent;
      expect(a?.method).toBe('sync.state');
      expect(b).toMatchObject({ method: 'presence.set', data: { status: 'dnd' } });
      socket.respond(b!.id, { status: 'dnd' });
      socket.respond(a!.id, { me, conversations: [], presence: { '1': 'online' } });
      await expect(second).resolves.toEqual({ status: 'dnd' });
      await expect(first).resolves.toMatchObject({ me: { id: 1 } });
      expect(client.pendingCount).toBe(0);
    });

    it('rejects with the server error code', async () => {
      const { client, factory } = setup();
      client.connect();
      factory.last().open();
      const pending = client.request('conversations.join', { conversationId: 9 });
      factory.last().fail(factory.last().lastSent().id, 'NOT_FOUND');
      await expectCode(pending, 'NOT_FOUND');
    });

    it('rejects with BAD_REQUEST when the response does not match the schema', async () => {
      const { client, factory } = setup();
      client.connect();
      factory.last().open();
      const pending = client.request('presence.set', { status: 'online' });
      factory.last().respond(factory.last().lastSent().id, { status: 'sleeping' });
      await expectCode(pending, 'BAD_REQUEST');
    });

    it('rejects with TIMEOUT when no response arrives in time', async () => {
      const { client, factory } = setup({ timeoutMs: 500 });
      client.connect();
      factory.last().open();
      const pending = client.request('sync.state', {});
      const check = expectCode(pending, 'TIMEOUT');
      await vi.advanceTimersByTimeAsync(500);
      await check;
      expect(client.pendingCount).toBe(0);
      // A late answer is ignored.
      factory.last().respond(factory.last().lastSent().id, {});
    });

    it('rejects every pending request with DISCONNECTED when the socket closes', async () => {
      const { client, factory } = setup();
      client.connect();
      factory.last().open();
      const a = expectCode(client.request('sync.state', {}), 'DISCONNECTED');
      const b = expectCode(client.request('conversations.listRooms', {}), 'DISCONNECTED');
      factory.last().serverClose(1006);
      await Promise.all([a, b]);
      expect(client.pendingCount).toBe(0);
    });

    it('rejects at once with DISCONNECTED while not connected', async () => {
      const { client } = setup();
      await expectCode(client.request('sync.state', {}), 'DISCONNECTED');
      client.connect();
      await expectCode(client.request('sync.state', {}), 'DISCONNECTED');
    });
  });

  describe('reconnect', () => {
    it('reconnects with exponential backoff and resets it after a success', async () => {
      const { client, factory, states } = setup();
      const connected = vi.fn();
      client.on('connected', connected);
      client.connect();
      factory.last().open();
      expect(connected).toHaveBeenLastCalledWith({ reconnect: false });

      factory.last().serverClose(1006);
      expect(client.state).toBe('reconnecting');
      await vi.advanceTimersByTimeAsync(249);
      expect(factory.sockets).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(factory.sockets).toHaveLength(2);

      // Fails again: the next wait doubles.
      factory.last().serverClose(1006);
      await vi.advanceTimersByTimeAsync(499);
      expect(factory.sockets).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(factory.sockets).toHaveLength(3);

      factory.last().open();
      expect(connected).toHaveBeenLastCalledWith({ reconnect: true });
      factory.last().serverClose(1001);
      await vi.advanceTimersByTimeAsync(250);
      expect(factory.sockets).toHaveLength(4);
      expect(states).toEqual(['connecting', 'connected', 'reconnecting', 'connected', 'reconnecting']);
    });

    it.each([4001, 4002])('goes to unauthenticated on close code %i and does not reconnect', async (code) => {
      const { client, factory } = setup();
      client.connect();
      factory.last().open();
      factory.last().serverClose(code, 'UNAUTHENTICATED: expired');
      expect(client.state).toBe('unauthenticated');
      await vi.advanceTimersByTimeAsync(60_000);
      expect(factory.sockets).toHaveLength(1);
    });

    it('stops for good after close()', async () => {
      const { client, factory } = setup();
      client.connect();
      factory.last().open();
      const pending = expectCode(client.request('sync.state', {}), 'DISCONNECTED');
      client.close();
      await pending;
      expect(client.state).toBe('closed');
      expect(factory.last().closedWith?.code).toBe(1000);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(factory.sockets).toHaveLength(1);
    });

    it('reconnectNow skips the backoff wait', () => {
      const { client, factory } = setup();
      client.connect();
      factory.last().open();
      factory.last().serverClose(1006);
      client.reconnectNow();
      expect(factory.sockets).toHaveLength(2);
    });
  });

  describe('server frames', () => {
    it('emits validated notifications', () => {
      const { client, factory } = setup();
      const seen: ParsedNotification[] = [];
      client.on('notification', (n) => seen.push(n));
      client.connect();
      factory.last().open();
      factory.last().notify('presence.changed', { userId: 2, status: 'busy' });
      expect(seen).toEqual([{ event: 'presence.changed', data: { userId: 2, status: 'busy' } }]);
    });

    it('ignores invalid frames without breaking the connection', async () => {
      const { client, factory } = setup();
      const invalid = vi.fn();
      const notification = vi.fn();
      client.on('invalidFrame', invalid);
      client.on('notification', notification);
      client.connect();
      const socket = factory.last();
      socket.open();
      socket.receive('not json');
      socket.receive({ event: 'presence.changed', data: { userId: 'two' } });
      socket.receive({ event: 'no.such.event', data: {} });
      socket.receive({ id: 'x', result: 1 });
      expect(invalid).toHaveBeenCalledTimes(4);
      expect(notification).not.toHaveBeenCalled();
      expect(client.state).toBe('connected');
      const pending = client.request('presence.set', { status: 'online' });
      socket.respond(socket.lastSent().id, { status: 'online' });
      await expect(pending).resolves.toEqual({ status: 'online' });
    });

    it('survives a throwing notification listener', () => {
      const { client, factory } = setup();
      const second = vi.fn();
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      client.on('notification', () => {
        throw new Error('listener bug');
      });
      client.on('notification', second);
      client.connect();
      factory.last().open();
      factory.last().notify('conversation.removed', { conversationId: 3 });
      expect(second).toHaveBeenCalledTimes(1);
      errors.mockRestore();
    });
  });
});
