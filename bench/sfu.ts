/**
 * `sfu`: one group call through the real signaling server and SFU, at 10, 25 and 50
 * participants: two headless Chromium participants running the real web client plus
 * (size − 2) plain-RTP bots (bench/lib/PlainRtpBot.ts in their own process, bench/lib/BotFarm.ts:
 * real users on the real signaling server; pre-encoded Opus out, every other participant's
 * stream in, counted). One mediasoup worker (as tests/helpers/testServer.ts starts it).
 *
 * Bob (fake microphone: a 1000 Hz tone) starts the call and the bots join: bot 0 sends a tone,
 * the others what Opus DTX sends for silence, as in a big call where a few people talk. Alice
 * (fake microphone: the click track, bench/lib/clickTrack.ts) then joins and leaves JOINS times;
 * join→audio is her "Join call" click to the first decoded remote sample above the onset
 * threshold on any remote track (bench/lib/pageProbe.ts, MediaStreamTrackProcessor in the page).
 * Then every bot sends a tone, and Alice joins LOUD_JOINS more times: the worst case, reported
 * beside the targeted figure. After her last join the newest remote track in Bob's page is
 * hers, so the probe there hears her clicks: mouth-to-ear pairs each click Bob hears with the
 * click Alice's microphone captured.
 * The mediasoup worker's CPU (/proc/<pid>/stat, % of one core) is read over WINDOW_MS with
 * everyone unmuted, and again with 3 speakers (Alice, Bob, one bot) while the other bots send
 * only what Opus DTX sends for silence. Download per participant and loss come from the bots'
 * receive counters over the same windows.
 */
import { startTestServer, TEST_RTC_PORTS, type TestServer } from '../tests/helpers/testServer.js';
import { makeTone } from '../tests/helpers/tones.js';
import { register, TestClient } from '../tests/helpers/wsClient.js';
import type { Benchmark, BenchContext, Figures } from './BenchmarkTypes.js';
import { openBenchParticipant, type BenchParticipant } from './lib/benchParticipant.js';
import { BotFarm } from './lib/BotFarm.js';
import { buildRenderer } from './lib/buildRenderer.js';
import { makeClickTrack } from './lib/clickTrack.js';
import { mouthToEar } from './lib/mouthToEar.js';
import { takeMarks, type ProbeMark, type ProbeOptions } from './lib/pageProbe.js';
import { percentile } from './lib/percentile.js';
import type { BotReceiveStats } from './lib/PlainRtpBot.js';
import { processCpuPct } from './lib/processCpu.js';
import { requireTool } from './lib/requireTool.js';
import { dropsBetween, udpDropsByPort } from './lib/udpDrops.js';

/** Call sizes; BENCH_SFU_SIZES=50 (comma-separated) for a quick try of some. */
const SIZES = (process.env.BENCH_SFU_SIZES ?? '10,25,50').split(',').map(Number);
/** BENCH_SFU_DEBUG=1 prints each join's in-page timeline (ms from the Join click). */
const DEBUG = process.env.BENCH_SFU_DEBUG === '1';
/** Bob's measured joins per size (BENCH_SFU_JOINS overrides). */
const JOINS = Number(process.env.BENCH_SFU_JOINS ?? 5);
/** Joins while everyone sends audio (the worst case, reported beside the targeted figure). */
const LOUD_JOINS = 3;
/** CPU / traffic window, ms. */
const WINDOW_MS = 10_000;
const RAW_MIC = { noiseSuppression: false, autoGainControl: false, echoCancellation: false };
/** Between silence and the click track's bed tone (0.05); between the bed tone / bot tones (≤ 0.5) and the click (0.8). */
const PROBE: ProbeOptions = { onsetThreshold: 0.02, clickThreshold: 0.65, clickQuietMs: 300 };
/** A heard click is paired with the latest click Alice captured within this window (ms); clicks are 1 s apart. */
const PAIR_WINDOW_MS = 500;
const botHz = (i: number) => 2100 + 50 * i;
/**
 * Bots that read and count what the SFU sends them; the others have it sent to a port nobody
 * reads (PlainRtpBot `listen: false`). The SFU's work is the same; reading 48 × 49 streams in
 * one Node process would take more CPU than this 2-core machine has beside two Chromiums.
 */
