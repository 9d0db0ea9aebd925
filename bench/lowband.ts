/**
 * `lowband`: low-bandwidth mode against a normal call over the same slow link, in one run.
 *
 * Alice and Bob each get a headless Chromium in a network namespace of their own
 * (tests/helpers/netns.ts); a real signaling server on the host's veth addresses serves a fresh
 * build of the client. Once both pages have loaded, Alice's link is limited to 48 kbit/s in both
 * directions with `tc tbf` (burst 3000 B, 300 ms of queue; `tc netem` does not exist on the build
 * machines). Then Alice calls Bob again and again, alternating calls with her low-bandwidth mode
 * `off` and `on` in ABBA order (Bob's setting stays `off`: Alice's side asks for the low rate,
 * so with it on both directions go at ~16 kbps in 60 ms packets). Each call: Call → ring →
 * Accept → audio both ways → 20 s of talk → Hang up; both microphones play the click track, so
 * mouth-to-ear is measured the way `p2p` does it. Last, one call on `auto` shows whether the
 * automatic switch comes on under the limit, and when.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from '@playwright/test';
import type { SessionResponse } from '../common/protocol/index.js';
import { canLimitRate, createTestNetwork, launchChromiumInNamespace, type TestNetwork } from '../tests/helpers/netns.js';
import { startTestServer, type TestServer } from '../tests/helpers/testServer.js';
import { register, TestClient } from '../tests/helpers/wsClient.js';
import type { Benchmark, BenchContext, Figures } from './BenchmarkTypes.js';
import type { BenchParticipant } from './lib/benchParticipant.js';
import { buildRenderer } from './lib/buildRenderer.js';
import { CLICK_TRACK, makeClickTrack } from './lib/clickTrack.js';
import { mouthToEar } from './lib/mouthToEar.js';
import { PAIR_WINDOW_MS, PROBE, RAW_MIC, recover, SETTLE_MS, STEP_TIMEOUT_MS } from './lib/p2pCall.js';
import { inboundAudio, installPageProbe, outboundAudio, probeReady, selectedPair, takeMarks, waitForMark, type InboundAudio, type OutboundAudio, type SelectedPair } from './lib/pageProbe.js';
import { mean, percentile } from './lib/percentile.js';
import { requireTool } from './lib/requireTool.js';

type Mode = 'off' | 'on';

/** Alice's link, both directions, kbit/s (below a normal call: 32 kbps Opus + ~20 kbps of headers at 50 packets/s). */
const LINK_KBIT = 48;
/** Measured calls of each mode; BENCH_LOWBAND_CALLS overrides it for a quick try. */
const CALLS_PER_MODE = Number(process.env.BENCH_LOWBAND_CALLS ?? 3);
/** Talk per call once audio flows both ways, ms; BENCH_LOWBAND_TALK_MS overrides it. */
const TALK_MS = Number(process.env.BENCH_LOWBAND_TALK_MS ?? 20_000);
/** The `auto` call talks this long (10 s of poor quality, then the renegotiation), ms. */
const AUTO_TALK_MS = 45_000;
/** Stats are read this often during the talk, ms. */
const SAMPLE_MS = 2000;
/** Wait after audio flows before the talk's first reading (jitter buffers settle), ms. */
const SETTLE_TALK_MS = 2000;
/** Setup over the slow link takes longer than on loopback. */
const SETUP_TIMEOUT_MS = 30_000;
/** Calls that could not even be set up before the run gives up. */
const MAX_FAILED_SETUPS = 4;
/** UDP (8) + IPv4 (20) header bytes per packet, added to the pair's byte counts for the link figure. */
const UDP_IP_BYTES = 28;
/** Its own build folder, so another benchmark rebuilding the shared one cannot empty it mid-run. */
const WEB_ROOT = fileURLToPath(new URL('../.cache/bench/renderer-lowband/', import.meta.url));

