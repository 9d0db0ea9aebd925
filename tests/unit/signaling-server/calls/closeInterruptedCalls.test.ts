import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EarshotError } from '../../../../common/errors.js';
import { closeInterruptedCalls } from '../../../../signaling-server/calls/closeInterruptedCalls.js';
import { ChatService } from '../../../../signaling-server/ChatService.js';
import { Hub } from '../../../../signaling-server/Hub.js';
import { InProcessBus } from '../../../../signaling-server/MessageBus.js';
import { createMetrics } from '../../../../signaling-server/metrics.js';
import { SqliteStore } from '../../../../signaling-server/store/SqliteStore.js';
import { fakeClock, makePrincipal, silentLogger, type FakeClock } from '../fakes.js';

describe('closeInterruptedCalls', () => {
  let store: SqliteStore;
  let clock: FakeClock;
  let chat: ChatService;
  let conversationId: number;
  let aliceId: number;
  let bobId: number;

  beforeEach(async () => {
    store = SqliteStore.open(':memory:');
    clock = fakeClock();
    const metrics = createMetrics();
    chat = new ChatService({ store, hub: new Hub({ store, bus: new InProcessBus(), metrics, logger: silentLogger }), clock, metrics });
    const alice = await makePrincipal(store, { displayName: 'Alice' });
    const bob = await makePrincipal(store, { displayName: 'Bob' });
    aliceId = alice.user.id;
    bobId = bob.user.id;
    conversationId = (await chat.createDirect(alice, bobId)).id;
  });
  afterEach(() => store.close());

  /** A call row as a server leaves it when it dies: answered (or not) and never ended. */
  async function openCall(id: string, answered: boolean): Promise<void> {
    const t0 = clock.now();
    await store.createCall({ id, conversationId, kind: 'direct', callerId: aliceId, startedAt: t0, outcome: 'ringing' });
    await store.addCallParticipant(id, aliceId, 'Alice', t0);
    await store.addCallParticipant(id, bobId, 'Bob', null);
    if (answered) {
      await store.setCallAnswered(id, t0 + 1000);
      await store.setCallParticipantJoined(id, bobId, t0 + 1000);
    }
  }

  it('ends every open call as interrupted now, closes its participants, and says why in the conversation', async () => {
    await openCall('answered-call-000001', true);
    await openCall('ringing-call-0000001', false);
    await openCall('finished-call-000001', false);
    await store.endCall('finished-call-000001', clock.now() + 500, 'declined', 0);
    clock.advance(61_000);

    expect(await closeInterruptedCalls({ store, chat, clock, logger: silentLogger })).toBe(2);

    expect(await store.listOpenCalls()).toEqual([]);
    const calls = new Map((await store.listCallsOf(aliceId, 10)).map((c) => [c.callId, c]));
    expect(calls.get('answered-call-000001')).toMatchObject({ outcome: 'interrupted', endedAt: clock.now(), durationMs: 60_000 });
    expect(calls.get('answered-call-000001')!.participants.map((p) => p.leftAt)).toEqual([clock.now(), clock.now()]);
    // Never answered: no talk time, and the callee who never joined did not "leave".
    expect(calls.get('ringing-call-0000001')).toMatchObject({ outcome: 'interrupted', endedAt: clock.now(), durationMs: 0 });
    expect(calls.get('ringing-call-0000001')!.participants.map((p) => p.leftAt)).toEqual([clock.now(), null]);
    // A call that had ended is left as it was.
    expect(calls.get('finished-call-000001')).toMatchObject({ outcome: 'declined', durationMs: 0 });
    const { messages } = await store.getMessages(conversationId, { limit: 10 });
    expect(messages.map((m) => [m.kind, m.body])).toEqual([
      ['system', 'Voice call interrupted: the server restarted'],
      ['system', 'Voice call interrupted: the server restarted'],
    ]);
    // Nothing left to close: a second run changes nothing.
    expect(await closeInterruptedCalls({ store, chat, clock, logger: silentLogger })).toBe(0);
  });

  it('does not throw when the store fails (e.g. the disk is full): the calls stay open for the next attempt', async () => {
    await openCall('answered-call-000002', true);
    const failing = Object.create(store) as SqliteStore;
    failing.endCall = () => Promise.reject(new EarshotError('UNAVAILABLE', "storage unavailable: the server's disk is full (SQLITE_FULL)"));
    expect(await closeInterruptedCalls({ store: failing, chat, clock, logger: silentLogger })).toBe(0);
    expect((await store.listOpenCalls()).map((c) => c.callId)).toEqual(['answered-call-000002']);
  });
});
