import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../../signaling-server/auth/AuthService.js';
import { Hub } from '../../../signaling-server/Hub.js';
import { InProcessBus } from '../../../signaling-server/MessageBus.js';
import { createMetrics, type Metrics } from '../../../signaling-server/metrics.js';
import { SqliteStore } from '../../../signaling-server/store/SqliteStore.js';
import { fakeConnection, makePrincipal, sentFrames, silentLogger, type FakeSocket } from './fakes.js';

describe('Hub', () => {
  let store: SqliteStore;
  let metrics: Metrics;
  let hub: Hub;
  let alice: Principal;
  let bob: Principal;
  let carol: Principal;

  beforeEach(async () => {
    store = SqliteStore.open(':memory:');
    metrics = createMetrics();
    hub = new Hub({ store, bus: new InProcessBus(), metrics, logger: silentLogger });
    alice = await makePrincipal(store);
    bob = await makePrincipal(store);
    carol = await makePrincipal(store);
    // alice and bob share a conversation; carol shares nothing with them.
    await store.createConversation({
      kind: 'direct',
      title: null,
      guestAccess: false,
      directKey: `${alice.user.id}:${bob.user.id}`,
      createdBy: alice.user.id,
      createdAt: 1,
      memberIds: [alice.user.id, bob.user.id],
    });
  });
  afterEach(async () => {
    await store.close();
  });

  /** A connected device of the principal (its own copy, as each connection authenticates separately). */
  async function connect(principal: Principal, opts: { softLimitBytes?: number } = {}) {
    const device = fakeConnection({ ...principal, user: { ...principal.user } }, { metrics, ...opts });
    await hub.add(device.connection);
    return device;
  }
  const presenceUpdates = (socket: FakeSocket) =>
    sentFrames(socket)
      .filter((f) => f.event === 'presence.changed')
      .map((f) => f.data);
  const gauge = async (g: Metrics['connections']) => (await g.get()).values[0]?.value;

  describe('#presenceOf', () => {
    it('is offline for a user with no device', () => {
      expect(hub.presenceOf(alice.user.id)).toBe('offline');
      expect(hub.isOnline(alice.user.id)).toBe(false);
    });

    it('is online once a device connects', async () => {
      await connect(alice);
      expect(hub.presenceOf(alice.user.id)).toBe('online');
      expect(hub.isOnline(alice.user.id)).toBe(true);
    });

    it('is the stored chosen status (dnd) when a device connects', async () => {
      await connect({ ...alice, user: { ...alice.user, status: 'dnd' } });
      expect(hub.presenceOf(alice.user.id)).toBe('dnd');
    });
  });

  describe('#add', () => {
    it('tells the user and their contacts, not strangers, that the user came online', async () => {
      const bobDevice = await connect(bob);
      const carolDevice = await connect(carol);
      const aliceDevice = await connect(alice);
      expect(presenceUpdates(bobDevice.socket)).toContainEqual({ userId: alice.user.id, status: 'online' });
      expect(presenceUpdates(aliceDevice.socket)).toContainEqual({ userId: alice.user.id, status: 'online' });
      expect(presenceUpdates(carolDevice.socket)).not.toContainEqual({ userId: alice.user.id, status: 'online' });
    });

    it('announces nothing when a second device of an online user connects', async () => {
      const bobDevice = await connect(bob);
      await connect(alice);
      bobDevice.socket.send.mockClear();
      await connect(alice);
      expect(presenceUpdates(bobDevice.socket)).toStrictEqual([]);
    });

    it('counts connections and online users', async () => {
      await connect(alice);
      await connect(alice);
      await connect(bob);
      expect(await gauge(metrics.connections)).toBe(3);
      expect(await gauge(metrics.onlineUsers)).toBe(2);
      expect([...hub.connections()]).toHaveLength(3);
      expect(hub.connectionsOf(alice.user.id).size).toBe(2);
    });
  });

  describe('#remove', () => {
    it('keeps the user online while another device is connected', async () => {
      const bobDevice = await connect(bob);
      const first = await connect(alice);
      await connect(alice);
      bobDevice.socket.send.mockClear();
      await hub.remove(first.connection);
      expect(hub.presenceOf(alice.user.id)).toBe('online');
      expect(presenceUpdates(bobDevice.socket)).toStrictEqual([]);
    });

    it('makes the user offline only after the last device goes, and tells contacts', async () => {
      const bobDevice = await connect(bob);
      const first = await connect(alice);
      const second = await connect(alice);
      await hub.remove(first.connection);
      await hub.remove(second.connection);
      expect(hub.presenceOf(alice.user.id)).toBe('offline');
      expect(presenceUpdates(bobDevice.socket).at(-1)).toStrictEqual({ userId: alice.user.id, status: 'offline' });
      expect(await gauge(metrics.connections)).toBe(1);
      expect(await gauge(metrics.onlineUsers)).toBe(1);
    });

    it('announces offline for a user who leaves while busy or dnd', async () => {
      const bobDevice = await connect(bob);
      const device = await connect({ ...alice, user: { ...alice.user, status: 'dnd' } });
      await hub.setInCall(alice.user.id, true);
      await hub.remove(device.connection);
      expect(presenceUpdates(bobDevice.socket).at(-1)).toStrictEqual({ userId: alice.user.id, status: 'offline' });
    });

    it('ignores a connection it does not hold', async () => {
      const device = await connect(alice);
      await hub.remove(device.connection);
      await hub.remove(device.connection);
      expect(await gauge(metrics.connections)).toBe(0);
      expect(await gauge(metrics.onlineUsers)).toBe(0);
    });

    it("takes a returning user's status from their new connection, not from before", async () => {
      const device = await connect(alice);
      await hub.setChosenStatus(alice.user.id, 'dnd');
      await hub.remove(device.connection);
      await connect({ ...alice, user: { ...alice.user, status: 'online' } });
      expect(hub.presenceOf(alice.user.id)).toBe('online');
    });
  });

  describe('#setChosenStatus', () => {
    it('switches an online user to dnd, stores it and tells contacts', async () => {
      const bobDevice = await connect(bob);
      const aliceDevice = await connect(alice);
      expect(await hub.setChosenStatus(alice.user.id, 'dnd')).toBe('dnd');
      expect(hub.presenceOf(alice.user.id)).toBe('dnd');
      expect((await store.getUserById(alice.user.id))?.status).toBe('dnd');
      expect(aliceDevice.connection.principal.user.status).toBe('dnd');
      expect(presenceUpdates(bobDevice.socket).at(-1)).toStrictEqual({ userId: alice.user.id, status: 'dnd' });
    });

    it('applies to every device of the user', async () => {
      const first = await connect(alice);
      const second = await connect(alice);
      await hub.setChosenStatus(alice.user.id, 'dnd');
      expect(first.connection.principal.user.status).toBe('dnd');
      expect(second.connection.principal.user.status).toBe('dnd');
    });

    it('stores the choice of an offline user, who stays offline', async () => {
      expect(await hub.setChosenStatus(alice.user.id, 'dnd')).toBe('offline');
      expect((await store.getUserById(alice.user.id))?.status).toBe('dnd');
    });

    it('announces nothing when the status does not change', async () => {
      const bobDevice = await connect(bob);
      await connect(alice);
      bobDevice.socket.send.mockClear();
      await hub.setChosenStatus(alice.user.id, 'online');
      expect(presenceUpdates(bobDevice.socket)).toStrictEqual([]);
    });
  });

  describe('#setInCall', () => {
    it('makes an online user busy and back to their chosen status', async () => {
      const bobDevice = await connect(bob);
      await connect(alice);
      await hub.setInCall(alice.user.id, true);
      expect(hub.presenceOf(alice.user.id)).toBe('busy');
      await hub.setInCall(alice.user.id, false);
      expect(hub.presenceOf(alice.user.id)).toBe('online');
      expect(presenceUpdates(bobDevice.socket).slice(-2)).toStrictEqual([
        { userId: alice.user.id, status: 'busy' },
        { userId: alice.user.id, status: 'online' },
      ]);
    });

    it('shows busy over dnd, and dnd again after the call', async () => {
      await connect(alice);
      await hub.setChosenStatus(alice.user.id, 'dnd');
      await hub.setInCall(alice.user.id, true);
      expect(hub.presenceOf(alice.user.id)).toBe('busy');
      await hub.setInCall(alice.user.id, false);
      expect(hub.presenceOf(alice.user.id)).toBe('dnd');
    });

    it('keeps an offline user offline', async () => {
      await hub.setInCall(alice.user.id, true);
      expect(hub.presenceOf(alice.user.id)).toBe('offline');
    });

    it('survives a storage failure while loading contacts', async () => {
      await connect(alice);
      await store.close();
      await expect(hub.setInCall(alice.user.id, true)).resolves.toBeUndefined();
      expect(hub.presenceOf(alice.user.id)).toBe('busy');
    });
  });

  describe('#notify', () => {
    it('delivers to every device of each user, once per device', async () => {
      const a1 = await connect(alice);
      const a2 = await connect(alice);
      const b = await connect(bob);
      const c = await connect(carol);
      for (const device of [a1, a2, b, c]) device.socket.send.mockClear();
      hub.notify([alice.user.id, bob.user.id, alice.user.id], 'conversation.removed', { conversationId: 7 });
      for (const device of [a1, a2, b]) {
        expect(sentFrames(device.socket)).toStrictEqual([{ event: 'conversation.removed', data: { conversationId: 7 } }]);
      }
      expect(c.socket.send).not.toHaveBeenCalled();
    });

    it('sheds presence for a slow socket but still delivers essential frames', async () => {
      const slow = await connect(bob, { softLimitBytes: 100 });
      slow.socket.bufferedAmount = 500;
      slow.socket.send.mockClear();
      await connect(alice);
      hub.notify([bob.user.id], 'conversation.removed', { conversationId: 1 });
      expect(sentFrames(slow.socket)).toStrictEqual([{ event: 'conversation.removed', data: { conversationId: 1 } }]);
    });

    it('is a no-op for users with no device', () => {
      expect(() => hub.notify([alice.user.id], 'conversation.removed', { conversationId: 1 })).not.toThrow();
    });
  });
});