/** Stats of one call's talk (first reading → last reading before the hang-up or the drop). */
interface LowbandCall {
  mode: Mode | 'auto';
  /** The call ended by itself during the talk (the caller's panel closed). */
  dropped: boolean;
  talkS: number;
  /** Alice's outgoing Opus: RTP payload, and payload + RTP headers, kbit/s. */
  sendKbps: number;
  sendWithHeadersKbps: number;
  /** Alice's uplink as the tbf sees it: her selected pair's bytes (SRTP, RTCP, STUN) + UDP/IP headers, kbit/s. */
  linkKbps: number;
  /** Alice's packet time: 1000 / the median of the per-reading packet rates, ms. */
  packetMs: number;
  /** Per direction, over the talk: [concealed samples, samples received] at the receiver. */
  uplink: [number, number];
  downlink: [number, number];
  /** Click delays, ms: Alice → Bob and Bob → Alice. */
  m2eUplink: number[];
  m2eDownlink: number[];
  /** `auto` only: talk seconds until Alice's panel said the mode came on, and until 60 ms packets; null: never. */
  autoSwitchS: number | null;
  autoPacketsS: number | null;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** A signed-in page in namespace `ns`, the probe installed before the app, opened on `url`. */
async function openInNamespace(srv: TestServer, ns: string, url: string, username: string, name: string, wav: string): Promise<BenchParticipant> {
  const session: SessionResponse = await register(srv.url, username, name);
  const browser: Browser = await launchChromiumInNamespace(ns, { fakeAudioFile: wav, secureOrigins: [url] });
  const page = await browser.newPage();
  await installPageProbe(page, PROBE);
  await page.addInitScript(
    ({ token, settings }) => {
      localStorage.setItem('earshot:sessionToken', token);
      for (const [key, value] of Object.entries(settings)) localStorage.setItem(`earshot:setting:${key}`, JSON.stringify(value));
    },
    { token: session.token, settings: RAW_MIC },
  );
  await page.goto(url);
  await page.getByRole('button', { name: 'New direct message' }).waitFor({ timeout: 30_000 });
  await probeReady(page);
  return { name, session, browser, page };
}

/** The app reads `lowBandwidth` from localStorage when it creates a call's peer connection. */
async function setMode(page: Page, mode: Mode | 'auto'): Promise<void> {
  await page.evaluate((value) => localStorage.setItem('earshot:setting:lowBandwidth', JSON.stringify(value)), mode);
}

interface Reading {
  at: number;
  out: OutboundAudio;
  pair: SelectedPair;
  aliceIn: InboundAudio;
  bobIn: InboundAudio;
}

/** One set of readings, or null once a side's peer connection is gone (the call ended). */
async function read(alice: BenchParticipant, bob: BenchParticipant): Promise<Reading | null> {
  const [out, pair, aliceIn, bobIn] = await Promise.all([outboundAudio(alice.page), selectedPair(alice.page), inboundAudio(alice.page), inboundAudio(bob.page)]).catch(() => [null, null, null, null]);
  if (!out || !pair || !aliceIn || !bobIn) return null;
  return { at: Date.now(), out, pair, aliceIn, bobIn };
}

/** One Alice → Bob call with Alice's mode set to `mode`: talk for `talkMs`, measure, hang up. */
async function lowbandCall(alice: BenchParticipant, bob: BenchParticipant, mode: Mode | 'auto', talkMs: number): Promise<LowbandCall> {
  await setMode(alice.page, mode);
  await setMode(bob.page, 'off');
  await takeMarks(alice.page);
  await takeMarks(bob.page);
  await alice.page.getByRole('button', { name: 'Call', exact: true }).click();
  await waitForMark(bob.page, 'ring-dialog', SETUP_TIMEOUT_MS);
  await bob.page.getByRole('alertdialog', { name: `Incoming call from ${alice.name}` }).getByRole('button', { name: 'Accept' }).click();
  await waitForMark(bob.page, 'onset:remote', SETUP_TIMEOUT_MS);
  await waitForMark(alice.page, 'onset:remote', SETUP_TIMEOUT_MS);
  await sleep(SETTLE_TALK_MS);
  const panel = alice.page.getByRole('region', { name: `Call with ${bob.name}` });
  const first = await read(alice, bob);
  if (!first) throw new Error('no stats at the start of the talk');
  const readings: Reading[] = [first];
  let dropped = false;
  let autoSwitchS: number | null = null;
  let autoPacketsS: number | null = null;
  while (Date.now() - first.at < talkMs) {
    await sleep(SAMPLE_MS);
    const reading = (await panel.isVisible().catch(() => false)) ? await read(alice, bob) : null;
    if (!reading) {
      dropped = true;
      break;
    }
    const previous = readings[readings.length - 1]!;
    readings.push(reading);
    if (mode === 'auto') {
      const elapsed = (reading.at - first.at) / 1000;
      if (autoSwitchS === null && (await panel.getByText('Low bandwidth: on (poor connection)').isVisible().catch(() => false))) autoSwitchS = elapsed;
      const pps = ((reading.out.packetsSent - previous.out.packetsSent) * 1000) / (reading.out.timestamp - previous.out.timestamp);
      if (autoSwitchS !== null && autoPacketsS === null && pps < 20) autoPacketsS = elapsed;
    }
  }
  const aliceMarks = await takeMarks(alice.page).catch(() => []);
  const bobMarks = await takeMarks(bob.page).catch(() => []);
  if (!dropped) {
    await panel.getByRole('button', { name: 'Hang up' }).click();
    await panel.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
    await bob.page.getByRole('region', { name: `Call with ${alice.name}` }).waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
  } else {
    await recover([alice, bob]);
  }

  const last = readings[readings.length - 1]!;
  const ms = Math.max(1, last.out.timestamp - first.out.timestamp);
  const rates = readings.slice(1).map((r, i) => ((r.out.packetsSent - readings[i]!.out.packetsSent) * 1000) / Math.max(1, r.out.timestamp - readings[i]!.out.timestamp));
  const medianRate = rates.length ? percentile(rates, 50) : NaN;
  const pairMs = Math.max(1, last.pair.timestamp - first.pair.timestamp);
  const heardFrom = (marks: typeof aliceMarks) => marks.find((m) => m.name === 'onset:remote')?.t ?? -Infinity;
  return {
    mode,
    dropped,
    talkS: ms / 1000,
    sendKbps: ((last.out.bytesSent - first.out.bytesSent) * 8) / ms,
    sendWithHeadersKbps: ((last.out.bytesSent - first.out.bytesSent + last.out.headerBytesSent - first.out.headerBytesSent) * 8) / ms,
    linkKbps: ((last.pair.bytesSent - first.pair.bytesSent + UDP_IP_BYTES * (last.pair.packetsSent - first.pair.packetsSent)) * 8) / pairMs,
    packetMs: 1000 / medianRate,
    uplink: [last.bobIn.concealedSamples - first.bobIn.concealedSamples, last.bobIn.totalSamplesReceived - first.bobIn.totalSamplesReceived],
    downlink: [last.aliceIn.concealedSamples - first.aliceIn.concealedSamples, last.aliceIn.totalSamplesReceived - first.aliceIn.totalSamplesReceived],
    m2eUplink: mouthToEar(aliceMarks, bobMarks, { from: heardFrom(bobMarks) + SETTLE_MS, windowMs: PAIR_WINDOW_MS }),
    m2eDownlink: mouthToEar(bobMarks, aliceMarks, { from: heardFrom(aliceMarks) + SETTLE_MS, windowMs: PAIR_WINDOW_MS }),
    autoSwitchS,
    autoPacketsS,
  };
}

/** Concealed share of the received samples, %, pooled over calls (and directions). */
function concealmentPct(parts: Array<[number, number]>): number {
  const concealed = parts.reduce((s, [c]) => s + c, 0);
  const total = parts.reduce((s, [, t]) => s + t, 0);
  return total > 0 ? (concealed / total) * 100 : NaN;
}

/** ABBA blocks: off first in even blocks, on first in odd ones. */
function order(calls: number): Mode[] {
  const out: Mode[] = [];
  for (let i = 0; i < calls; i++) out.push(...(i % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)));
  return out;
}

