import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../signaling-server/metrics.js';
import { SqliteStore } from '../../../signaling-server/store/SqliteStore.js';
import { fakeConnection, makePrincipal } from './fakes.js';

async function principal() {
  const store = SqliteStore.open(':memory:');
  const p = await makePrincipal(store);
  await store.close();
  return p;
}

async function shedCount(metrics: ReturnType<typeof createMetrics>, action: 'drop' | 'terminate'): Promise<number> {
  return (await metrics.shed.get()).values.find((v) => v.labels.action === action)?.value ?? 0;
}

describe('ClientConnection', () => {
  it("exposes the principal's user id", async () => {
    const p = await principal();
    expect(fakeConnection(p).connection.userId).toBe(p.user.id);
  });

  it('gets a distinct id per connection', async () => {
    const p = await principal();
    expect(fakeConnection(p).connection.id).not.toBe(fakeConnection(p).connection.id);
  });

  describe('#send', () => {
    it('sends essential and non-essential frames when the socket keeps up', async () => {
      const { connection, socket } = fakeConnection(await principal());
      connection.send('a');
      connection.send('b', false);
      expect(socket.send.mock.calls).toStrictEqual([['a'], ['b']]);
    });

    it('sends nothing once the socket is no longer open', async () => {
      const { connection, socket } = fakeConnection(await principal());
      socket.readyState = 2;
      connection.send('a');
      expect(socket.send).not.toHaveBeenCalled();
      expect(socket.terminate).not.toHaveBeenCalled();
    });

    it('drops non-essential frames above the soft limit and counts them', async () => {
      const metrics = createMetrics();
      const { connection, socket } = fakeConnection(await principal(), { metrics, softLimitBytes: 100, hardLimitBytes: 1000 });
      socket.bufferedAmount = 101;
      connection.send('presence', false);
      expect(socket.send).not.toHaveBeenCalled();
      expect(socket.terminate).not.toHaveBeenCalled();
      expect(await shedCount(metrics, 'drop')).toBe(1);
    });

    it('still sends essential frames above the soft limit', async () => {
      const { connection, socket } = fakeConnection(await principal(), { softLimitBytes: 100, hardLimitBytes: 1000 });
      socket.bufferedAmount = 500;
      connection.send('message');
      expect(socket.send).toHaveBeenCalledWith('message');
    });

    it('sends non-essential frames at exactly the soft limit', async () => {
      const { connection, socket } = fakeConnection(await principal(), { softLimitBytes: 100, hardLimitBytes: 1000 });
      socket.bufferedAmount = 100;
      connection.send('presence', false);
      expect(socket.send).toHaveBeenCalledWith('presence');
    });

    it.each([true, false])('terminates the socket above the hard limit (essential: %s) without sending', async (essential) => {
      const metrics = createMetrics();
      const { connection, socket } = fakeConnection(await principal(), { metrics, softLimitBytes: 100, hardLimitBytes: 1000 });
      socket.bufferedAmount = 1001;
      connection.send('frame', essential);
      expect(socket.terminate).toHaveBeenCalledOnce();
      expect(socket.send).not.toHaveBeenCalled();
      expect(await shedCount(metrics, 'terminate')).toBe(1);
    });
  });

  describe('#close', () => {
    it('closes an open socket with the code and reason', async () => {
      const { connection, socket } = fakeConnection(await principal());
      connection.close(4002, 'session revoked');
      expect(socket.close).toHaveBeenCalledWith(4002, 'session revoked');
    });

    it('closes a connecting socket', async () => {
      const { connection, socket } = fakeConnection(await principal());
      socket.readyState = 0;
      connection.close(1001, 'bye');
      expect(socket.close).toHaveBeenCalledOnce();
    });

    it('does nothing for a socket that is already closing', async () => {
      const { connection, socket } = fakeConnection(await principal());
      socket.readyState = 2;
      connection.close(1000, 'bye');
      expect(socket.close).not.toHaveBeenCalled();
    });
  });
});
