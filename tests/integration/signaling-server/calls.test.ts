import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerConfigInput } from '../../../signaling-server/config.js';
import type { SessionResponse } from '../../../common/protocol/index.js';
import { startTestServer, type TestServer } from '../../helpers/testServer.js';
import { register, TestClient } from '../../helpers/wsClient.js';

let srv: TestServer;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await srv.stop();
});

async function connect(session: SessionResponse): Promise<TestClient> {
  const client = await TestClient.connect(srv.wsUrl, session.token);
  clients.push(client);
  return client;
}

/** alice and bob with a direct conversation; alice connected once, bob as given. */
async function setup(config: ServerConfigInput = {}) {
  srv = await startTestServer({ config: { turnUrls: ['turn:127.0.0.1:3478?transport=udp'], turnSecret: 'test-secret', ...config } });
  const alice = await register(srv.url, 'alice', 'Alice');
  const bob = await register(srv.url, 'bob', 'Bob');
  const a = await connect(alice);
  const { conversation } = await a.request('conversations.createDirect', { userId: bob.user.id });
  return { alice, bob, a, conversationId: conversation.id };
}

async function lastMessage(client: TestClient, conversationId: number): Promise<string | undefined> {
  const { messages } = await client.request('messages.history', { conversationId, limit: 1 });
  return messages[0]?.body;
}

