import { expect, test, type Page } from '@playwright/test';
import { remotePeak } from '../helpers/audioProbe.js';
import { createDirect, finishCallTest, openConversation, openParticipant, type Participant } from '../helpers/callPages.js';
import { canLimitRate, createTestNetwork, launchChromiumInNamespace, type TestNetwork } from '../helpers/netns.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { skipWithoutNamespaces } from '../helpers/namespaceSkip.js';

/**
 * Low-bandwidth mode in a 1-on-1 call over a slow link: the real Earshot client in two network
 * namespaces (netns.ts), Alice's link limited to 48 kbit/s in both directions with `tc tbf`
 * (no netem on these kernels), the signaling server on the host's veth addresses. Alice has the
 * mode on in her settings, Bob has it off: Alice's side asks for 16 kbps in 60 ms packets, so
 * both directions go that way, and the tones still arrive. Then (limit lifted) the panel's
 * button turns it off and on again mid-call without dropping the call (a renegotiation changes
 * the packet time).
 */
let srv: TestServer | undefined;
let net: TestNetwork | undefined;
const people: Participant[] = [];

/** Alice's link in both directions, kbit/s: below a normal call (32 kbps Opus + ~20 kbps of headers at 50 packets/s). */
const LINK_KBIT = 48;

skipWithoutNamespaces('call-low-bandwidth', canLimitRate);

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test.afterEach(async ({}, testInfo) => {
  await finishCallTest(testInfo, srv, people);
  await net?.destroy();
  srv = net = undefined;
});

// Two Chromiums and the server on a busy 2-core machine, and a slow link: generous step timeouts.
test.describe.configure({ timeout: 120_000 });

/** Steady test tones are exactly what noise suppression removes: switch it off, as a user can. */
const RAW = { noiseSuppression: false, autoGainControl: false };

/**
 * Outgoing Opus of the page's newest peer connection, read from getStats() once a second for
 * `windows` seconds: RTP payload kbit/s over the whole time, and the packet rate and packet time
 * of the quietest second. Under a bandwidth limit Chromium's estimator sends padding-only probe
 * packets on the audio SSRC (they count in packetsSent but carry no payload: seen as 70–90
 * "packets"/s for a second, and as 33/s spread over most of a 5 s run in CI), and padding only
 * ever adds packets: the lowest per-second rate is the audio's own. 20 ms packets would still
 * show 50/s in every second.
 */
async function sending(page: Page, windows = 8): Promise<{ kbps: number; packetsPerS: number; packetMs: number }> {
  return page.evaluate(async (n) => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState !== 'closed');
    const pc = pcs[pcs.length - 1]!;
    const read = async () => {
      let out = { bytes: 0, packets: 0, t: 0 };
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type === 'outbound-rtp' && s.kind === 'audio') out = { bytes: s.bytesSent as number, packets: s.packetsSent as number, t: s.timestamp as number };
      });
      return out;
    };
    const readings = [await read()];
    for (let i = 0; i < n; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      readings.push(await read());
    }
    const rates = readings.slice(1).map((r, i) => ((r.packets - readings[i]!.packets) * 1000) / (r.t - readings[i]!.t));
    const packetsPerS = Math.min(...rates);
    const first = readings[0]!;
    const last = readings[readings.length - 1]!;
    return { kbps: ((last.bytes - first.bytes) * 8) / (last.t - first.t), packetsPerS, packetMs: 1000 / packetsPerS };
  }, windows);
}

