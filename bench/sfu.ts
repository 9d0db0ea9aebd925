/**
 * `sfu`: one group call through the real signaling server and SFU, at 10, 25 and 50
 * participants: two headless Chromium participants running the real web client (fake
 * microphones playing 440 Hz and 1000 Hz sox tones) plus Node bots (bench/lib/groupBot.ts:
 * real users, media through mediasoup-client on @roamhq/wrtc, 10 ms PCM tone frames from
 * RTCAudioSource). One mediasoup worker (as tests/helpers/testServer.ts starts it).
 *
 * Per size: Bob (Chromium) leaves and joins again JOINS times with everyone else sending tones;
 * join→audio is Bob's "Join call" click to the first decoded remote sample above the onset
 * threshold (bench/lib/pageProbe.ts, MediaStreamTrackProcessor in the page). Then the mediasoup
 * worker's CPU (/proc/<pid>/stat, % of one core) over WINDOW_MS with everyone unmuted (all bots
 * sending tones), and again with 3 speakers (Alice, Bob, one bot) while the other bots send
 * digital silence, which Opus DTX turns into ~1 packet per 400 ms. Download per participant and
 * loss come from the bots' receive transports (RTCPeerConnection.getStats inbound-rtp: payload +
 * header bytes) over the all-unmuted window.
 */
import { startTestServer, type TestServer } from '../tests/helpers/testServer.js';
import { makeTone } from '../tests/helpers/tones.js';
import { register, TestClient } from '../tests/helpers/wsClient.js';
import type { Benchmark, BenchContext, Figures } from './BenchmarkTypes.js';
import { openBenchParticipant, type BenchParticipant } from './lib/benchParticipant.js';
import { buildRenderer } from './lib/buildRenderer.js';
import { GroupBot, type BotReceiveStats } from './lib/groupBot.js';
import { takeMarks, type ProbeMark, type ProbeOptions } from './lib/pageProbe.js';
import { percentile } from './lib/percentile.js';
import { processCpuPct } from './lib/processCpu.js';
import { requireTool } from './lib/requireTool.js';

const SIZES = [10, 25, 50] as const;
/** Bob's measured joins per size (BENCH_SFU_JOINS overrides). */
const JOINS = Number(process.env.BENCH_SFU_JOINS ?? 5);
/** CPU / traffic window, ms. */
const WINDOW_MS = 10_000;
const RAW_MIC = { noiseSuppression: false, autoGainControl: false, echoCancellation: false };
const PROBE: ProbeOptions = { onsetThreshold: 0.02, clickThreshold: 0.9, clickQuietMs: 300 };
const botHz = (i: number) => 2100 + 50 * i;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round1 = (v: number) => Math.round(v * 10) / 10;

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(100);
  }
}

/** Bob's "Join call" click → first decoded remote audio, ms. */
async function measureJoin(bob: BenchParticipant): Promise<number> {
  await takeMarks(bob.page);
  await bob.page.getByRole('main').getByRole('button', { name: 'Join call' }).click();
  const marks: ProbeMark[] = [];
  await waitUntil('Bob hears audio', async () => {
    marks.push(...(await takeMarks(bob.page)));
    const click = marks.find((m) => m.name === 'click' && m.detail === 'Join call');
    return Boolean(click && marks.some((m) => m.name === 'onset:remote' && m.t >= click.t));
  });
  const click = marks.find((m) => m.name === 'click' && m.detail === 'Join call')!;
  return marks.find((m) => m.name === 'onset:remote' && m.t >= click.t)!.t - click.t;
}

function sumStats(all: BotReceiveStats[]): { packets: number; lost: number; bytes: number } {
  return all.reduce((s, r) => ({ packets: s.packets + r.packetsReceived, lost: s.lost + r.packetsLost, bytes: s.bytes + r.bytesReceived + r.headerBytesReceived }), { packets: 0, lost: 0, bytes: 0 });
}

