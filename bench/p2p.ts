/**
 * `p2p`: 1-on-1 call timing and speech bitrate, end to end through the real web client.
 *
 * Alice and Bob each get a headless Chromium (Debian's) whose fake microphone plays a sox click
 * track; a real signaling server (tests/helpers/testServer.ts) on 127.0.0.1 serves a fresh build
 * of the client. Alice calls Bob again and again in the same two browsers (2 warm-up calls, then
 * 20 measured): Call → ring dialog → Accept (1 s later) → 6 s of talk → Hang up. Everything is
 * timed inside the pages by bench/lib/pageProbe.ts. Then Carol, whose microphone plays espeak-ng
 * speech, calls Bob 3 times for the outgoing bitrate. Figures, method and caveats go into
 * bench/results/p2p.json (see the notes written below).
 */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer, type TestServer } from '../tests/helpers/testServer.js';
import type { Benchmark, BenchContext, Figures } from './BenchmarkTypes.js';
import { createDirect, openBenchParticipant, openCallPair, openConversation, type BenchParticipant } from './lib/benchParticipant.js';
import { CLICK_TRACK, makeClickTrack } from './lib/clickTrack.js';
import { buildRenderer } from './lib/buildRenderer.js';
import { describeTarget, judgeTarget } from './lib/judgeTarget.js';
import {
  ACCEPT_DELAY_MS,
  hangUp,
  measuredCall,
  PAIR_WINDOW_MS,
  PROBE,
  RAW_MIC,
  recover,
  SETTLE_MS,
  STEP_KEYS,
  STEP_TIMEOUT_MS,
  type CallSample,
  type StepKey,
} from './lib/p2pCall.js';
import { outboundAudio, pageClockOffsetMs, probeErrors, readLagMs, takeMarks, waitForMark, type OutboundAudio } from './lib/pageProbe.js';
import { mean, percentile } from './lib/percentile.js';
import { requireTool } from './lib/requireTool.js';
import { makeSpeechTrack } from './lib/speechTrack.js';

/** Calls before the measured ones (first getUserMedia, first ICE, JIT warm-up); excluded. */
const WARMUP_CALLS = 2;
/** Measured calls; BENCH_P2P_CALLS overrides it for a quick try (figures then say how many). */
const MEASURED_CALLS = Number(process.env.BENCH_P2P_CALLS ?? 20);
/** Each measured call stays up this long after audio flows both ways, collecting clicks (ms). */
const TALK_MS = 6000;
/** Speech calls for the bitrate, each sampled in 1 s windows after a warm-up. */
const SPEECH_CALLS = 3;
const SPEECH_WARMUP_MS = 2000;
const SPEECH_WINDOWS = 10;
/** BENCH_P2P_DEBUG=1 prints every call's in-page timeline (ms from the Call click). */
const DEBUG = process.env.BENCH_P2P_DEBUG === '1';

/** The call sample type moved to lib/p2pCall.ts with the call itself; still importable from here. */
export type { CallSample } from './lib/p2pCall.js';

const round1 = (x: number) => Math.round(x * 10) / 10;

/** One Carol → Bob call with speech on Carol's microphone: outgoing RTP in 1 s windows. */
async function speechCall(carol: BenchParticipant, bob: BenchParticipant): Promise<{ windows: Array<{ payloadKbps: number; withHeadersKbps: number; packetsPerS: number }>; codec: string | null; path: string }> {
  await takeMarks(carol.page);
  await takeMarks(bob.page);
  await carol.page.getByRole('button', { name: 'Call', exact: true }).click();
  await waitForMark(bob.page, 'ring-dialog', STEP_TIMEOUT_MS);
  await bob.page.getByRole('alertdialog', { name: 'Incoming call from Carol' }).getByRole('button', { name: 'Accept' }).click();
  await waitForMark(carol.page, 'pc-connected', STEP_TIMEOUT_MS);
  await sleep(SPEECH_WARMUP_MS);
  const readings: OutboundAudio[] = [];
  for (let i = 0; i <= SPEECH_WINDOWS; i++) {
    const reading = await outboundAudio(carol.page);
    if (!reading) throw new Error('no outbound-rtp audio stats on the speaking side');
    readings.push(reading);
    if (i < SPEECH_WINDOWS) await sleep(1000);
  }
  await hangUp(carol, bob);
  const windows = readings.slice(1).map((r, i) => {
    const prev = readings[i]!;
    const ms = r.timestamp - prev.timestamp;
    const payload = r.bytesSent - prev.bytesSent;
    const headers = r.headerBytesSent - prev.headerBytesSent;
    return { payloadKbps: (payload * 8) / ms, withHeadersKbps: ((payload + headers) * 8) / ms, packetsPerS: ((r.packetsSent - prev.packetsSent) * 1000) / ms };
  });
  const last = readings[readings.length - 1]!;
  return { windows, codec: last.codec, path: last.path };
}

