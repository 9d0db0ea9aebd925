/**
 * The Node side of the reference call (referencePage.ts): serve the page, open it in two
 * headless Chromiums with fake microphones and the benchmark probe, carry the signals between
 * them by hand, and run one measured call the way bench/lib/p2pCall.ts runs Earshot's.
 */
import type { Browser, Page } from '@playwright/test';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyOpusSettings, DEFAULT_OPUS, rewriteOpusSections } from '../../renderer/call/opusSdp.js';
import { launchChromium } from '../../tests/helpers/chromium.js';
import { cpuSnapshot, otherCores } from '../lib/cpuShare.js';
import { mouthToEar } from '../lib/mouthToEar.js';
import { ACCEPT_DELAY_MS, firstMark, PAIR_WINDOW_MS, SETTLE_MS, STEP_TIMEOUT_MS } from '../lib/p2pCall.js';
import { inboundAudio, installPageProbe, probeReady, takeMarks, waitForMark, type ProbeMark, type ProbeOptions } from '../lib/pageProbe.js';
import { REFERENCE_HTML, referencePageInPage, type ReferenceApi, type ReferencePageOptions, type ReferenceSignal } from './referencePage.js';

/** One side of the reference call: its own browser (and fake microphone) and page. */
export interface ReferencePeer {
  name: string;
  browser: Browser;
  page: Page;
}