const LISTENERS = 8;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round1 = (v: number) => Math.round(v * 10) / 10;

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(100);
  }
}

/** `who`'s "Join call" click → first decoded remote audio, ms (leaving the call first when `rejoin`); then 1.5 s in the call. */
async function measureJoin(who: BenchParticipant, rejoin: boolean): Promise<number> {
  if (rejoin) {
    await who.page.getByRole('region', { name: 'Voice call' }).getByRole('button', { name: 'Leave call' }).click();
    await who.page.getByRole('main').getByRole('button', { name: 'Join call' }).waitFor({ timeout: 15_000 });
    await sleep(1000);
  }
  await takeMarks(who.page);
  await who.page.getByRole('main').getByRole('button', { name: 'Join call' }).click();
  const marks: ProbeMark[] = [];
  await waitUntil(`${who.name} hears audio`, async () => {
    marks.push(...(await takeMarks(who.page)));
    const click = marks.find((m) => m.name === 'click' && m.detail === 'Join call');
    return Boolean(click && marks.some((m) => m.name === 'onset:remote' && m.t >= click.t));
  }, 90_000);
  const click = marks.find((m) => m.name === 'click' && m.detail === 'Join call')!;
  if (DEBUG) {
    await sleep(20_000);
    marks.push(...(await takeMarks(who.page)));
    console.log(marks.filter((m) => m.t >= click.t).map((m) => `${Math.round(m.t - click.t)} ${m.name} ${m.detail ?? ''}`).join('\n'));
  }
  const ms = marks.find((m) => m.name === 'onset:remote' && m.t >= click.t)!.t - click.t;
  await sleep(1500);
  return ms;
}

function sumStats(all: BotReceiveStats[]): { packets: number; lost: number; bytes: number } {
  return all.reduce((s, r) => ({ packets: s.packets + r.packetsReceived, lost: s.lost + r.packetsLost, bytes: s.bytes + r.bytesReceived }), { packets: 0, lost: 0, bytes: 0 });
}

/** Worker CPU, per-bot download and loss over one window. */
async function window(farm: BotFarm, pids: Record<string, number>) {
  const listening = async () => (await farm.receiveStats()).filter((r) => r.listening);
  const before = sumStats(await listening());
  const dropsBefore = udpDropsByPort();
  const t0 = performance.now();
  const cpu = await processCpuPct(pids, WINDOW_MS);
  const listeners = await listening();
  const after = sumStats(listeners);
  const drops = dropsBetween(dropsBefore, udpDropsByPort(), (port) => port >= TEST_RTC_PORTS.min && port <= TEST_RTC_PORTS.max);
  const seconds = (performance.now() - t0) / 1000;
  const packets = after.packets - before.packets;
  const lost = after.lost - before.lost;
  return {
    cpu,
    downKbps: round1(((after.bytes - before.bytes) * 8) / 1000 / seconds / listeners.length),
    lossPct: Math.round((10_000 * lost) / Math.max(1, packets + lost)) / 100,
    /** Datagrams the kernel dropped at full receive buffers: the SFU worker's sockets, everyone else's. */
    drops: { worker: drops.group, receivers: drops.rest },
  };
}

