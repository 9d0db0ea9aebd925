import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { createGroup, finishCallTest, openConversation, openParticipant, type Participant } from '../helpers/callPages.js';
import { launchChromium } from '../helpers/chromium.js';
import { tonesHeard } from '../helpers/groupAudioProbe.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { AUDIO_CACHE_DIR } from '../helpers/tones.js';

/**
 * Low-bandwidth mode in a group call, in real browsers through the real SFU: Alice has the mode
 * on, Bob (a 660 Hz tone) and Carol (a silent microphone: Opus DTX sends a packet every 400 ms)
 * have it off. Alice sends 60 ms packets at about 16 kbps, receives only the active speaker
 * (Bob), and her panel says so; Bob, in the default mode, still receives Carol's DTX packets.
 */
const ALICE_HZ = 440;
const BOB_HZ = 660;

let srv: TestServer | undefined;
const people: Participant[] = [];

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test.afterEach(async ({}, testInfo) => {
  await finishCallTest(testInfo, srv, people);
  srv = undefined;
});

const panelOf = (page: Page): Locator => page.getByRole('region', { name: 'Voice call' });

/** A 30 s WAV of digital silence (48 kHz mono 16-bit), made with sox once. */
async function silenceWav(): Promise<string> {
  mkdirSync(AUDIO_CACHE_DIR, { recursive: true });
  const file = path.join(AUDIO_CACHE_DIR, 'silence-30s.wav');
  await promisify(execFile)('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', file, 'synth', '30', 'sine', '440', 'vol', '0']);
  return file;
}

/**
 * Over `ms`: how many of the page's incoming audio streams (mediasoup consumers, one per other
 * participant) delivered packets, and the outgoing stream's payload kbit/s and packets per
 * second (median of 1 s windows: bandwidth probes can add a second of padding-only packets).
 */
async function traffic(page: Page, seconds = 4): Promise<{ streamsReceiving: number; sendKbps: number; packetMs: number }> {
  return page.evaluate(async (n) => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState !== 'closed');
    const read = async () => {
      const inbound = new Map<string, number>();
      const outbound = new Map<string, { bytes: number; packets: number; t: number }>();
      for (const pc of pcs) {
        (await pc.getStats()).forEach((s: Record<string, unknown>) => {
          if (s.type === 'inbound-rtp' && s.kind === 'audio') inbound.set(s.id as string, s.packetsReceived as number);
          if (s.type === 'outbound-rtp' && s.kind === 'audio') outbound.set(s.id as string, { bytes: s.bytesSent as number, packets: s.packetsSent as number, t: s.timestamp as number });
        });
      }
      return { inbound, outbound };
    };
    const raw = [await read()];
    for (let i = 0; i < n; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      raw.push(await read());
    }
    // The microphone's stream: the outgoing one that sent most over the window (after a switch
    // of mode mid-call, the replaced producer's sender can linger in the stats, no longer sending).
    const grew = (id: string) => (raw[raw.length - 1]!.outbound.get(id)?.packets ?? 0) - (raw[0]!.outbound.get(id)?.packets ?? Infinity);
    const micId = [...raw[raw.length - 1]!.outbound.keys()].sort((a, b) => grew(b) - grew(a))[0];
    const readings = raw.map((r) => ({ inbound: r.inbound, out: (micId && r.outbound.get(micId)) || { bytes: 0, packets: 0, t: 0 } }));
    const first = readings[0]!;
    const last = readings[readings.length - 1]!;
    const streamsReceiving = [...last.inbound].filter(([id, packets]) => packets > (first.inbound.get(id) ?? 0)).length;
    const rates = readings.slice(1).map((r, i) => ((r.out.packets - readings[i]!.out.packets) * 1000) / (r.out.t - readings[i]!.out.t)).sort((a, b) => a - b);
    // The quietest second: padding-only probe packets (see call-low-bandwidth.spec.ts) only ever add packets.
    const pps = rates[0]!;
    return { streamsReceiving, sendKbps: ((last.out.bytes - first.out.bytes) * 8) / (last.out.t - first.out.t), packetMs: 1000 / pps };
  }, seconds);
}