/** From the Earshot issue: ring p95 ≤ 50 ms, accept→audio p95 ≤ 250 ms, mouth-to-ear p95 ≤ 80 ms, speech 24–40 kbps. */
const TARGETS: Benchmark['targets'] = {
  ring_ms_p95: { max: 50 },
  accept_to_audio_ms_p95: { max: 250 },
  mouth_to_ear_ms_p95: { max: 80 },
  send_kbps_p50: { min: 24, max: 40 },
};

/** A receiver's mean jitter-buffer delay above this (ms) counts as grown: on a quiet machine it sits at 29–40 ms. */
const JITTER_GROWN_MS = 40;

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' / ');

/** The sample at the p-th percentile rank of `key` (nearest rank), to show where its time went. */
function atRank(samples: CallSample[], key: (s: CallSample) => number, p: number): CallSample {
  const sorted = [...samples].sort((x, y) => key(x) - key(y));
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** For each missed target: by how much, and where the time went (from the in-page steps). */
export function explainMisses(targets: Benchmark['targets'], figures: Figures, samples: CallSample[]): string[] {
  const notes: string[] = [];
  const f = (x: number) => x.toFixed(1);
  for (const [key, target] of Object.entries(targets)) {
    const figure = figures[key]!;
    const verdict = judgeTarget(figure, target);
    if (verdict.met) continue;
    const head = `Why ${key} = ${figure.value} ${figure.unit} misses ${describeTarget(target, figure.unit)} (by ${verdict.missedBy} ${figure.unit}):`;
    if (key.startsWith('ring_ms')) {
      const s = atRank(samples, (x) => x.ringMs, key.endsWith('p95') ? 95 : 50);
      const st = s.steps;
      notes.push(
        `${head} in the call at that rank (${f(s.ringMs)} ms; other processes used ${s.otherCores.toFixed(2)} cores meanwhile) the caller's getUserMedia took ${f(st.ring_mic_ms)} ms, sending call.place ${f(st.ring_place_sent_ms - st.ring_mic_ms)} ms more, the server and two WebSocket hops ${f(st.ring_incoming_ms - st.ring_place_sent_ms)} ms, the callee's handling and React render ${f(st.ring_dialog_ms - st.ring_incoming_ms)} ms. The app opens the microphone before it places the call, so every ring pays for getUserMedia; placing first and opening the microphone while it rings would take that off the ring time.`,
      );
    } else if (key.startsWith('accept_to_audio')) {
      const s = atRank(samples, (x) => x.acceptToAudioMs, key.endsWith('p95') ? 95 : 50);
      const st = s.steps;
      const heard = Math.max(st.accept_callee_hears_ms, st.accept_caller_hears_ms);
      notes.push(
        `${head} in the call at that rank (${f(s.acceptToAudioMs)} ms; other processes used ${s.otherCores.toFixed(2)} cores meanwhile) the callee's getUserMedia took ${f(st.accept_mic_ms)} ms, call.accept's round trip ${f(st.accept_response_ms - st.accept_mic_ms)} ms, creating the peer connection and applying the waiting offer up to the answer ${f(st.accept_answer_ms - st.accept_response_ms)} ms, ICE ${f(st.accept_ice_ms - st.accept_answer_ms)} ms, DTLS ${f(st.accept_connected_ms - st.accept_ice_ms)} ms, and from connected to the later side's first audible sample (first RTP, jitter buffer, playout) ${f(heard - st.accept_connected_ms)} ms. The callee opens its microphone and only then sends call.accept and starts its peer connection, in series.`,
      );
    } else if (key.startsWith('mouth_to_ear')) {
      // Split the calls by whether a receiver's jitter buffer grew past its quiet-machine level.
      const grown = samples.filter((x) => Math.max(...x.jitterBufferMs) > JITTER_GROWN_MS);
      const steady = samples.filter((x) => Math.max(...x.jitterBufferMs) <= JITTER_GROWN_MS);
      const describe = (group: CallSample[]) => {
        if (group.length === 0) return 'none';
        const values = group.flatMap((x) => x.mouthToEarMs);
        const others = mean(group.map((x) => x.otherCores));
        return `${group.length} call${group.length === 1 ? '' : 's'}, mouth-to-ear p50 ${f(percentile(values, 50))} ms / p95 ${f(percentile(values, 95))} ms, the larger side's jitter buffer p50 ${f(percentile(group.map((x) => Math.max(...x.jitterBufferMs)), 50))} ms, other processes ${others.toFixed(2)} cores on average`;
      };
      notes.push(
        `${head} about 27 ms of every click is Opus framing (20 ms packets + 6.5 ms look-ahead) and the rest mostly the receiver's jitter buffer (NetEq), which Chromium grows after late packets and shrinks only slowly. Calls whose jitter buffers stayed ≤ ${JITTER_GROWN_MS} ms: ${describe(steady)}. Calls where one grew: ${describe(grown)}. On ${os.cpus().length} cores the two browsers, the server and the runner compete with whatever else runs; when other processes take CPU, packets and audio callbacks are delayed, NetEq raises its target, and the p95 follows.`,
      );
    } else if (key.startsWith('send_kbps')) {
      notes.push(
        `${head} Opus is capped at maxaveragebitrate 32000 and sender maxBitrate 32000 (renderer/call/opusSdp.ts DEFAULT_OPUS); with RTP headers it is ${figures.send_kbps_with_rtp_headers_p50?.value} kbps.`,
      );
    } else {
      notes.push(head);
    }
  }
  return notes;
}

export const p2p: Benchmark = {
  name: 'p2p',
  description:
    '1-on-1 calls between two headless Chromium pages of the web client through a real signaling server on loopback: ring time, accept → audio, mouth-to-ear, speech bitrate.',
  targets: TARGETS,

  async run(ctx: BenchContext): Promise<Figures> {
    await requireTool('sox', 'sox', ctx.log);
    await requireTool('espeak-ng', 'espeak-ng', ctx.log);
    ctx.log('building the web client (vite build)…');
    const webRoot = await buildRenderer();
    const clicks = await makeClickTrack();
    const speech = await makeSpeechTrack();
    const loadAtStart = load();

    let srv: TestServer | undefined;
    const people: BenchParticipant[] = [];
    try {
      // logLevel info: the production default (the tests' debug level writes every frame to disk).
      srv = await startTestServer({ config: { logLevel: 'info', webRoot } });
      const { alice, bob } = await openCallPair(srv, clicks, { settings: RAW_MIC, probe: PROBE }, people);
      const clockOffsets = [await pageClockOffsetMs(alice.page), await pageClockOffsetMs(bob.page)];

      // Calls: warm-up first, then measured; a failed call is logged, cleaned up and replaced.
      const samples: CallSample[] = [];
      const warmups: CallSample[] = [];
      let failed = 0;
      const started = Date.now();
      for (let i = 0; samples.length < MEASURED_CALLS; i++) {
        const warmup = i < WARMUP_CALLS;
        try {
          const sample = await measuredCall(alice, bob, { talkMs: TALK_MS, debug: DEBUG });
          (warmup ? warmups : samples).push(sample);
          ctx.log(
            `${warmup ? 'warm-up' : `call ${samples.length}/${MEASURED_CALLS}`}: ring ${sample.ringMs.toFixed(1)} ms, accept→audio ${sample.acceptToAudioMs.toFixed(1)} ms, mouth-to-ear ${sample.mouthToEarMs.map((x) => x.toFixed(0)).join(' ')} ms, jitter buffer ${sample.jitterBufferMs.map((x) => x.toFixed(0)).join('/')} ms, other processes ${sample.otherCores.toFixed(2)} cores`,
          );
        } catch (error) {
          failed++;
          ctx.log(`call ${i + 1} failed: ${(error as Error).message.split('\n')[0]}`);
          const errors = [...(await probeErrors(alice.page).catch(() => [])), ...(await probeErrors(bob.page).catch(() => []))];
          if (errors.length) ctx.log(`  probe errors: ${errors.join('; ')}`);
          if (failed > 5) throw new Error(`too many failed calls (${failed})`, { cause: error });
          await recover([alice, bob]);
        }
      }
      const callsSeconds = (Date.now() - started) / 1000;

      // Speech bitrate: Carol's microphone plays espeak-ng speech; default settings (processing on).
      const carol = await openBenchParticipant(srv, 'carol', 'Carol', speech.file, { probe: PROBE });
      people.push(carol);
      await createDirect(srv, carol, bob);
      await openConversation(carol.page, 'Bob');
      const speechWindows: Array<{ payloadKbps: number; withHeadersKbps: number; packetsPerS: number }> = [];
      const codecs = new Set<string>();
      for (let i = 0; i < SPEECH_CALLS; i++) {
        const result = await speechCall(carol, bob);
        speechWindows.push(...result.windows);
        codecs.add(`${result.codec ?? 'unknown'} over ${result.path}`);
        ctx.log(`speech call ${i + 1}/${SPEECH_CALLS}: ${result.windows.map((w) => w.payloadKbps.toFixed(1)).join(' ')} kbps (payload, 1 s windows)`);
      }

      const lags = [...Object.values(await readLagMs(alice.page)), ...Object.values(await readLagMs(bob.page))];
      const readLag = lags.length ? Math.max(...lags) : NaN;
      const ring = samples.map((s) => s.ringMs);
      const acceptToAudio = samples.map((s) => s.acceptToAudioMs);
      const m2e = samples.flatMap((s) => s.mouthToEarMs);
      if (m2e.length === 0) throw new Error('no click was heard: mouth-to-ear cannot be measured');
      const payload = speechWindows.map((w) => w.payloadKbps);
      const withHeaders = speechWindows.map((w) => w.withHeadersKbps);
      const jitterBuffer = samples.flatMap((s) => s.jitterBufferMs);
      const jitterTarget = samples.flatMap((s) => s.jitterTargetMs);
      const ms = (value: number) => ({ value: round1(value), unit: 'ms' });

      const figures: Figures = {
        ring_ms_p50: ms(percentile(ring, 50)),
        ring_ms_p95: ms(percentile(ring, 95)),
        accept_to_audio_ms_p50: ms(percentile(acceptToAudio, 50)),
        accept_to_audio_ms_p95: ms(percentile(acceptToAudio, 95)),
        mouth_to_ear_ms_p50: ms(percentile(m2e, 50)),
        mouth_to_ear_ms_p95: ms(percentile(m2e, 95)),
        send_kbps_p50: { value: round1(percentile(payload, 50)), unit: 'kbps' },
        // Supporting figures.
        first_call_ring_ms: ms(warmups[0]?.ringMs ?? NaN),
        first_call_accept_to_audio_ms: ms(warmups[0]?.acceptToAudioMs ?? NaN),
        calls: { value: samples.length, unit: 'count' },
        warmup_calls: { value: WARMUP_CALLS, unit: 'count' },
        failed_calls: { value: failed, unit: 'count' },
        ring_ms_max: ms(Math.max(...ring)),
        accept_to_audio_ms_max: ms(Math.max(...acceptToAudio)),
        mouth_to_ear_samples: { value: m2e.length, unit: 'count' },
        mouth_to_ear_ms_min: ms(Math.min(...m2e)),
        mouth_to_ear_ms_max: ms(Math.max(...m2e)),
        jitter_buffer_ms_p50: ms(jitterBuffer.length ? percentile(jitterBuffer, 50) : NaN),
        jitter_buffer_target_ms_p50: ms(jitterTarget.length ? percentile(jitterTarget, 50) : NaN),
        send_kbps_mean: { value: round1(mean(payload)), unit: 'kbps' },
        send_kbps_with_rtp_headers_p50: { value: round1(percentile(withHeaders, 50)), unit: 'kbps' },
        send_packets_per_s_p50: { value: round1(percentile(speechWindows.map((w) => w.packetsPerS), 50)), unit: 'packets/s' },
        speech_windows: { value: payload.length, unit: 'count' },
        load_avg_1m_mean: { value: Math.round(mean(samples.map((s) => s.loadAvg1m)) * 100) / 100, unit: 'load' },
        other_processes_cores_mean: { value: Math.round(mean(samples.map((s) => s.otherCores)) * 100) / 100, unit: 'cores' },
        other_processes_cores_max: { value: Math.round(Math.max(...samples.map((s) => s.otherCores)) * 100) / 100, unit: 'cores' },
        calls_phase_s: { value: round1(callsSeconds), unit: 's' },
      };
      for (const key of STEP_KEYS) {
        const values = samples.map((s) => s.steps[key]);
        figures[key.replace(/_ms$/, '_ms_p50')] = ms(percentile(values, 50));
        figures[key.replace(/_ms$/, '_ms_p95')] = ms(percentile(values, 95));
      }

      const w = warmups[0]?.steps;
      const firstCallSteps = w
        ? ` Its caller's getUserMedia took ${round1(w.ring_mic_ms)} ms (p50 later: ${figures.ring_mic_ms_p50!.value} ms) and the callee needed ${round1(w.ring_dialog_ms - w.ring_incoming_ms)} ms from call.incoming to the dialog (p50 later: ${round1(figures.ring_dialog_ms_p50!.value - figures.ring_incoming_ms_p50!.value)} ms, difference of p50s).`
        : '';
      const p50 = (key: StepKey) => figures[key.replace(/_ms$/, '_ms_p50')]!.value;
      ctx.note(
        `Method: ${WARMUP_CALLS} warm-up calls (excluded), then ${samples.length} measured Alice → Bob calls in the same two browsers (one headless Chromium each, reused: hang up, call again) through one signaling server on 127.0.0.1; media peer to peer between the machine's own addresses (direct host candidates). Percentiles: nearest rank (sorted[ceil(p/100 · n) − 1], always a measured value). Step figures (ring_mic_ms_p50 …) are percentiles of each step on its own, so they do not add up.`,
      );
      ctx.note(
        `Clock: every time is taken inside the pages, never in Node, so Playwright's click overhead is excluded: events on performance.timeOrigin + performance.now(), audio by the media time Chromium stamps on each AudioData (the same page timeline, + timeOrigin). Both browsers run on this machine and read the same system clock; performance.timeOrigin + performance.now() minus Date.now() measured ${clockOffsets.map((x) => x.toFixed(2)).join(' ms and ')} ms on the two pages.`,
      );
      ctx.note(
        `ring_ms: the Call button's click event (capturing listener on window, before React's) in the caller's page → the callee's alertdialog inserted into the DOM (MutationObserver: React's commit, before paint). It includes the caller's getUserMedia (the app opens the microphone before it sends call.place), the server's handling and the callee's React render. p50 from the click: microphone open ${p50('ring_mic_ms')} ms, call.place sent ${p50('ring_place_sent_ms')} ms, call.incoming at the callee ${p50('ring_incoming_ms')} ms, dialog in the DOM ${p50('ring_dialog_ms')} ms, next animation frame ${p50('ring_frame_ms')} ms.`,
      );
      ctx.note(
        `accept_to_audio_ms: the Accept click in the callee's page → the later of the two sides' first decoded remote audio (the media time of the first remote sample ≥ ${PROBE.onsetThreshold} of full scale, read from the remote track with a MediaStreamTrackProcessor; Chromium delivers remote audio to a track's readers only while a media element plays it, here the app's <audio autoplay>, so this is when the page plays it). The callee accepts ${ACCEPT_DELAY_MS} ms after the ring appears; the caller's offer and candidates were sent while it rang and wait at the server. p50 from the click: callee's microphone open ${p50('accept_mic_ms')} ms, call.accept answered ${p50('accept_response_ms')} ms, callee's answer set ${p50('accept_answer_ms')} ms, ICE connected (both) ${p50('accept_ice_ms')} ms, ICE + DTLS connected (both) ${p50('accept_connected_ms')} ms, first audio heard by the callee ${p50('accept_callee_hears_ms')} ms and by the caller ${p50('accept_caller_hears_ms')} ms.`,
      );
      ctx.note(
        `mouth_to_ear_ms: both microphones play a sox track (${CLICK_TRACK.bedHz} Hz bed at peak ${CLICK_TRACK.bedPeak}; a ${CLICK_TRACK.clickS * 1000} ms ${CLICK_TRACK.clickHz} Hz burst at peak ${CLICK_TRACK.clickPeak} every ${CLICK_TRACK.periodS} s). The sending page times each click on its own captured track (the app's getUserMedia stream, hooked by an init script), the receiving page on the remote track, both from MediaStreamTrackProcessor frames: each AudioData carries its media time on the page's performance timeline, so a click is timed to the sample (threshold ${PROBE.clickThreshold}), not to when the page read it. Each heard click is paired with the latest click sent less than ${PAIR_WINDOW_MS} ms before it; clicks in the first ${SETTLE_MS} ms after a side's first audio are left out; both directions, ${TALK_MS / 1000} s of talk per call. The figure starts when the capture track delivers the click (the fake device's own capture buffering comes before that and is not in it) and ends when Chromium's audio renderer hands the decoded click on while it plays the app's <audio> (the output device's buffer comes after and is not in it). Where the time goes: Opus sends 20 ms packets (a=ptime:20) with 6.5 ms of look-ahead, about 27 ms; the receivers' mean jitter-buffer delay during the talk (getStats jitterBufferDelay / jitterBufferEmittedCount, from a packet's arrival to the playout of each of its samples, so it already holds up to one packet's duration) had p50 ${figures.jitter_buffer_ms_p50!.value} ms, NetEq's target ${figures.jitter_buffer_target_ms_p50!.value} ms; the rest is 10 ms audio callbacks and the hops between processes. The probe read frames at most ${readLag.toFixed(1)} ms after their media time (that delay does not enter any figure; frames would be dropped only past 2 s).`,
      );
      ctx.note(
        `First call after the pages loaded (the first warm-up call, not in the percentiles): ring ${figures.first_call_ring_ms!.value} ms, accept → audio ${figures.first_call_accept_to_audio_ms!.value} ms.${firstCallSteps} A session's first call pays for opening the capture device and for the callee's first ringtone AudioContext and first render of the ring dialog.`,
      );
      ctx.note(
        `Microphone processing: noise suppression, automatic gain control and echo cancellation are switched off through the app's settings (localStorage earshot:setting:<key> = false) in the ring, accept and mouth-to-ear calls, so the tone and the clicks are neither suppressed nor reshaped (with processing on, getUserMedia and the capture path may cost more). The speech calls use the defaults (all three on, Opus DTX off).`,
      );
      ctx.note(
        `send_kbps_p50: Carol's microphone plays ${speech.seconds.toFixed(1)} s of espeak-ng speech (en-us, sox to 48 kHz mono, normalised to −3 dBFS, looped by Chromium); ${SPEECH_CALLS} calls to Bob, each sampled in ${SPEECH_WINDOWS} windows of 1 s after ${SPEECH_WARMUP_MS / 1000} s; p50 over the ${payload.length} windows. From getStats() outbound-rtp bytesSent over the stats timestamps: RTP payload only (bytesSent excludes RTP headers and padding, per the WebRTC stats spec and RFC 3550's octet count). With RTP headers (+ headerBytesSent): send_kbps_with_rtp_headers_p50; neither counts SRTP's auth tag, UDP or IP. Codec and path seen: ${[...codecs].join(', ')}.`,
      );
      ctx.note(
        `Load: the machine has ${os.cpus().length} cores for both browsers, the server and the runner, shared with anything else running. Processes outside the benchmark used ${figures.other_processes_cores_mean!.value} cores on average during the measured calls (max ${figures.other_processes_cores_max!.value}; from /proc/stat minus this process tree). 1-minute load average: ${loadAtStart.split(' / ')[0]} at the start, ${figures.load_avg_1m_mean!.value} on average over the calls, ${load().split(' / ')[0]} at the end. Timing figures grow with load: compare runs at similar load.`,
      );
      for (const text of explainMisses(TARGETS, figures, samples)) ctx.note(text);
      return figures;
    } finally {
      for (const p of people) await p.browser.close().catch(() => undefined);
      await srv?.stop().catch(() => undefined);
    }
  },
};