async function runSize(size: number, ctx: BenchContext, figures: Figures): Promise<void> {
  let srv: TestServer | null = null;
  const people: BenchParticipant[] = [];
  const bots: GroupBot[] = [];
  try {
    srv = await startTestServer({ sfu: true, config: { groupCallCap: Math.max(50, size) } });
    const alice = await openBenchParticipant(srv, 'alice', 'Alice', await makeTone(440, 30), { settings: RAW_MIC, probe: PROBE });
    const bob = await openBenchParticipant(srv, 'bob', 'Bob', await makeTone(1000, 30), { settings: RAW_MIC, probe: PROBE });
    people.push(alice, bob);
    const botSessions = [];
    for (let i = 0; i < size - 2; i++) botSessions.push(await register(srv.url, `bot${i}`, `Bot ${i}`));
    const admin = await TestClient.connect(srv.wsUrl, alice.session.token);
    const { conversation } = await admin.request('conversations.createGroup', { title: 'Crowd', memberIds: [bob.session.user.id, ...botSessions.map((s) => s.user.id)] });
    admin.close();
    for (const p of people) {
      await p.page.getByRole('navigation').getByRole('button', { name: /Crowd/ }).first().click();
    }
    await alice.page.getByRole('button', { name: 'Start voice call' }).click();
    await alice.page.getByRole('region', { name: 'Voice call' }).getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 15_000 });
    for (let i = 0; i < botSessions.length; i++) {
      bots.push(await GroupBot.join({ wsUrl: srv.wsUrl, session: botSessions[i]!, conversationId: conversation.id, toneHz: botHz(i) }));
    }
    await waitUntil('bots consume Alice and each other', () => bots.every((b) => b.consumerCount === size - 2));
    ctx.log(`${size}: Alice + ${bots.length} bots in the call; Bob joins ${JOINS}×`);

    const joins: number[] = [];
    for (let j = 0; j < JOINS; j++) {
      joins.push(await measureJoin(bob));
      await sleep(1500);
      if (j < JOINS - 1) {
        await bob.page.getByRole('region', { name: 'Voice call' }).getByRole('button', { name: 'Leave call' }).click();
        await bob.page.getByRole('main').getByRole('button', { name: 'Join call' }).waitFor({ timeout: 15_000 });
        await sleep(1000);
      }
    }
    await waitUntil('bots consume everyone', () => bots.every((b) => b.consumerCount === size - 1));
    figures[`join_to_audio_ms_p95_${size}`] = { value: Math.round(percentile(joins, 95)), unit: 'ms' };
    ctx.log(`${size}: join→audio ${joins.map(Math.round).join(', ')} ms`);

    const pids = { worker: srv.sfu!.workerPids[0]!, self: process.pid };
    await sleep(2000);
    const before = sumStats(await Promise.all(bots.map((b) => b.receiveStats())));
    const t0 = performance.now();
    const loud = await processCpuPct(pids, WINDOW_MS);
    const after = sumStats(await Promise.all(bots.map((b) => b.receiveStats())));
    const seconds = (performance.now() - t0) / 1000;
    figures[`worker_cpu_pct_all_unmuted_${size}`] = { value: loud.worker!, unit: '%' };
    figures[`bench_process_cpu_pct_all_unmuted_${size}`] = { value: loud.self!, unit: '%' };
    figures[`down_kbps_per_participant_${size}`] = { value: round1(((after.bytes - before.bytes) * 8) / 1000 / seconds / bots.length), unit: 'kbps' };
    const packets = after.packets - before.packets;
    const lost = after.lost - before.lost;
    figures[`loss_pct_${size}`] = { value: Math.round((10_000 * lost) / Math.max(1, packets + lost)) / 100, unit: '%' };

    bots.forEach((b, i) => b.setTone(i === 0 ? botHz(0) : null));
    await sleep(3000);
    const quiet = await processCpuPct(pids, WINDOW_MS);
    figures[`worker_cpu_pct_3spk_dtx_${size}`] = { value: quiet.worker!, unit: '%' };
    figures[`bench_process_cpu_pct_3spk_dtx_${size}`] = { value: quiet.self!, unit: '%' };
    ctx.log(`${size}: worker CPU ${loud.worker} % all unmuted, ${quiet.worker} % 3 speakers + DTX`);
  } finally {
    for (const b of bots) b.close();
    for (const p of people) await p.browser.close().catch(() => undefined);
    await srv?.stop();
  }
}

export const sfu: Benchmark = {
  name: 'sfu',
  description: 'Group call through the SFU at 10/25/50 participants (2 Chromium + wrtc bots): join→audio, worker CPU, download, loss',
  targets: {
    worker_cpu_pct_all_unmuted_50: { max: 70 },
    worker_cpu_pct_3spk_dtx_50: { max: 10 },
    join_to_audio_ms_p95_50: { max: 800 },
    loss_pct_50: { max: 0 },
  },
  async run(ctx) {
    await requireTool('sox', 'sox', ctx.log);
    await buildRenderer();
    ctx.note(
      `Method: per size, 2 headless Chromium participants (real web client, fake microphones playing sox tones) + (size − 2) Node bots (bench/lib/groupBot.ts: mediasoup-client Chrome111 handler on @roamhq/wrtc, one Opus producer each fed 10 ms PCM frames, consuming everyone), all through the real signaling server on 127.0.0.1 and one mediasoup worker. Everything runs on this one machine.`,
    );
    ctx.note(`join_to_audio_ms_p95_<n>: Bob's "Join call" click → first decoded remote sample above ${PROBE.onsetThreshold} full scale (in-page MediaStreamTrackProcessor), ${JOINS} joins per size (nearest-rank p95 of ${JOINS} samples = the worst), while all other participants send tones.`);
    ctx.note(`worker_cpu_pct_*: utime+stime of the mediasoup worker process from /proc/<pid>/stat over ${WINDOW_MS / 1000} s, % of one core. all_unmuted: every participant sends a steady tone; 3spk_dtx: Alice, Bob and one bot send tones, the other bots send digital silence (Opus DTX on, as the web client). bench_process_cpu_pct_*: the benchmark's own Node process (signaling server + all bots' wrtc), for context.`);
    ctx.note(`down_kbps_per_participant_<n> and loss_pct_<n>: from the bots' receive transports (inbound-rtp bytesReceived + headerBytesReceived, packetsReceived/packetsLost, summed over the bot's consumers) over the all-unmuted window; Chromium participants not included. RTP only (no UDP/IP, SRTP overhead or RTCP).`);
    ctx.note(`Not measured: mouth_to_ear_ms_p95 through the SFU (needs a click-track sender/receiver pair across the SFU; not built in the time box), so it has no figure and no target here.`);
    const figures: Figures = {};
    for (const size of SIZES) await runSize(size, ctx, figures);
    return figures;
  },
};