async function runSize(size: number, ctx: BenchContext, figures: Figures): Promise<void> {
  let srv: TestServer | null = null;
  let farm: BotFarm | null = null;
  const people: BenchParticipant[] = [];
  try {
    srv = await startTestServer({ sfu: true, config: { groupCallCap: Math.max(50, size), sfuPlainRtp: true } });
    const bob = await openBenchParticipant(srv, 'bob', 'Bob', await makeTone(1000, 30), { settings: RAW_MIC, probe: PROBE });
    const alice = await openBenchParticipant(srv, 'alice', 'Alice', await makeClickTrack(), { settings: RAW_MIC, probe: PROBE });
    people.push(bob, alice);
    const botSessions = [];
    for (let i = 0; i < size - 2; i++) botSessions.push(await register(srv.url, `bot${i}`, `Bot ${i}`));
    const admin = await TestClient.connect(srv.wsUrl, bob.session.token);
    const { conversation } = await admin.request('conversations.createGroup', { title: 'Crowd', memberIds: [alice.session.user.id, ...botSessions.map((s) => s.user.id)] });
    admin.close();
    for (const p of people) await p.page.getByRole('navigation').getByRole('button', { name: /Crowd/ }).first().click();
    await bob.page.getByRole('button', { name: 'Start voice call' }).click();
    await bob.page.getByRole('region', { name: 'Voice call' }).getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 15_000 });
    farm = await BotFarm.start();
    const tones = botSessions.map((_, i) => botHz(i));
    // A big call as it usually sounds: a few people talk (Bob, bot 0 and, once in, Alice), the rest are silent (DTX).
    const threeSpeakers = tones.map((hz, i) => (i === 0 ? hz : null));
    const outcomes = await farm.join(srv.wsUrl, botSessions.map((session, i) => ({ session, conversationId: conversation.id, toneHz: threeSpeakers[i]!, listen: i < LISTENERS })), 4);
    const refused = outcomes.filter((o) => !o.ok);
    if (refused.length) throw new Error(`bots refused: ${JSON.stringify(refused.slice(0, 3))}`);
    const consumersAre = (n: number) => async () => (await farm!.consumerCounts()).every((c) => c === n);
    await waitUntil('bots consume Bob and each other', consumersAre(size - 2));
    ctx.log(`${size}: Bob + ${size - 2} bots in the call (3 speakers); Alice joins ${JOINS}×`);

    const joins: number[] = [];
    for (let j = 0; j < JOINS; j++) joins.push(await measureJoin(alice, j > 0));
    await waitUntil('bots consume everyone', consumersAre(size - 1));
    figures[`join_to_audio_ms_p95_${size}`] = { value: Math.round(percentile(joins, 95)), unit: 'ms' };
    ctx.log(`${size}: join→audio ${joins.map(Math.round).join(', ')} ms`);

    await farm.setTones(tones);
    const pids = { worker: srv.sfu!.workerPids[0]!, server: process.pid, bots: farm.pid };
    await sleep(2000);
    const loud = await window(farm, pids);
    figures[`worker_cpu_pct_all_unmuted_${size}`] = { value: loud.cpu.worker!, unit: '%' };
    figures[`down_kbps_per_participant_all_unmuted_${size}`] = { value: loud.downKbps, unit: 'kbps' };
    figures[`loss_pct_${size}`] = { value: loud.lossPct, unit: '%' };
    figures[`bots_process_cpu_pct_all_unmuted_${size}`] = { value: loud.cpu.bots!, unit: '%' };
    figures[`udp_drops_worker_${size}`] = { value: loud.drops.worker, unit: 'count' };
    figures[`udp_drops_receivers_${size}`] = { value: loud.drops.receivers, unit: 'count' };

    // The worst case: joining while all the others send audio at once.
    const loudJoins: number[] = [];
    for (let j = 0; j < LOUD_JOINS; j++) loudJoins.push(await measureJoin(alice, true));
    await waitUntil('bots consume everyone', consumersAre(size - 1));
    figures[`join_to_audio_ms_p95_all_unmuted_${size}`] = { value: Math.round(percentile(loudJoins, 95)), unit: 'ms' };
    ctx.log(`${size}: join→audio with everyone unmuted ${loudJoins.map(Math.round).join(', ')} ms`);

    // Three speakers: Alice (clicks over a quiet bed tone), Bob and bot 0; the rest DTX.
    await farm.setTones(threeSpeakers);
    await sleep(3000);
    await takeMarks(alice.page);
    await takeMarks(bob.page);
    const quiet = await window(farm, pids);
    const m2e = mouthToEar(await takeMarks(alice.page), await takeMarks(bob.page), { windowMs: PAIR_WINDOW_MS });
    figures[`worker_cpu_pct_3spk_dtx_${size}`] = { value: quiet.cpu.worker!, unit: '%' };
    figures[`down_kbps_per_participant_3spk_dtx_${size}`] = { value: quiet.downKbps, unit: 'kbps' };
    figures[`mouth_to_ear_ms_p95_${size}`] = { value: m2e.length ? round1(percentile(m2e, 95)) : -1, unit: 'ms' };
    if (m2e.length < 5) throw new Error(`only ${m2e.length} clicks paired Alice → Bob`);
    ctx.log(`${size}: worker CPU ${loud.cpu.worker} % all unmuted, ${quiet.cpu.worker} % 3 speakers + DTX; mouth-to-ear ${m2e.length} clicks, p50 ${round1(percentile(m2e, 50))} ms`);
  } finally {
    await farm?.close();
    for (const p of people) await p.browser.close().catch(() => undefined);
    await srv?.stop();
  }
}