test('with low-bandwidth mode on, a group call sends 60 ms packets at ~16 kbps and receives only the active speaker', async () => {
  test.setTimeout(150_000); // three calls' worth of checks: on at the join, off and on again mid-call
  srv = await startTestServer({ sfu: true });
  const raw = { noiseSuppression: false, autoGainControl: false };
  const silence = await silenceWav();
  const alice = await openParticipant(srv, 'alice', 'Alice', ALICE_HZ, { settings: { ...raw, lowBandwidth: 'on' } });
  const bob = await openParticipant(srv, 'bob', 'Bob', BOB_HZ, { settings: { ...raw, lowBandwidth: 'off' } });
  const carol = await openParticipant(srv, 'carol', 'Carol', 1000, { settings: { ...raw, lowBandwidth: 'off' }, launch: () => launchChromium(silence) });
  people.push(alice, bob, carol);
  await createGroup(srv, alice, [bob, carol], 'Team');
  for (const p of people) await openConversation(p.page, 'Team');

  await alice.page.getByRole('button', { name: 'Start voice call' }).click();
  await expect(panelOf(alice.page).getByRole('status')).toHaveText('Connected');
  for (const p of [bob, carol]) {
    await p.page.getByRole('main').getByRole('button', { name: 'Join call' }).click();
    await expect(panelOf(p.page).getByRole('status')).toHaveText('Connected');
  }

  // The mode shows in Alice's panel.
  await expect(panelOf(alice.page)).toContainText('Low bandwidth: on · only active speakers are heard');
  await expect(panelOf(alice.page).getByRole('button', { name: 'Low bandwidth mode' })).toHaveAttribute('aria-pressed', 'true');
  await expect(panelOf(bob.page)).not.toContainText('Low bandwidth: on');

  // Audio both ways: Alice hears Bob; Bob hears Alice (her 16 kbps, 60 ms stream).
  await expect.poll(() => tonesHeard(alice.page, [ALICE_HZ, BOB_HZ]), { timeout: 20_000 }).toEqual([BOB_HZ]);
  await expect.poll(() => tonesHeard(bob.page, [ALICE_HZ, BOB_HZ]), { timeout: 20_000 }).toEqual([ALICE_HZ]);

  // Alice receives one stream (Bob's) of her two consumers; Bob, in the default mode, gets Carol's DTX packets too.
  await expect.poll(async () => (await traffic(alice.page)).streamsReceiving, { timeout: 20_000 }).toBe(1);
  await expect.poll(async () => (await traffic(bob.page)).streamsReceiving, { timeout: 20_000 }).toBe(2);

  const sent = await traffic(alice.page, 5);
  console.log(`[group-call-low-bandwidth] Alice sends ${sent.sendKbps.toFixed(1)} kbps in ${sent.packetMs.toFixed(1)} ms packets`);
  expect(sent.packetMs).toBeGreaterThanOrEqual(38);
  expect(sent.packetMs).toBeLessThanOrEqual(70); // 60 ms counted in 1 s windows: 15–17 packets, 59–67 ms
  expect(sent.sendKbps).toBeLessThanOrEqual(20);
  expect(sent.sendKbps).toBeGreaterThan(8);

  // Switched off mid-call: everyone is received again (Carol's DTX packets arrive), and Alice's
  // microphone is published again in 20 ms packets; Bob still hears her.
  await panelOf(alice.page).getByRole('button', { name: 'Low bandwidth mode' }).click();
  await expect(panelOf(alice.page)).not.toContainText('Low bandwidth: on');
  await expect.poll(async () => (await traffic(alice.page)).streamsReceiving, { timeout: 20_000 }).toBe(2);
  await expect.poll(async () => (await traffic(alice.page, 3)).packetMs, { timeout: 20_000 }).toBeLessThanOrEqual(25);
  await expect.poll(() => tonesHeard(bob.page, [ALICE_HZ, BOB_HZ]), { timeout: 20_000 }).toEqual([ALICE_HZ]);

  // And on again mid-call (the button, as the automatic switch would): 60 ms packets at ~16 kbps
  // from a replacement producer, without leaving the call; Bob keeps hearing her.
  await panelOf(alice.page).getByRole('button', { name: 'Low bandwidth mode' }).click();
  await expect(panelOf(alice.page)).toContainText('Low bandwidth: on');
  await expect.poll(async () => (await traffic(alice.page, 3)).packetMs, { timeout: 20_000 }).toBeGreaterThanOrEqual(38);
  const again = await traffic(alice.page, 5);
  console.log(`[group-call-low-bandwidth] switched on mid-call: Alice sends ${again.sendKbps.toFixed(1)} kbps in ${again.packetMs.toFixed(1)} ms packets`);
  expect(again.packetMs).toBeLessThanOrEqual(70);
  expect(again.sendKbps).toBeLessThanOrEqual(20);
  await expect.poll(() => tonesHeard(bob.page, [ALICE_HZ, BOB_HZ]), { timeout: 20_000 }).toEqual([ALICE_HZ]);
  await expect(panelOf(alice.page).getByRole('status')).toHaveText('Connected');
});
