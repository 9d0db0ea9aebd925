import { existsSync } from 'node:fs';
import { workerBin } from 'mediasoup/node/lib/Worker.js';
import { afterEach, describe, expect, it } from 'vitest';
import { PlainRtpBot } from '../../../bench/lib/PlainRtpBot.js';
import { startTestServer, type TestServer } from '../../helpers/testServer.js';
import { register, RequestFailed, TestClient } from '../../helpers/wsClient.js';

const hasWorker = existsSync(workerBin);
if (!hasWorker) console.warn(`[plain RTP] SKIPPED: no mediasoup worker at ${workerBin} (run scripts/setup.sh)`);

let srv: TestServer | undefined;
const bots: PlainRtpBot[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const b of bots.splice(0)) b.close();
  for (const c of clients.splice(0)) c.close();
  await srv?.stop();
  srv = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A group of `n` members plus a host who starts the call (and does not join it). */
async function groupWithCall(n: number, config: Record<string, unknown>) {
  srv = await startTestServer({ sfu: true, config });
  const host = await register(srv.url, 'host', 'Host');
  const sessions = await Promise.all(Array.from({ length: n }, (_, i) => register(srv!.url, `member${i}`, `Member ${i}`)));
  const client = await TestClient.connect(srv.wsUrl, host.token);
  clients.push(client);
  const { conversation } = await client.request('conversations.createGroup', { title: 'Crowd', memberIds: sessions.map((s) => s.user.id) });
  await client.request('group.start', { conversationId: conversation.id });
  return { client, sessions, conversationId: conversation.id };
}

describe.skipIf(!hasWorker)('plain-RTP participants (load-test bots) on the real SFU', () => {
  it('six joining at once each consume exactly the five others (no duplicate consumers) and receive their audio', async () => {
    const { sessions, conversationId } = await groupWithCall(6, { sfuPlainRtp: true });
    // All at once: produce and ready of different participants interleave on the server.
    const joined = await Promise.all(sessions.map((session, i) => PlainRtpBot.join({ wsUrl: srv!.wsUrl, session, conversationId, toneHz: 500 + 100 * i })));
    bots.push(...joined);
    const end = Date.now() + 10_000;
    while (Date.now() < end && !bots.every((b) => b.receiveStats().streams === 5 && b.consumerCount === 5)) await sleep(100);
    await sleep(1000); // let any late duplicate consumer show up
    expect(bots.map((b) => b.consumerCount)).toEqual([5, 5, 5, 5, 5, 5]);
    const stats = bots.map((b) => b.receiveStats());
    expect(stats.map((s) => s.streams)).toEqual([5, 5, 5, 5, 5, 5]);
    // 50 packets/s per stream: after a second and more, every stream has delivered plenty.
    for (const s of stats) expect(s.packetsReceived).toBeGreaterThan(5 * 25);
  });

  it('a silent (DTX) participant costs far less downstream than a speaking one', async () => {
    const { sessions, conversationId } = await groupWithCall(3, { sfuPlainRtp: true });
    const [listener, speaker, silent] = await Promise.all([
      PlainRtpBot.join({ wsUrl: srv!.wsUrl, session: sessions[0]!, conversationId, toneHz: null }),
      PlainRtpBot.join({ wsUrl: srv!.wsUrl, session: sessions[1]!, conversationId, toneHz: 700 }),
      PlainRtpBot.join({ wsUrl: srv!.wsUrl, session: sessions[2]!, conversationId, toneHz: null }),
    ]);
    bots.push(listener!, speaker!, silent!);
    while (listener!.receiveStats().streams < 1) await sleep(50);
    const before = listener!.receiveStats().packetsReceived;
    await sleep(2000);
    const packets = listener!.receiveStats().packetsReceived - before;
    // One speaker at 50 packets/s and one DTX sender at ~2.5 packets/s, over 2 s: well under 2 × 100.
    expect(packets).toBeGreaterThan(80);
    expect(packets).toBeLessThan(130);
  });

  it('is refused with FORBIDDEN unless the server enables it, and nobody joins', async () => {
    const { client, sessions, conversationId } = await groupWithCall(1, {});
    const error = await PlainRtpBot.join({ wsUrl: srv!.wsUrl, session: sessions[0]!, conversationId, toneHz: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestFailed);
    expect((error as RequestFailed).code).toBe('FORBIDDEN');
    const { groupCalls } = await client.request('sync.state', {});
    expect(groupCalls[0]?.participants).toEqual([]);
  });
});
