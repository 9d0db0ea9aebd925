import { existsSync } from 'node:fs';
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import { workerBin } from 'mediasoup/node/lib/Worker.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionResponse } from '../../../common/protocol/index.js';
import { startTestServer, type TestServer } from '../../helpers/testServer.js';
import { register, TestClient } from '../../helpers/wsClient.js';

// The worker binary is built by scripts/setup.sh; without it these tests cannot run at all.
const hasWorker = existsSync(workerBin);
if (!hasWorker) console.warn(`[group calls] SKIPPED: no mediasoup worker at ${workerBin} (run scripts/setup.sh)`);

let srv: TestServer;
/** Every producer the SFU's workers create in this process, by id (mediasoup's observer API: the real objects). */
const producers = new Map<string, ms.Producer>();
mediasoup.observer.on('newworker', (worker) =>
  worker.observer.on('newrouter', (router) =>
    router.observer.on('newtransport', (transport) => transport.observer.on('newproducer', (producer) => producers.set(producer.id, producer))),
  ),
);
/** The ids of the producers that are open now. */
const openProducers = () => [...producers.values()].filter((p) => !p.closed).map((p) => p.id);
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await srv?.stop();
});

async function connect(session: SessionResponse): Promise<TestClient> {
  const client = await TestClient.connect(srv.wsUrl, session.token);
  clients.push(client);
  return client;
}

/** Opus RTP parameters as a browser would send them (no media flows in these tests). */
const opusRtp = (ssrc: number) => ({
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 }, rtcpFeedback: [] }],
  encodings: [{ ssrc }],
  headerExtensions: [],
  rtcp: { cname: `c${ssrc}` },
});

async function threeInAGroup(config = {}) {
  srv = await startTestServer({ sfu: true, config });
  const sessions = await Promise.all(['alice', 'bob', 'carol'].map((u) => register(srv.url, u, u[0]!.toUpperCase() + u.slice(1))));
  const [a, b, c] = await Promise.all(sessions.map(connect));
  const { conversation } = await a!.request('conversations.createGroup', { title: 'Team', memberIds: [sessions[1]!.user.id, sessions[2]!.user.id] });
  return { sessions, a: a!, b: b!, c: c!, conversationId: conversation.id };
}

