/**
 * One measured 1-on-1 call through the real web client, shared by the `p2p` and `peer`
 * benchmarks: Alice's page clicks Call, Bob's page accepts after a person's pause, both talk
 * (their fake microphones play the click track), Alice hangs up. Everything is timed inside the
 * pages by pageProbe.ts; see bench/p2p.ts for what each figure means.
 */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchParticipant } from './benchParticipant.js';
import { cpuSnapshot, otherCores } from './cpuShare.js';
import { mouthToEar } from './mouthToEar.js';
import { inboundAudio, takeMarks, waitForMark, type ProbeMark, type ProbeOptions } from './pageProbe.js';

/** The callee answers this long after the ring appears, as a person would (ms). */
export const ACCEPT_DELAY_MS = 1000;
/** Clicks heard earlier than this after a side's first audio are left out (jitter buffer settling), ms. */
export const SETTLE_MS = 1000;
/** A heard click is paired with the latest click its sender captured within this window (ms); clicks are 1 s apart. */
export const PAIR_WINDOW_MS = 500;
/** Longest wait for one step of a call (a mark, a panel closing), ms. */
export const STEP_TIMEOUT_MS = 15_000;

/** Microphone processing off: noise suppression would eat the steady tone, AGC and AEC would reshape the clicks. */
export const RAW_MIC = { noiseSuppression: false, autoGainControl: false, echoCancellation: false };

/** Thresholds for the click track (clickTrack.ts): bed tone peak 0.05, clicks peak 0.8. */
export const PROBE: ProbeOptions = {
  // Between silence and the bed tone (peak 0.05).
  onsetThreshold: 0.02,
  // Between the bed tone and the click (peak 0.8).
  clickThreshold: 0.3,
  clickQuietMs: 300,
};

/**
 * Sub-steps of a call, ms. `ring_*` from the Call click: the caller's microphone is open, the
 * call.place request leaves, call.incoming reaches the callee, the ring dialog is in the DOM, the
 * next animation frame. `accept_*` from the Accept click: the callee's microphone is open, the
 * call.accept response arrives, the callee's answer is set, ICE connected and connected (ICE +
 * DTLS) on both sides (the later), the first audio heard by the callee and by the caller.
 */
export const STEP_KEYS = [
  'ring_mic_ms',
  'ring_place_sent_ms',
  'ring_incoming_ms',
  'ring_dialog_ms',
  'ring_frame_ms',
  'accept_mic_ms',
  'accept_response_ms',
  'accept_answer_ms',
  'accept_ice_ms',
  'accept_connected_ms',
  'accept_callee_hears_ms',
  'accept_caller_hears_ms',
] as const;
export type StepKey = (typeof STEP_KEYS)[number];

/** One measured call, all times in ms. */
export interface CallSample {
  ringMs: number;
  acceptToAudioMs: number;
  /** Mouth-to-ear samples, both directions. */
  mouthToEarMs: number[];
  steps: Record<StepKey, number>;
  /** Per receiving side: mean jitter-buffer delay of the samples played during the talk, and NetEq's mean target. */
  jitterBufferMs: number[];
  jitterTargetMs: number[];
  /** 1-minute load average when the call ended. */
  loadAvg1m: number;
  /** Cores' worth of CPU used by processes outside the benchmark during the call (see cpuShare.ts). */
  otherCores: number;
}

/** Time of the first mark named `name` (and with `detail`, if given) at or after `after`. */
export function firstMark(marks: ProbeMark[], name: string, opts: { after?: number; detail?: string } = {}): number {
  const found = marks.find((m) => m.name === name && m.t >= (opts.after ?? -Infinity) && (opts.detail === undefined || m.detail === opts.detail));
  if (!found) throw new Error(`no "${name}${opts.detail ? ` ${opts.detail}` : ''}" mark`);
  return found.t;
}

