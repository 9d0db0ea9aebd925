import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { startUdpDelayRelay, type UdpDelayRelay } from '../../helpers/udpDelayRelay.js';

/** A UDP echo server on 127.0.0.1 (the relay's target). */
async function echoServer(): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.on('message', (data, from) => socket.send(data, from.port, from.address));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

/** Send `count` numbered datagrams `gapMs` apart through the relay; resolve with each echo's number and round trip, ms, in arrival order. */
async function pingThrough(relay: UdpDelayRelay, count: number, gapMs: number, waitMs: number): Promise<Array<{ seq: number; rttMs: number }>> {
  const client = createSocket('udp4');
  const sentAt: number[] = [];
  const echoes: Array<{ seq: number; rttMs: number }> = [];
  client.on('message', (data) => {
    const seq = data.readUInt32BE(0);
    echoes.push({ seq, rttMs: performance.now() - sentAt[seq]! });
  });
  await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
  for (let seq = 0; seq < count; seq++) {
    const data = Buffer.alloc(4);
    data.writeUInt32BE(seq);
    sentAt[seq] = performance.now();
    client.send(data, relay.port, relay.host);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  const deadline = Date.now() + waitMs;
  while (echoes.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  client.close();
  return echoes;
}

describe('udpDelayRelay (test helper)', () => {
  const open: Array<{ close(): unknown }> = [];
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
  });

  it('holds every datagram for at least mean − jitter in each direction and keeps their order', async () => {
    const echo = await echoServer();
    open.push(echo);
    const relay = await startUdpDelayRelay({ listenIp: '127.0.0.1', target: { host: '127.0.0.1', port: echo.address().port }, delay: { meanMs: 40, jitterMs: 20 } });
    open.push(relay);
    // 5 ms apart with ±20 ms of jitter: independent delays would reorder most of them.
    const echoes = await pingThrough(relay, 60, 5, 5000);
    expect(echoes.map((e) => e.seq)).toEqual([...Array(60).keys()]);
    // Two hops of at least 20 ms each (half a millisecond of timer slack per hop).
    for (const e of echoes) expect(e.rttMs).toBeGreaterThanOrEqual(39);
    const stats = relay.stats();
    expect(stats.datagrams).toBe(120);
    expect(stats.minMs).toBeGreaterThanOrEqual(19.5);
    // Order kept: a datagram waits for a slower one before it, so the mean leans above 40 ms.
    expect(stats.meanMs).toBeGreaterThanOrEqual(40);
  });

  it('passes datagrams straight through with no delay, and setDelay changes it', async () => {
    const echo = await echoServer();
    open.push(echo);
    const relay = await startUdpDelayRelay({ listenIp: '127.0.0.1', target: { host: '127.0.0.1', port: echo.address().port } });
    open.push(relay);
    expect((await pingThrough(relay, 10, 2, 2000)).length).toBe(10);
    relay.setDelay({ meanMs: 60, jitterMs: 0 });
    const delayed = await pingThrough(relay, 10, 2, 3000);
    expect(delayed.length).toBe(10);
    for (const e of delayed) expect(e.rttMs).toBeGreaterThanOrEqual(119);
  });

  it('drops datagrams from sources it was not told to allow', async () => {
    const echo = await echoServer();
    open.push(echo);
    const relay = await startUdpDelayRelay({ listenIp: '127.0.0.1', target: { host: '127.0.0.1', port: echo.address().port }, allowedSources: ['127.0.0.2'] });
    open.push(relay);
    expect(await pingThrough(relay, 5, 2, 300)).toEqual([]);
    expect(relay.stats()).toMatchObject({ datagrams: 0, refused: 5 });
  });

  it('refuses a jitter wider than the mean', async () => {
    await expect(startUdpDelayRelay({ listenIp: '127.0.0.1', target: { host: '127.0.0.1', port: 9 }, delay: { meanMs: 10, jitterMs: 20 } })).rejects.toThrow(/jitterMs/);
  });
});