describe.skipIf(!hasWorker)('group calls on the real SFU', () => {
  it('starts, joins with transports, forwards each producer to the others, and ends with a message and history', async () => {
    const { a, b, c, conversationId } = await threeInAGroup();
    const { call } = await a.request('group.start', { conversationId });
    // Members learn a call is in progress.
    await b.waitFor('group.updated', (d) => d.conversationId === conversationId && d.call?.callId === call.callId);
    const ja = await a.request('group.join', { conversationId });
    expect(ja.routerRtpCapabilities).toHaveProperty('codecs');
    expect(ja.sendTransport.iceCandidates.length).toBeGreaterThan(0);
    const jb = await b.request('group.join', { conversationId });
    await b.request('group.ready', { callId: call.callId, rtpCapabilities: jb.routerRtpCapabilities });
    const { producerId } = await a.request('group.produce', { callId: call.callId, transportId: ja.sendTransport.id, rtpParameters: opusRtp(1111) });
    const consumer = await b.waitFor('group.newConsumer', (d) => d.producerId === producerId);
    expect(consumer.participantId).toBe(ja.participantId);
    await b.request('group.resumeConsumer', { callId: call.callId, consumerId: consumer.consumerId });
    // A late joiner gets consumers for everyone already there.
    const jc = await c.request('group.join', { conversationId });
    await c.request('group.ready', { callId: call.callId, rtpCapabilities: jc.routerRtpCapabilities });
    await c.waitFor('group.newConsumer', (d) => d.producerId === producerId);
    expect((await a.request('sync.state', {})).groupCalls[0]?.participants).toHaveLength(3);
    // The starter is host.
    expect(jc.call.participants.find((p) => p.participantId === ja.participantId)?.host).toBe(true);

    // Alice leaves: her producer's consumers close at the others.
    c.frames.length = 0;
    await a.request('group.leave', { callId: call.callId });
    await b.waitFor('group.consumerClosed', (d) => d.consumerId === consumer.consumerId);
    // Host passes to the longest-present participant (Bob).
    const afterLeave = await c.waitFor('group.updated', (d) => d.call !== null && d.call.participants.every((p) => p.participantId !== ja.participantId));
    expect(afterLeave.call!.participants.find((p) => p.host)?.displayName).toBe('Bob');
    await b.request('group.leave', { callId: call.callId });
    await c.request('group.leave', { callId: call.callId });
    await a.waitFor('group.updated', (d) => d.call === null);
    const { messages } = await a.request('messages.history', { conversationId, limit: 1 });
    expect(messages[0]!.body).toMatch(/^Voice call ended · \d:\d\d$/);
    const { calls } = await b.request('call.history', {});
    expect(calls[0]).toMatchObject({ callId: call.callId, kind: 'group', outcome: 'ended' });
    expect(calls[0]!.participants.map((p) => p.displayName).sort()).toEqual(['Alice', 'Bob', 'Carol']);
    expect(calls[0]!.participants.every((p) => p.joinedAt !== null && p.leftAt !== null)).toBe(true);
  });

  it('swaps a participant\'s producer only when asked to replace it; a muted participant\'s replacement starts paused', async () => {
    const { a, b, conversationId } = await threeInAGroup();
    const { call } = await a.request('group.start', { conversationId });
    const ja = await a.request('group.join', { conversationId });
    const jb = await b.request('group.join', { conversationId });
    await b.request('group.ready', { callId: call.callId, rtpCapabilities: jb.routerRtpCapabilities });
    const produce = (ssrc: number, replace?: boolean) =>
      a.request('group.produce', { callId: call.callId, transportId: ja.sendTransport.id, rtpParameters: opusRtp(ssrc), ...(replace === undefined ? {} : { replace }) });
    const { producerId: first } = await produce(1111);
    const firstConsumer = await b.waitFor('group.newConsumer', (d) => d.producerId === first);
    // A second producer without `replace` is refused and the first one keeps sending.
    await expect(produce(2222)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(produce(2222, false)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(openProducers()).toEqual([first]);
    // With it: Bob's consumer of the old one closes and one of the new one arrives.
    const { producerId: second } = await produce(3333, true);
    expect(second).not.toBe(first);
    await b.waitFor('group.consumerClosed', (d) => d.consumerId === firstConsumer.consumerId);
    const secondConsumer = await b.waitFor('group.newConsumer', (d) => d.producerId === second);
    expect(secondConsumer.participantId).toBe(ja.participantId);
    expect(openProducers()).toEqual([second]);
    expect(producers.get(second)!.paused).toBe(false);
    // Muted, the replacement is paused on the SFU from the start (no packet of it reaches anyone).
    await a.request('group.setMuted', { callId: call.callId, muted: true });
    const { producerId: third } = await produce(4444, true);
    expect(openProducers()).toEqual([third]);
    expect(producers.get(third)!.paused).toBe(true);
  });

  it('refuses the joiner past the cap with ROOM_FULL, and a role without groupcall.join with FORBIDDEN', async () => {
    const { sessions, a, b, c, conversationId } = await threeInAGroup({ groupCallCap: 2 });
    await a.request('group.start', { conversationId });
    await a.request('group.join', { conversationId });
    await b.request('group.join', { conversationId });
    await expect(c.request('group.join', { conversationId })).rejects.toMatchObject({ code: 'ROOM_FULL' });
    await srv.server.store.upsertRole('chatonly', ['message.send']);
    await srv.server.store.setUserRole(sessions[2]!.user.id, 'chatonly');
    await b.request('group.leave', { callId: (await a.request('sync.state', {})).groupCalls[0]!.callId });
    await expect(c.request('group.join', { conversationId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(c.request('group.start', { conversationId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('lets only the host mute others; a participant muted by the host cannot unmute until asked', async () => {
    const { a, b, c, conversationId } = await threeInAGroup();
    const { call } = await a.request('group.start', { conversationId });
    await a.request('group.join', { conversationId });
    const jb = await b.request('group.join', { conversationId });
    const jc = await c.request('group.join', { conversationId });
    await b.request('group.produce', { callId: call.callId, transportId: jb.sendTransport.id, rtpParameters: opusRtp(2222) });
    await expect(c.request('group.hostMute', { callId: call.callId, participantId: jb.participantId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await a.request('group.hostMute', { callId: call.callId, participantId: jb.participantId });
    expect((await b.waitFor('group.hostAction')).action).toBe('muted');
    await expect(b.request('group.setMuted', { callId: call.callId, muted: false })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    a.frames.length = 0;
    await a.request('group.askToUnmute', { callId: call.callId, participantId: jb.participantId });
    expect((await b.waitFor('group.hostAction')).action).toBe('askToUnmute');
    // Asking does not unmute: Bob is still muted until he decides.
    const state = await a.waitFor('group.updated', (d) => d.call?.participants.some((p) => p.participantId === jb.participantId && !p.mutedByHost) ?? false);
    expect(state.call!.participants.find((p) => p.participantId === jb.participantId)!.muted).toBe(true);
    await b.request('group.setMuted', { callId: call.callId, muted: false });
    a.frames.length = 0;
    await a.request('group.hostMuteAll', { callId: call.callId });
    const all = await a.waitFor('group.updated', (d) => d.call?.participants.filter((p) => p.mutedByHost).length === 2);
    expect(all.call!.participants.find((p) => p.host)!.muted).toBe(false);
    expect(jc.participantId).toBeTruthy();
  });

  it('refuses media requests from anyone not in the call, and malformed RTP parameters with BAD_REQUEST', async () => {
    const { a, b, conversationId } = await threeInAGroup();
    const { call } = await a.request('group.start', { conversationId });
    const ja = await a.request('group.join', { conversationId });
    await expect(b.request('group.produce', { callId: call.callId, transportId: ja.sendTransport.id, rtpParameters: opusRtp(3) })).rejects.toMatchObject({
      code: 'CALL_NOT_FOUND',
    });
    await expect(a.request('group.produce', { callId: call.callId, transportId: ja.sendTransport.id, rtpParameters: { codecs: 'nope' } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    const outsider = await register(srv.url, 'mallory');
    const m = await connect(outsider);
    await expect(m.request('group.join', { conversationId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('moves a call to a new worker when its worker dies and tells every participant to rejoin', async () => {
    const { a, b, conversationId } = await threeInAGroup();
    const { call } = await a.request('group.start', { conversationId });
    await a.request('group.join', { conversationId });
    await b.request('group.join', { conversationId });
    const [pid] = srv.sfu!.workerPids;
    process.kill(pid!, 'SIGKILL');
    await a.waitFor('group.rejoin', (d) => d.callId === call.callId, 10_000);
    await b.waitFor('group.rejoin', (d) => d.callId === call.callId, 10_000);
    expect(srv.sfu!.workerPids[0]).not.toBe(pid);
    // Rejoining works on the new worker, and the participant keeps its place (no duplicate).
    const again = await b.request('group.join', { conversationId });
    expect(again.sendTransport.id).toBeTruthy();
    expect(again.call.participants).toHaveLength(2);
  });
});

describe.skipIf(!hasWorker)('guests', () => {
  async function roomWithCall(guestAccess: boolean) {
    srv = await startTestServer({ sfu: true });
    const host = await register(srv.url, 'host', 'Host');
    const h = await connect(host);
    const { conversation } = await h.request('conversations.createRoom', { title: 'Support', guestAccess });
    const { call } = await h.request('group.start', { conversationId: conversation.id });
    await h.request('group.join', { conversationId: conversation.id });
    return { h, roomId: conversation.id, callId: call.callId };
  }
  const guestLogin = (conversationId: number, displayName: string) =>
    fetch(`${srv.url}/api/guest`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ conversationId, displayName }) });

  it('join a guest-enabled room\'s call by display name and reach nothing else', async () => {
    const { h, roomId } = await roomWithCall(true);
    expect(await (await fetch(`${srv.url}/api/guest/${roomId}`)).json()).toEqual({ conversationId: roomId, title: 'Support' });
    const res = await guestLogin(roomId, 'Visitor Vera');
    expect(res.status).toBe(201);
    const guest = (await res.json()) as SessionResponse;
    expect(guest.user.role).toBe('guest');
    const g = await connect(guest);
    const state = await g.request('sync.state', {});
    expect(state.conversations).toEqual([]);
    expect(state.groupCalls[0]?.conversationId).toBe(roomId);
    const joined = await g.request('group.join', { conversationId: roomId });
    expect(joined.call.participants.find((p) => p.displayName === 'Visitor Vera')).toMatchObject({ guest: true, host: false });
    await h.waitFor('group.updated', (d) => d.call?.participants.some((p) => p.guest) ?? false);
    for (const attempt of [
      g.request('messages.send', { conversationId: roomId, clientId: 'guest-msg-1', body: 'hi' }),
      g.request('messages.history', { conversationId: roomId }),
      g.request('users.search', { query: 'ho' }),
      g.request('conversations.join', { conversationId: roomId }),
      g.request('group.start', { conversationId: roomId }),
      g.request('group.hostMuteAll', { callId: joined.call.callId }),
      g.request('call.history', {}),
    ]) {
      await expect(attempt).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    // Guests do not show up when members search for people.
    expect((await h.request('users.search', { query: 'guest' })).users).toEqual([]);
  });

  it('refuses guests for rooms without guest access, and a guest of one room in another room\'s call', async () => {
    const { h, roomId } = await roomWithCall(false);
    const closed = await guestLogin(roomId, 'Nope');
    expect(closed.status).toBe(404);
    expect(await closed.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const { conversation: open } = await h.request('conversations.createRoom', { title: 'Lobby', guestAccess: true });
    const guest = (await (await guestLogin(open.id, 'Visitor')).json()) as SessionResponse;
    const g = await connect(guest);
    await expect(g.request('group.join', { conversationId: roomId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe.skipIf(!hasWorker)('guests and hosting', () => {
  it('tells a waiting guest when the call starts, and never hands hosting to a guest', async () => {
    srv = await startTestServer({ sfu: true });
    const host = await register(srv.url, 'host', 'Host');
    const member = await register(srv.url, 'member', 'Member');
    const h = await connect(host);
    const { conversation } = await h.request('conversations.createRoom', { title: 'Desk', guestAccess: true });
    const res = await fetch(`${srv.url}/api/guest`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ conversationId: conversation.id, displayName: 'Early Guest' }),
    });
    const g = await connect((await res.json()) as SessionResponse);
    await g.request('sync.state', {});
    const { call } = await h.request('group.start', { conversationId: conversation.id });
    await g.waitFor('group.updated', (d) => d.call?.callId === call.callId);
    await h.request('group.join', { conversationId: conversation.id });
    await g.request('group.join', { conversationId: conversation.id });
    const m = await connect(member);
    await m.request('conversations.join', { conversationId: conversation.id });
    await m.request('group.join', { conversationId: conversation.id });
    g.frames.length = 0;
    await h.request('group.leave', { callId: call.callId });
    // The guest joined before the member, but hosting goes to the member.
    const after = await g.waitFor('group.updated', (d) => d.call !== null && d.call.participants.every((p) => p.displayName !== 'Host'));
    expect(after.call!.participants.find((p) => p.host)?.displayName).toBe('Member');
  });
});