/** Place, ring, answer, talk and hang up one Alice → Bob call; measure it from in-page marks. */
export async function measuredCall(
  alice: BenchParticipant,
  bob: BenchParticipant,
  opts: {
    /** How long the call stays up after audio flows both ways, collecting clicks (ms). */ talkMs: number;
    debug?: boolean;
    /** Called when audio flows both ways, before the talk, and when the talk ends, before the hang-up (e.g. to read getStats). */
    onTalkStart?: () => Promise<void>;
    onTalkEnd?: () => Promise<void>;
  },
): Promise<CallSample> {
  await takeMarks(alice.page);
  await takeMarks(bob.page);
  const cpuBefore = cpuSnapshot();
  await alice.page.getByRole('button', { name: 'Call', exact: true }).click();
  await waitForMark(bob.page, 'ring-dialog', STEP_TIMEOUT_MS);
  await sleep(ACCEPT_DELAY_MS);
  await bob.page.getByRole('alertdialog', { name: `Incoming call from ${alice.name}` }).getByRole('button', { name: 'Accept' }).click();
  await waitForMark(bob.page, 'onset:remote', STEP_TIMEOUT_MS);
  await waitForMark(alice.page, 'onset:remote', STEP_TIMEOUT_MS);
  const jitterBefore = [await inboundAudio(alice.page), await inboundAudio(bob.page)];
  await opts.onTalkStart?.();
  await sleep(opts.talkMs);
  const jitterAfter = [await inboundAudio(alice.page), await inboundAudio(bob.page)];
  const cpuAfter = cpuSnapshot();
  const a = await takeMarks(alice.page);
  const b = await takeMarks(bob.page);
  await opts.onTalkEnd?.();
  await hangUp(alice, bob);
  if (opts.debug) printTimeline(a, b);

  const call = firstMark(a, 'click', { detail: 'Call' });
  const ring = firstMark(b, 'ring-dialog', { after: call });
  const accept = firstMark(b, 'click', { detail: 'Accept', after: ring });
  const bobHears = firstMark(b, 'onset:remote', { after: accept });
  const aliceHears = firstMark(a, 'onset:remote', { after: accept });
  const steps: Record<StepKey, number> = {
    ring_mic_ms: firstMark(a, 'gum-end', { after: call }) - call,
    ring_place_sent_ms: firstMark(a, 'ws-out:call.place', { after: call }) - call,
    ring_incoming_ms: firstMark(b, 'ws-in:call.incoming', { after: call }) - call,
    ring_dialog_ms: ring - call,
    ring_frame_ms: firstMark(b, 'ring-frame', { after: ring }) - call,
    accept_mic_ms: firstMark(b, 'gum-end', { after: accept }) - accept,
    accept_response_ms: firstMark(b, 'ws-res:call.accept', { after: accept }) - accept,
    accept_answer_ms: firstMark(b, 'signaling-stable', { after: accept }) - accept,
    accept_ice_ms: Math.max(firstMark(a, 'ice-connected', { after: accept }), firstMark(b, 'ice-connected', { after: accept })) - accept,
    accept_connected_ms: Math.max(firstMark(a, 'pc-connected', { after: accept }), firstMark(b, 'pc-connected', { after: accept })) - accept,
    accept_callee_hears_ms: bobHears - accept,
    accept_caller_hears_ms: aliceHears - accept,
  };
  // Mean time a sample spent in each receiver's jitter buffer during the talk, and NetEq's target.
  const jitterBufferMs: number[] = [];
  const jitterTargetMs: number[] = [];
  for (const [i, before] of jitterBefore.entries()) {
    const after = jitterAfter[i];
    if (!before || !after) continue;
    const emitted = after.jitterBufferEmittedCount - before.jitterBufferEmittedCount;
    if (emitted <= 0) continue;
    jitterBufferMs.push(((after.jitterBufferDelay - before.jitterBufferDelay) / emitted) * 1000);
    jitterTargetMs.push(((after.jitterBufferTargetDelay - before.jitterBufferTargetDelay) / emitted) * 1000);
  }
  return {
    ringMs: ring - call,
    acceptToAudioMs: Math.max(bobHears, aliceHears) - accept,
    mouthToEarMs: [...mouthToEar(a, b, { from: bobHears + SETTLE_MS, windowMs: PAIR_WINDOW_MS }), ...mouthToEar(b, a, { from: aliceHears + SETTLE_MS, windowMs: PAIR_WINDOW_MS })],
    steps,
    jitterBufferMs,
    jitterTargetMs,
    loadAvg1m: os.loadavg()[0]!,
    otherCores: otherCores(cpuBefore, cpuAfter),
  };
}

/** Every mark of both pages, ms from the Call click (for BENCH_*_DEBUG). */
export function printTimeline(a: ProbeMark[], b: ProbeMark[]): void {
  const call = a.find((m) => m.name === 'click' && m.detail === 'Call')?.t ?? 0;
  const rows = [...a.map((m) => ({ ...m, who: 'caller' })), ...b.map((m) => ({ ...m, who: 'callee' }))]
    .filter((m) => !m.name.startsWith('click:'))
    .sort((x, y) => x.t - y.t);
  for (const m of rows) console.log(`    ${(m.t - call).toFixed(1).padStart(8)}  ${m.who}  ${m.name}${m.detail ? `  ${m.detail}` : ''}`);
}

/** The caller hangs up; wait until both sides are back out of the call. */
export async function hangUp(caller: BenchParticipant, callee: BenchParticipant): Promise<void> {
  const callerPanel = caller.page.getByRole('region', { name: `Call with ${callee.name}` });
  await callerPanel.getByRole('button', { name: 'Hang up' }).click();
  await callerPanel.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
  await callee.page.getByRole('region', { name: `Call with ${caller.name}` }).waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
}

/** After a failed call: end whatever is left on either side so the next call can start. */
export async function recover(people: BenchParticipant[]): Promise<void> {
  for (const p of people) {
    for (const name of ['Hang up', 'Decline']) {
      const button = p.page.getByRole('button', { name, exact: true });
      if (await button.isVisible().catch(() => false)) await button.click({ timeout: 2000 }).catch(() => undefined);
    }
  }
  await sleep(1000);
  for (const p of people) await takeMarks(p.page).catch(() => []);
}