test('with low-bandwidth mode on, a call over a 48 kbit/s link sends ~16 kbps in 60 ms packets both ways and the tones arrive', async () => {
  net = await createTestNetwork({ clients: 2 });
  srv = await startTestServer({ config: { host: '0.0.0.0' } });
  const urlFor = (i: number) => `http://${net!.clients[i]!.gatewayIp}:${srv!.port}`;
  const inNamespace = (i: number) => (wav: string) => launchChromiumInNamespace(net!.clients[i]!.ns, { fakeAudioFile: wav, secureOrigins: [urlFor(i)] });
  const alice = await openParticipant(srv, 'alice', 'Alice', 440, { settings: { ...RAW, lowBandwidth: 'on' }, launch: inNamespace(0), baseUrl: urlFor(0) });
  people.push(alice);
  const bob = await openParticipant(srv, 'bob', 'Bob', 1000, { settings: { ...RAW, lowBandwidth: 'off' }, launch: inNamespace(1), baseUrl: urlFor(1) });
  people.push(bob);
  await createDirect(srv, alice, bob);
  await openConversation(alice.page, 'Bob');
  // The app is loaded (its bundle would take a minute at 48 kbit/s): now the link slows down.
  await net.limitRate(0, LINK_KBIT);

  await alice.page.getByRole('button', { name: 'Call', exact: true }).click();
  await bob.page.getByRole('alertdialog', { name: 'Incoming call from Alice' }).getByRole('button', { name: 'Accept' }).click();
  const alicePanel = alice.page.getByRole('region', { name: 'Call with Bob' });
  const bobPanel = bob.page.getByRole('region', { name: 'Call with Alice' });
  await expect(alicePanel.getByRole('status')).toHaveText('Connected', { timeout: 30_000 });

  // Audio arrives both ways across the slow link.
  await expect.poll(async () => Math.abs((await remotePeak(bob.page)).hz - 440), { timeout: 20_000 }).toBeLessThan(15);
  await expect.poll(async () => Math.abs((await remotePeak(alice.page)).hz - 1000), { timeout: 20_000 }).toBeLessThan(15);
  // The mode is visible on both sides: Alice's own, and Bob's "asked by Alice".
  await expect(alicePanel).toContainText('Low bandwidth: on');
  await expect(alicePanel.getByRole('button', { name: 'Low bandwidth mode' })).toHaveAttribute('aria-pressed', 'true');
  await expect(bobPanel).toContainText('Low bandwidth: on (asked by Alice)');

  // getStats: about 16 kbps of Opus payload in 40–60 ms packets, from both sides.
  for (const [who, page] of [
    ['Alice', alice.page],
    ['Bob', bob.page],
  ] as const) {
    const s = await sending(page);
    console.log(`[call-low-bandwidth] ${who} sends ${s.kbps.toFixed(1)} kbps in ${s.packetMs.toFixed(1)} ms packets (${s.packetsPerS.toFixed(1)} packets/s)`);
    expect(s.packetMs, `${who}'s packet time`).toBeGreaterThanOrEqual(38);
    expect(s.packetMs, `${who}'s packet time`).toBeLessThanOrEqual(70); // 60 ms counted in 1 s windows: 15–17 packets, 59–67 ms
    expect(s.kbps, `${who}'s Opus payload bitrate`).toBeGreaterThan(8);
    expect(s.kbps, `${who}'s Opus payload bitrate`).toBeLessThanOrEqual(20);
  }

  // Mid-call: off (20 ms packets again), then on again, over the same peer connection. The
  // link's limit is lifted first: with the mode off, a call needs more than 48 kbit/s, the
  // signaling WebSocket starves on the full queue, and in trials here the server lost Alice's
  // socket and ended the call ("The call ended while you were disconnected").
  await net.clearRateLimit(0);
  const pcCount = () => alice.page.evaluate(() => (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.length);
  await alicePanel.getByRole('button', { name: 'Low bandwidth mode' }).click();
  await expect(alicePanel.getByRole('button', { name: 'Low bandwidth mode' })).toHaveAttribute('aria-pressed', 'false');
  await expect(alicePanel).not.toContainText('Low bandwidth: on');
  await expect.poll(async () => (await sending(alice.page, 3)).packetMs, { timeout: 20_000 }).toBeLessThan(25);
  await alicePanel.getByRole('button', { name: 'Low bandwidth mode' }).click();
  await expect(alicePanel).toContainText('Low bandwidth: on');
  await expect.poll(async () => (await sending(alice.page, 3)).packetMs, { timeout: 20_000 }).toBeGreaterThan(38);
  await expect(alicePanel.getByRole('status')).toHaveText('Connected');
  expect(await pcCount()).toBe(1);
  await expect.poll(async () => Math.abs((await remotePeak(bob.page)).hz - 440), { timeout: 20_000 }).toBeLessThan(15);
});