/** Serve REFERENCE_HTML at http://127.0.0.1:<port>/ (a secure context, so getUserMedia works). */
export async function serveReferencePage(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(REFERENCE_HTML);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/**
 * Two reference pages in two headless Chromiums whose microphones play `wav`, each with the
 * benchmark probe installed before the page (as openBenchParticipant does for the app) and a
 * binding that hands every signal to the other page. `audio`: the getUserMedia constraints.
 */
export async function openReferencePair(url: string, wav: string, probe: ProbeOptions, audio: MediaTrackConstraints): Promise<[ReferencePeer, ReferencePeer]> {
  const options: ReferencePageOptions = { audio, opus: DEFAULT_OPUS };
  // tsx (esbuild keepNames) wraps named functions in __name(…): a pass-through for the page, as in pageProbe.ts.
  // applyOpusSettings runs in the page as source text: the module constant and function it uses go with it.
  const content = [
    'globalThis.__name ??= (target) => target;',
    `const DEFAULT_OPUS = ${JSON.stringify(DEFAULT_OPUS)};`,
    rewriteOpusSections.toString(),
    `(${referencePageInPage.toString()})(${JSON.stringify(options)}, ${applyOpusSettings.toString()});`,
  ].join('\n');
  const peers: ReferencePeer[] = [];
  for (const name of ['Caller', 'Callee']) {
    const browser = await launchChromium(wav);
    const page = await browser.newPage();
    peers.push({ name, browser, page });
  }
  for (const [i, peer] of peers.entries()) {
    const other = peers[1 - i]!;
    await installPageProbe(peer.page, probe);
    await peer.page.addInitScript({ content });
    // The signaling "server": a Playwright binding out of one page, an evaluate into the other.
    await peer.page.exposeBinding('__refSend', async (_source, signal: ReferenceSignal) => {
      await other.page.evaluate((s) => (window as unknown as { __ref: ReferenceApi }).__ref.receive(s), signal);
    });
    await peer.page.goto(url);
    await probeReady(peer.page);
  }
  return [peers[0]!, peers[1]!];
}

/** Sub-steps of a reference call from the Accept click, ms: as p2p's `accept_*` (see bench/lib/p2pCall.ts), without call.accept. */
export const REFERENCE_STEP_KEYS = ['mic_ms', 'answer_ms', 'ice_ms', 'connected_ms', 'callee_hears_ms', 'caller_hears_ms'] as const;
export type ReferenceStepKey = (typeof REFERENCE_STEP_KEYS)[number];

/** One measured reference call, ms. */
export interface ReferenceCallSample {
  /** Accept click → the later of the two sides' first decoded remote audio. */
  setupMs: number;
  /** Mouth-to-ear samples, both directions. */
  mouthToEarMs: number[];
  steps: Record<ReferenceStepKey, number>;
  /** Per receiving side: mean jitter-buffer delay of the samples played during the talk. */
  jitterBufferMs: number[];
  /** Cores' worth of CPU used by processes outside the benchmark during the call. */
  otherCores: number;
}

/** Both pages drop the call (nothing to wait for: no server, no UI). */
export async function hangUpReference(peers: ReferencePeer[]): Promise<void> {
  for (const p of peers) await p.page.evaluate(() => (window as unknown as { __ref: ReferenceApi }).__ref.hangUp());
}

/** Errors the reference pages caught (failed signal, playback refused). */
export async function referenceErrors(peers: ReferencePeer[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of peers) out.push(...(await p.page.evaluate(() => (window as unknown as { __ref: ReferenceApi }).__ref.errors.splice(0))).map((e) => `${p.name}: ${e}`));
  return out;
}

function printTimeline(a: ProbeMark[], b: ProbeMark[], accept: number): void {
  const rows = [...a.map((m) => ({ ...m, who: 'caller' })), ...b.map((m) => ({ ...m, who: 'callee' }))].filter((m) => !m.name.startsWith('click:')).sort((x, y) => x.t - y.t);
  for (const m of rows) console.log(`    ${(m.t - accept).toFixed(1).padStart(8)}  ${m.who}  ${m.name}${m.detail ? `  ${m.detail}` : ''}`);
}

/**
 * One reference call, shaped like p2pCall.ts `measuredCall`: the caller opens its microphone and
 * sends its offer (the "ring"), the callee's Accept is clicked ACCEPT_DELAY_MS later, both
 * talk `talkMs` once audio flows both ways, both hang up. Timed from the pages' probe marks.
 */
export async function referenceCall(caller: ReferencePeer, callee: ReferencePeer, opts: { talkMs: number; debug?: boolean }): Promise<ReferenceCallSample> {
  await takeMarks(caller.page);
  await takeMarks(callee.page);
  const cpuBefore = cpuSnapshot();
  await caller.page.evaluate(() => (window as unknown as { __ref: ReferenceApi }).__ref.call());
  await sleep(ACCEPT_DELAY_MS);
  await callee.page.getByRole('button', { name: 'Accept', exact: true }).click();
  await waitForMark(callee.page, 'onset:remote', STEP_TIMEOUT_MS);
  await waitForMark(caller.page, 'onset:remote', STEP_TIMEOUT_MS);
  const jitterBefore = [await inboundAudio(caller.page), await inboundAudio(callee.page)];
  await sleep(opts.talkMs);
  const jitterAfter = [await inboundAudio(caller.page), await inboundAudio(callee.page)];
  const cpuAfter = cpuSnapshot();
  const a = await takeMarks(caller.page);
  const b = await takeMarks(callee.page);
  await hangUpReference([caller, callee]);

  const accept = firstMark(b, 'click', { detail: 'Accept' });
  if (opts.debug) printTimeline(a, b, accept);
  const calleeHears = firstMark(b, 'onset:remote', { after: accept });
  const callerHears = firstMark(a, 'onset:remote', { after: accept });
  const steps: Record<ReferenceStepKey, number> = {
    mic_ms: firstMark(b, 'gum-end', { after: accept }) - accept,
    answer_ms: firstMark(b, 'signaling-stable', { after: accept }) - accept,
    ice_ms: Math.max(firstMark(a, 'ice-connected', { after: accept }), firstMark(b, 'ice-connected', { after: accept })) - accept,
    connected_ms: Math.max(firstMark(a, 'pc-connected', { after: accept }), firstMark(b, 'pc-connected', { after: accept })) - accept,
    callee_hears_ms: calleeHears - accept,
    caller_hears_ms: callerHears - accept,
  };
  const jitterBufferMs: number[] = [];
  for (const [i, before] of jitterBefore.entries()) {
    const after = jitterAfter[i];
    const emitted = before && after ? after.jitterBufferEmittedCount - before.jitterBufferEmittedCount : 0;
    if (before && after && emitted > 0) jitterBufferMs.push(((after.jitterBufferDelay - before.jitterBufferDelay) / emitted) * 1000);
  }
  return {
    setupMs: Math.max(calleeHears, callerHears) - accept,
    mouthToEarMs: [
      ...mouthToEar(a, b, { from: calleeHears + SETTLE_MS, windowMs: PAIR_WINDOW_MS }),
      ...mouthToEar(b, a, { from: callerHears + SETTLE_MS, windowMs: PAIR_WINDOW_MS }),
    ],
    steps,
    jitterBufferMs,
    otherCores: otherCores(cpuBefore, cpuAfter),
  };
}