describe('1-on-1 call signaling', () => {
  it('reports USER_OFFLINE at once and rings nobody later', async () => {
    const { a, bob, conversationId } = await setup();
    await expect(a.request('call.place', { conversationId })).rejects.toMatchObject({ code: 'USER_OFFLINE' });
    const b = await connect(bob);
    await b.request('sync.state', {});
    expect(b.frames.some((f) => f.event === 'call.incoming')).toBe(false);
    const { calls } = await a.request('call.history', {});
    expect(calls[0]).toMatchObject({ outcome: 'offline', durationMs: 0 });
  });

  it('rings every device; the first to accept wins, the other hears "answered elsewhere"; SDP flows only between the two', async () => {
    const { a, bob, conversationId } = await setup();
    const b1 = await connect(bob);
    const b2 = await connect(bob);
    const placed = await a.request('call.place', { conversationId });
    expect(placed.ice.iceServers[0]!.urls).toEqual(['turn:127.0.0.1:3478?transport=udp']);
    await a.waitFor('call.ringing', (d) => d.callId === placed.call.callId);
    const callId = placed.call.callId;
    await b1.waitFor('call.incoming', (d) => d.call.callId === callId);
    await b2.waitFor('call.incoming', (d) => d.call.callId === callId);
    // An offer sent while ringing is held for whichever device answers.
    await a.request('call.signal', { callId, signal: { type: 'offer', sdp: 'v=0 early offer' } });

    const accepted = await b2.request('call.accept', { callId });
    expect(accepted.call.state).toBe('active');
    await expect(b1.request('call.accept', { callId })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await b1.waitFor('call.ended', (d) => d.callId === callId)).reason).toBe('answered_elsewhere');
    await a.waitFor('call.accepted', (d) => d.call.callId === callId);
    expect((await b2.waitFor('call.signal')).signal).toEqual({ type: 'offer', sdp: 'v=0 early offer' });

    await b2.request('call.signal', { callId, signal: { type: 'answer', sdp: 'v=0 answer' } });
    expect((await a.waitFor('call.signal')).signal).toEqual({ type: 'answer', sdp: 'v=0 answer' });
    const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    await a.request('call.signal', { callId, signal: { type: 'candidate', candidate } });
    expect((await b2.waitFor('call.signal')).signal).toEqual({ type: 'candidate', candidate });
    // The device that did not answer cannot inject signals.
    await expect(b1.request('call.signal', { callId, signal: { type: 'answer', sdp: 'v=0 evil' } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(b1.frames.some((f) => f.event === 'call.signal')).toBe(false);

    await a.request('call.hangup', { callId });
    expect((await b2.waitFor('call.ended')).reason).toBe('hangup');
    expect(await lastMessage(a, conversationId)).toMatch(/^Voice call ended · 0:0\d$/);
    const { calls } = await b1.request('call.history', {});
    expect(calls[0]).toMatchObject({ callId, outcome: 'hangup' });
    expect(calls[0]!.answeredAt).not.toBeNull();
    expect(calls[0]!.participants.map((p) => p.displayName)).toEqual(['Alice', 'Bob']);
  });

  it('refuses SDP/ICE and every call action from someone outside the call', async () => {
    const { a, bob, conversationId } = await setup();
    const mallory = await register(srv.url, 'mallory');
    const m = await connect(mallory);
    const b = await connect(bob);
    const { call } = await a.request('call.place', { conversationId });
    await b.waitFor('call.incoming');
    for (const attempt of [
      m.request('call.signal', { callId: call.callId, signal: { type: 'offer', sdp: 'v=0' } }),
      m.request('call.accept', { callId: call.callId }),
      m.request('call.hangup', { callId: call.callId }),
      m.request('call.rejoin', { callId: call.callId }),
    ]) {
      await expect(attempt).rejects.toMatchObject({ code: 'CALL_NOT_FOUND' });
    }
    // Mallory cannot call into a conversation she is not part of.
    await expect(m.request('call.place', { conversationId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('reports busy, do-not-disturb, decline, cancel and no answer, each with its own system message', async () => {
    const { a, bob, alice, conversationId } = await setup({ ringTimeoutMs: 1000 });
    const carol = await register(srv.url, 'carol', 'Carol');
    const b = await connect(bob);
    const c = await connect(carol);
    const { conversation: withCarol } = await c.request('conversations.createDirect', { userId: bob.user.id });

    // decline
    let { call } = await a.request('call.place', { conversationId });
    await b.waitFor('call.incoming', (d) => d.call.callId === call.callId);
    await b.request('call.decline', { callId: call.callId });
    expect((await a.waitFor('call.ended', (d) => d.callId === call.callId)).reason).toBe('declined');
    expect(await lastMessage(a, conversationId)).toBe('Voice call from Alice declined');

    // "busy — call back later"
    ({ call } = await a.request('call.place', { conversationId }));
    await b.waitFor('call.incoming', (d) => d.call.callId === call.callId);
    await b.request('call.decline', { callId: call.callId, busy: true });
    expect((await a.waitFor('call.ended', (d) => d.callId === call.callId)).reason).toBe('busy');

    // cancel
    ({ call } = await a.request('call.place', { conversationId }));
    await b.waitFor('call.incoming', (d) => d.call.callId === call.callId);
    await a.request('call.cancel', { callId: call.callId });
    expect((await b.waitFor('call.ended', (d) => d.callId === call.callId)).reason).toBe('cancelled');
    expect(await lastMessage(b, conversationId)).toBe('Missed voice call from Alice');

    // no answer (ring timeout 1 s here)
    ({ call } = await a.request('call.place', { conversationId }));
    expect((await a.waitFor('call.ended', (d) => d.callId === call.callId, 5000)).reason).toBe('no_answer');
    expect((await b.waitFor('call.ended', (d) => d.callId === call.callId)).reason).toBe('no_answer');
    expect(await lastMessage(b, conversationId)).toBe('Missed voice call from Alice (no answer)');

    // busy: bob is in a call with carol
    const withCarolCall = await c.request('call.place', { conversationId: withCarol.id });
    await b.waitFor('call.incoming', (d) => d.call.callId === withCarolCall.call.callId);
    await b.request('call.accept', { callId: withCarolCall.call.callId });
    await expect(a.request('call.place', { conversationId })).rejects.toMatchObject({ code: 'USER_BUSY' });
    expect((await a.request('sync.state', {})).presence[String(bob.user.id)]).toBe('busy');
    // Bob's devices hear about the call he missed (his desktop counts it), without a ring.
    const missedBusy = await b.waitFor('call.missed', (d) => d.reason === 'busy');
    expect(missedBusy).toMatchObject({ conversationId, caller: { id: alice.user.id, displayName: 'Alice' } });
    expect(Object.keys(missedBusy.caller).sort()).toEqual(['displayName', 'id', 'role', 'username']);
    await c.request('call.hangup', { callId: withCarolCall.call.callId });

    // do not disturb: every device of Bob's is told of the missed call; nothing rings
    await b.request('presence.set', { status: 'dnd' });
    const b2 = await connect(bob);
    await expect(a.request('call.place', { conversationId })).rejects.toMatchObject({ code: 'DO_NOT_DISTURB' });
    expect(await lastMessage(b, conversationId)).toBe('Missed voice call from Alice (do not disturb)');
    const [missedDnd, missedDnd2] = await Promise.all([b.waitFor('call.missed', (d) => d.reason === 'dnd'), b2.waitFor('call.missed')]);
    expect(missedDnd2).toEqual(missedDnd);
    expect(missedDnd).toMatchObject({ conversationId, caller: { id: alice.user.id } });
    expect(missedDnd.callId).not.toBe(missedBusy.callId);
    const { calls } = await a.request('call.history', {});
    expect(calls.map((h) => h.outcome)).toEqual(['dnd', 'busy', 'no_answer', 'cancelled', 'busy', 'declined']);
    // The notices name the calls in the history.
    expect(calls.slice(0, 2).map((h) => h.callId)).toEqual([missedDnd.callId, missedBusy.callId]);
    // Only the callee is told; an incoming ring was never sent for them.
    expect(a.frames.filter((f) => f.event === 'call.missed')).toEqual([]);
    expect(b2.frames.filter((f) => f.event === 'call.incoming')).toEqual([]);
    expect(alice.user.id).toBeGreaterThan(0);
  });

  it('keeps the call through a signaling drop, re-attaches the new socket, and ends it as peer_lost after the grace period', async () => {
    const { a, alice, bob, conversationId } = await setup({ reconnectGraceMs: 800 });
    const b = await connect(bob);
    const { call } = await a.request('call.place', { conversationId });
    await b.waitFor('call.incoming');
    await b.request('call.accept', { callId: call.callId });
    await a.waitFor('call.accepted');

    a.socket.terminate();
    expect((await b.waitFor('call.peer')).connected).toBe(false);
    const a2 = await connect(alice);
    await a2.request('call.rejoin', { callId: call.callId });
    expect((await b.waitFor('call.peer')).connected).toBe(true);
    await b.request('call.signal', { callId: call.callId, signal: { type: 'offer', sdp: 'v=0 ice restart' } });
    expect((await a2.waitFor('call.signal')).signal).toMatchObject({ sdp: 'v=0 ice restart' });

    // Bob vanishes for good: after the grace period Alice's call ends with a reason.
    b.socket.terminate();
    expect((await a2.waitFor('call.ended', () => true, 5000)).reason).toBe('peer_lost');
    expect(await lastMessage(a2, conversationId)).toMatch(/^Voice call ended · 0:0\d$/);
  });

  it('refuses call.place to a role without call.place and to a callee without call.join', async () => {
    const { a, alice, bob, conversationId } = await setup();
    await connect(bob);
    await srv.server.store.upsertRole('listener', ['call.join', 'message.send']);
    await srv.server.store.setUserRole(alice.user.id, 'listener');
    await expect(a.request('call.place', { conversationId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await srv.server.store.setUserRole(alice.user.id, 'member');
    await srv.server.store.upsertRole('nocalls', ['message.send']);
    await srv.server.store.setUserRole(bob.user.id, 'nocalls');
    await expect(a.request('call.place', { conversationId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('hands out TURN REST credentials that expire within an hour and verify with the shared secret', async () => {
    const { a, bob, conversationId } = await setup();
    await connect(bob);
    const { ice } = await a.request('call.place', { conversationId });
    const turn = ice.iceServers.find((s) => s.username)!;
    const [expiry, userId] = turn.username!.split(':').map(Number);
    expect(userId).toBeGreaterThan(0);
    const lifetime = expiry! - Date.now() / 1000;
    expect(lifetime).toBeGreaterThan(3500);
    expect(lifetime).toBeLessThanOrEqual(3600);
    expect(turn.credential).toBe(createHmac('sha1', 'test-secret').update(turn.username!).digest('base64'));
    expect(ice.expiresAt).toBe(expiry! * 1000);
  });
});