const TARGETS: Benchmark['targets'] = {
  // "about 16 kbps" (Opus overshoots its cap by a few percent).
  send_kbps_on: { max: 20 },
  // 40–60 ms packets, with 2 ms for counting packets over stats timestamps.
  packet_ms_on: { min: 38, max: 62 },
};

export const lowband: Benchmark = {
  name: 'lowband',
  description: `1-on-1 calls over a ${LINK_KBIT} kbit/s link (tc tbf on a network namespace, both directions), Alice's low-bandwidth mode off vs on, interleaved: send bitrate, packet time, link use, concealment, mouth-to-ear; and one call on auto.`,
  targets: TARGETS,

  async run(ctx: BenchContext): Promise<Figures> {
    const probe = await canLimitRate();
    if (!probe.ok) throw new Error(`cannot build a rate-limited test network here: ${probe.reason}`);
    await requireTool('sox', 'sox', ctx.log);
    ctx.log('building the web client (vite build)…');
    const webRoot = await buildRenderer(WEB_ROOT);
    const clicks = await makeClickTrack();

    let net: TestNetwork | undefined;
    let srv: TestServer | undefined;
    const people: BenchParticipant[] = [];
    try {
      net = await createTestNetwork({ clients: 2 });
      srv = await startTestServer({ config: { host: '0.0.0.0', logLevel: 'info', webRoot } });
      const urlFor = (i: number) => `http://${net!.clients[i]!.gatewayIp}:${srv!.port}`;
      const alice = await openInNamespace(srv, net.clients[0]!.ns, urlFor(0), 'alice', 'Alice', clicks);
      people.push(alice);
      const bob = await openInNamespace(srv, net.clients[1]!.ns, urlFor(1), 'bob', 'Bob', clicks);
      people.push(bob);
      const client = await TestClient.connect(srv.wsUrl, alice.session.token);
      await client.request('conversations.createDirect', { userId: bob.session.user.id }).finally(() => client.close());
      await alice.page.getByRole('navigation').getByRole('button', { name: /Bob/ }).first().click();
      await alice.page.getByRole('button', { name: 'Call', exact: true }).waitFor({ timeout: 15_000 });
      // Pages loaded (the bundle alone would take a minute at 48 kbit/s): now the link slows down.
      await net.limitRate(0, LINK_KBIT);
      ctx.log(`Alice's link limited to ${LINK_KBIT} kbit/s both ways`);

      const calls: LowbandCall[] = [];
      let failedSetups = 0;
      const attempt = async (mode: Mode | 'auto', talkMs: number, label: string): Promise<LowbandCall | null> => {
        for (;;) {
          try {
            const call = await lowbandCall(alice, bob, mode, talkMs);
            ctx.log(
              `${label} (${mode}): payload ${call.sendKbps.toFixed(1)} kbps (${call.sendWithHeadersKbps.toFixed(1)} with RTP headers), link ${call.linkKbps.toFixed(1)} kbps, ${call.packetMs.toFixed(1)} ms packets, concealed ${concealmentPct([call.uplink]).toFixed(1)} % (Bob hears) / ${concealmentPct([call.downlink]).toFixed(1)} % (Alice hears), mouth-to-ear p50 ${call.m2eUplink.length ? percentile(call.m2eUplink, 50).toFixed(0) : '—'} / ${call.m2eDownlink.length ? percentile(call.m2eDownlink, 50).toFixed(0) : '—'} ms${call.dropped ? `, DROPPED after ${call.talkS.toFixed(0)} s` : ''}${mode === 'auto' ? `, auto switch at ${call.autoSwitchS ?? '—'} s, 60 ms packets at ${call.autoPacketsS ?? '—'} s` : ''}`,
            );
            return call;
          } catch (error) {
            failedSetups++;
            ctx.log(`${label} (${mode}) could not be set up: ${(error as Error).message.split('\n')[0]}`);
            await recover([alice, bob]);
            await sleep(3000);
            if (failedSetups > MAX_FAILED_SETUPS) throw new Error(`too many calls could not be set up (${failedSetups})`, { cause: error });
          }
        }
      };

      await attempt('on', 6000, 'warm-up');
      const modes = order(CALLS_PER_MODE);
      for (const [i, mode] of modes.entries()) {
        const call = await attempt(mode, TALK_MS, `call ${i + 1}/${modes.length}`);
        if (call) calls.push(call);
      }
      const auto = await attempt('auto', AUTO_TALK_MS, 'auto call');

      const of = (mode: Mode) => calls.filter((c) => c.mode === mode);
      const figures: Figures = {};
      for (const mode of ['off', 'on'] as const) {
        const group = of(mode);
        const m2e = group.flatMap((c) => [...c.m2eUplink, ...c.m2eDownlink]);
        figures[`send_kbps_${mode}`] = { value: round1(mean(group.map((c) => c.sendKbps))), unit: 'kbps' };
        figures[`send_kbps_with_rtp_headers_${mode}`] = { value: round1(mean(group.map((c) => c.sendWithHeadersKbps))), unit: 'kbps' };
        figures[`link_kbps_${mode}`] = { value: round1(mean(group.map((c) => c.linkKbps))), unit: 'kbps' };
        figures[`packet_ms_${mode}`] = { value: round1(percentile(group.map((c) => c.packetMs), 50)), unit: 'ms' };
        figures[`concealment_pct_${mode}`] = { value: round2(concealmentPct(group.flatMap((c) => [c.uplink, c.downlink]))), unit: '%' };
        figures[`concealment_pct_uplink_${mode}`] = { value: round2(concealmentPct(group.map((c) => c.uplink))), unit: '%' };
        figures[`concealment_pct_downlink_${mode}`] = { value: round2(concealmentPct(group.map((c) => c.downlink))), unit: '%' };
        figures[`mouth_to_ear_ms_p50_${mode}`] = { value: m2e.length ? round1(percentile(m2e, 50)) : NaN, unit: 'ms' };
        figures[`mouth_to_ear_ms_p95_${mode}`] = { value: m2e.length ? round1(percentile(m2e, 95)) : NaN, unit: 'ms' };
        figures[`mouth_to_ear_pairs_${mode}`] = { value: m2e.length, unit: 'count' };
        figures[`calls_dropped_${mode}`] = { value: group.filter((c) => c.dropped).length, unit: 'count' };
        figures[`calls_${mode}`] = { value: group.length, unit: 'count' };
      }
      figures.auto_switch_s = { value: auto?.autoSwitchS != null ? round1(auto.autoSwitchS) : NaN, unit: 's' };
      figures.auto_60ms_packets_s = { value: auto?.autoPacketsS != null ? round1(auto.autoPacketsS) : NaN, unit: 's' };
      figures.auto_call_dropped = { value: auto?.dropped ? 1 : 0, unit: 'count' };
      figures.failed_setups = { value: failedSetups, unit: 'count' };

      ctx.note(
        `Method: two headless Chromiums (Debian's) in network namespaces joined to the host by veth pairs (tests/helpers/netns.ts); a real signaling server on the host's veth addresses serving a fresh build of the client; direct UDP between the namespaces (forwarded by the host). After both pages loaded, Alice's link was limited to ${LINK_KBIT} kbit/s in both directions with tc tbf (burst 3000 B, latency 300 ms: the queue holds 300 ms, then tail-drops) on her namespace's eth0 (her uplink) and on the host's end of her veth (her downlink). Calls: one warm-up (mode on, 6 s, excluded), then ${CALLS_PER_MODE} of each mode in ABBA order (off first in even blocks), each Call → ring → Accept → audio heard both ways → ${SETTLE_TALK_MS / 1000} s → ${TALK_MS / 1000} s of talk → Hang up, in the same two pages. Mode = Alice's lowBandwidth setting (localStorage earshot:setting:lowBandwidth, read when the call's peer connection is made); Bob's stays off. With Alice's on, her side asks Bob's encoder for maxaveragebitrate 16000 and a=ptime 60 and tightens Bob's description for her own encoder the same way, so both directions go at the low rate. Both microphones play the click track (${CLICK_TRACK.bedHz} Hz bed, a ${CLICK_TRACK.clickS * 1000} ms ${CLICK_TRACK.clickHz} Hz click every ${CLICK_TRACK.periodS} s); noise suppression, AGC and echo cancellation off; Opus DTX off.`,
      );
      ctx.note(
        `Figures (Alice = the limited side; getStats read every ${SAMPLE_MS / 1000} s during the talk, from the first to the last reading): send_kbps = her outbound-rtp bytesSent (RTP payload) per second; send_kbps_with_rtp_headers adds headerBytesSent (RTP headers and padding); link_kbps = her selected candidate pair's bytesSent (SRTP + SRTCP + STUN) + ${UDP_IP_BYTES} bytes of UDP/IPv4 header per packet: what her uplink's tbf carries (no Ethernet framing). packet_ms = 1000 / the median of the per-reading packet rates (the median, because under the limit Chromium's estimator now and then sends a second of padding-only probe packets on the audio SSRC: they count in packetsSent, not in bytesSent). concealment_pct = concealedSamples / totalSamplesReceived over the talk from inbound-rtp, both receivers pooled (_uplink: Bob hearing Alice, through her uplink; _downlink: Alice hearing Bob). mouth_to_ear = click captured at one page → the same click decoded at the other (bench/lib/pageProbe.ts, as in p2p), both directions, clicks in the first ${SETTLE_MS} ms after a side first heard audio left out. Means over calls for rates; percentiles nearest-rank. A call that ended by itself during the talk (calls_dropped) counts with the readings taken before it ended.`,
      );
      ctx.note(
        `Caveat on mouth_to_ear with the mode off: with a quarter of the audio concealed, NetEq's concealment stretches and repeats what it last decoded (clicks included) and whole clicks are lost, so the click detector also fires on concealment artefacts and some heard clicks pair with the wrong captured click (values below Opus's 26.5 ms of framing, which no real click can show, were seen in trial runs). Read the off figures as indicative only; mouth_to_ear_pairs says how many pairs each rests on (about ${Math.round(TALK_MS / 1000) * 2} clicks per call are sent, both directions together).`,
      );
      ctx.note(
        `auto: one call with Alice's setting on auto, ${AUTO_TALK_MS / 1000} s of talk over the same link: auto_switch_s = seconds into the talk when her call panel first read "Low bandwidth: on (poor connection)" (the policy switches after 10 s of samples classified poor: loss > 8 %, RTT > 500 ms or jitter > 60 ms), auto_60ms_packets_s = when her packet rate first fell below 20/s after that (the packet time needs an offer/answer exchange over the saturated link's TCP; while it is under way her sender drops to Opus's 6 kbps floor to leave the offer room, then goes to the mode's 16 kbps). NaN = did not happen within the talk. Readings every ${SAMPLE_MS / 1000} s, so both are ±${SAMPLE_MS / 1000} s.`,
      );
      return figures;
    } finally {
      for (const p of people) await p.browser.close().catch(() => undefined);
      await srv?.stop().catch(() => undefined);
      await net?.destroy().catch(() => undefined);
    }
  },
};
