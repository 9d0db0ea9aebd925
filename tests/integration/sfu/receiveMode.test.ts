import { existsSync } from 'node:fs';
import { workerBin } from 'mediasoup/node/lib/Worker.js';
import { afterEach, describe, expect, it } from 'vitest';
import { PlainRtpBot } from '../../../bench/lib/PlainRtpBot.js';
import { startTestServer, type TestServer } from '../../helpers/testServer.js';
import { register, TestClient } from '../../helpers/wsClient.js';

/**
 * `group.setReceiveMode` (low-bandwidth mode in group calls) on the real SFU, with plain-RTP
 * bots (bench/lib/PlainRtpBot.ts) that send a tone (speaking: audio level -6 dBov) or only a
 * DTX silence packet every 400 ms (silent: -127 dBov), and count what reaches them per sender.
 */
const hasWorker = existsSync(workerBin);
if (!hasWorker) console.warn(`[receive mode] SKIPPED: no mediasoup worker at ${workerBin} (run scripts/setup.sh)`);

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

/** Poll until `condition` holds (generous deadline: a busy 2-core machine); throws with `what` otherwise. */
async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

/** A group of `names` plus a host who starts the call (and does not join it). */
async function groupWithCall(names: string[]) {
  srv = await startTestServer({ sfu: true, config: { sfuPlainRtp: true } });
  const host = await register(srv.url, 'host', 'Host');
  const sessions = await Promise.all(names.map((n) => register(srv!.url, n, n)));
  const client = await TestClient.connect(srv.wsUrl, host.token);
  clients.push(client);
  const { conversation } = await client.request('conversations.createGroup', { title: 'Crowd', memberIds: sessions.map((s) => s.user.id) });
  await client.request('group.start', { conversationId: conversation.id });
  const join = async (i: number, toneHz: number | null) => {
    const bot = await PlainRtpBot.join({ wsUrl: srv!.wsUrl, session: sessions[i]!, conversationId: conversation.id, toneHz });
    bots.push(bot);
    return bot;
  };
  return { join };
}

describe.skipIf(!hasWorker)('group.setReceiveMode on the real SFU', () => {
  it('a "speakers" peer receives only the speakers\' packets; someone who starts speaking is let in; "all" brings everyone back', async () => {
    const { join } = await groupWithCall(['listener', 'everyone', 'speaker', 'quiet1', 'quiet2']);
    // The low-bandwidth listener asks for speakers only right after joining, before the others come.
    const listener = await join(0, null);
    await listener.client.request('group.setReceiveMode', { callId: listener.callId, mode: 'speakers' });
    // A listener in the default mode, for comparison.
    const everyone = await join(1, null);
    const speaker = await join(2, 600);
    const quiet1 = await join(3, null);
    const quiet2 = await join(4, null);
    await until('both listeners consume all four others', () => listener.consumerCount === 4 && everyone.consumerCount === 4);
    await until('the speaker is heard by the speakers-mode listener', () => listener.packetsFrom(speaker.participantId) > 50);
    // The default-mode listener gets the silent ones' DTX packets (one every 400 ms each).
    await until('DTX packets reach the default-mode listener', () => everyone.packetsFrom(quiet1.participantId) > 3 && everyone.packetsFrom(quiet2.participantId) > 3);

    const before = { speaker: listener.packetsFrom(speaker.participantId), quiet1: listener.packetsFrom(quiet1.participantId), quiet2: listener.packetsFrom(quiet2.participantId), everyone: listener.packetsFrom(everyone.participantId) };
    const control = everyone.packetsFrom(quiet1.participantId);
    await sleep(2000);
    // 2 s: the speaker's 50 packets/s arrive; the silent participants' DTX packets stay on the SFU.
    expect(listener.packetsFrom(speaker.participantId) - before.speaker).toBeGreaterThan(50);
    expect(listener.packetsFrom(quiet1.participantId)).toBe(before.quiet1);
    expect(listener.packetsFrom(quiet2.participantId)).toBe(before.quiet2);
    expect(listener.packetsFrom(everyone.participantId)).toBe(before.everyone);
    expect(before.quiet1 + before.quiet2 + before.everyone).toBe(0);
    // Only the listener's own consumers changed: the other listener still gets the silent ones.
    expect(everyone.packetsFrom(quiet1.participantId)).toBeGreaterThan(control);

    // quiet1 starts speaking: it is resumed for the listener; the earlier speaker keeps its place.
    quiet1.setTone(900);
    await until('the new speaker reaches the speakers-mode listener', () => listener.packetsFrom(quiet1.participantId) > 25);
    const speakerNow = listener.packetsFrom(speaker.participantId);
    await sleep(1000);
    expect(listener.packetsFrom(speaker.participantId)).toBeGreaterThan(speakerNow);
    expect(listener.packetsFrom(quiet2.participantId)).toBe(0);

    // Back to everyone: the still-silent one's DTX packets arrive again.
    await listener.client.request('group.setReceiveMode', { callId: listener.callId, mode: 'all' });
    await until('the silent participant reaches the listener in "all" mode', () => listener.packetsFrom(quiet2.participantId) > 2);
  });

  it('is refused with CALL_NOT_FOUND for a call the sender is not in, and changes nothing there', async () => {
    const { join } = await groupWithCall(['listener', 'speaker']);
    const listener = await join(0, null);
    const speaker = await join(1, 600);
    await until('the speaker is heard', () => listener.packetsFrom(speaker.participantId) > 25);
    const stranger = await register(srv!.url, 'stranger', 'Stranger');
    const client = await TestClient.connect(srv!.wsUrl, stranger.token);
    clients.push(client);
    await expect(client.request('group.setReceiveMode', { callId: listener.callId, mode: 'speakers' })).rejects.toMatchObject({ code: 'CALL_NOT_FOUND' });
    await expect(client.request('group.setReceiveMode', { callId: listener.callId, mode: 'loud' } as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const before = listener.packetsFrom(speaker.participantId);
    await sleep(500);
    expect(listener.packetsFrom(speaker.participantId)).toBeGreaterThan(before);
  });
});