export const sfu: Benchmark = {
  name: 'sfu',
  description: 'Group call through the SFU at 10/25/50 participants (2 Chromium + plain-RTP bots): join→audio, mouth-to-ear, worker CPU, download, loss',
  targets: {
    worker_cpu_pct_all_unmuted_50: { max: 70 },
    worker_cpu_pct_3spk_dtx_50: { max: 10 },
    join_to_audio_ms_p95_50: { max: 800 },
    mouth_to_ear_ms_p95_50: { max: 100 },
    loss_pct_50: { max: 0 },
  },
  async run(ctx) {
    await requireTool('sox', 'sox', ctx.log);
    await buildRenderer();
    ctx.note(
      `Method: per size, 2 headless Chromium participants (real web client with microphone processing off) + (size − 2) plain-RTP bots (bench/lib/PlainRtpBot.ts in a separate Node process: real signed-in users joining through the real signaling server with group.joinPlainRtp; pre-encoded 32 kbps Opus tones with the audio-level header extension out, every other participant's stream in), one mediasoup worker, everything on this one machine over 127.0.0.1. The bots' media legs skip DTLS/SRTP (plain RTP), so the worker encrypts only for the two Chromium participants: worker CPU is a lower bound for 50 WebRTC clients.`,
    );
    ctx.note(`join_to_audio_ms_p95_<n>: Alice's "Join call" click → first decoded sample above ${PROBE.onsetThreshold} full scale on any remote track in her page (in-page MediaStreamTrackProcessor; each remote track is read until its first onset), ${JOINS} joins per size (nearest-rank p95 of ${JOINS} samples = the worst) while Bob and one bot talk and the other bots are silent (DTX); join_to_audio_ms_p95_all_unmuted_<n>: ${LOUD_JOINS} more joins while every bot sends a tone.`);
    ctx.note(`mouth_to_ear_ms_p95_<n>: Alice's microphone plays a 5 ms 2 kHz click each second over a quiet bed tone; each click Bob's page decodes from Alice's track (after its ${PROBE.clickQuietMs} ms quiet rule, threshold ${PROBE.clickThreshold}) is paired with the click Alice's page captured; over the ${WINDOW_MS / 1000} s 3-speaker window (about ${WINDOW_MS / 1000} clicks). Capture → encode → SFU → jitter buffer → decode, same clock.`);
    ctx.note(`worker_cpu_pct_*: utime+stime of the mediasoup worker process from /proc/<pid>/stat over ${WINDOW_MS / 1000} s, % of one core. all_unmuted: every participant sends audio continuously; 3spk_dtx: Alice, Bob and one bot send audio, the other bots send what Opus DTX sends for silence (one packet per 400 ms). bots_process_cpu_pct_*: the bot process, for context.`);
    ctx.note(`down_kbps_per_participant_*_<n> and loss_pct_<n>: RTP bytes (header + payload; no UDP/IP or SRTP overhead, no RTCP) each listening bot received per second, averaged over the ${LISTENERS} listening bots (the other bots have their streams sent to a loopback port nobody reads: same work for the SFU, no reading cost on this machine); loss from RTP sequence gaps per stream at the listening bots, over the all-unmuted window. udp_drops_*: datagrams the kernel dropped at full receive buffers during that window (/proc/net/udp), at the worker's sockets and at everyone else's (listening bots, Chromium).`);
    const figures: Figures = {};
    for (const size of SIZES) await runSize(size, ctx, figures);
    return figures;
  },
};
