import { register, TestClient } from './wsClient.js';

/**
 * The basic product flow on a server, by two new users: open a direct conversation, exchange a
 * message, and a 1-on-1 call through signaling (place → ring → accept → offer/answer → hang up).
 * Throws on any deviation; returns what it observed.
 */
export async function twoUserCall(url: string, wsUrl: string, names: [string, string] = ['carol', 'dave']) {
  const caller = await register(url, names[0]);
  const callee = await register(url, names[1]);
  const c = await TestClient.connect(wsUrl, caller.token);
  const d = await TestClient.connect(wsUrl, callee.token);
  try {
    const { conversation } = await c.request('conversations.createDirect', { userId: callee.user.id });
    const conversationId = conversation.id;
    await c.request('messages.send', { conversationId, clientId: 'two-user-msg-1', body: 'are you there?' });
    const { message } = await d.waitFor('message.new', (m) => m.message.conversationId === conversationId);
    if (message.body !== 'are you there?') throw new Error(`message arrived as ${JSON.stringify(message.body)}`);

    const placed = await c.request('call.place', { conversationId });
    const callId = placed.call.callId;
    await c.waitFor('call.ringing', (r) => r.callId === callId);
    await d.waitFor('call.incoming', (i) => i.call.callId === callId);
    const accepted = await d.request('call.accept', { callId });
    if (accepted.call.state !== 'active') throw new Error(`accepted call is ${accepted.call.state}`);
    await c.waitFor('call.accepted', (a) => a.call.callId === callId);
    await c.request('call.signal', { callId, signal: { type: 'offer', sdp: 'v=0 offer' } });
    const offer = await d.waitFor('call.signal', (s) => s.callId === callId);
    if (offer.signal.type !== 'offer') throw new Error(`callee got ${offer.signal.type}`);
    await d.request('call.signal', { callId, signal: { type: 'answer', sdp: 'v=0 answer' } });
    const answer = await c.waitFor('call.signal', (s) => s.callId === callId);
    if (answer.signal.type !== 'answer') throw new Error(`caller got ${answer.signal.type}`);
    await c.request('call.hangup', { callId });
    const ended = await Promise.all([c.waitFor('call.ended', (e) => e.callId === callId), d.waitFor('call.ended', (e) => e.callId === callId)]);
    const { calls } = await c.request('call.history', {});
    return { conversationId, callId, endReasons: ended.map((e) => e.reason), outcome: calls[0]?.outcome };
  } finally {
    c.close();
    d.close();
    await Promise.all([c.closed(), d.closed()]);
  }
}
