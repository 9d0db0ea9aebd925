import { expect, test, type Browser, type Page } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BotFarm } from '../../../bench/lib/BotFarm.js';
import { machineInfo } from '../../../bench/lib/machineInfo.js';
import { percentile } from '../../../bench/lib/percentile.js';
import { dropsBetween, udpDropsByPort } from '../../../bench/lib/udpDrops.js';
import type { CallRecord } from '../../../common/protocol/index.js';
import { attachOnFailure, createDirect, createGroup, openConversation, openParticipant, type Participant } from '../callPages.js';
import { launchChromium } from '../chromium.js';
import { tonesHeard } from '../groupAudioProbe.js';
import { LOG_LEVEL, loggedAtLeast } from '../serverLog.js';
import { TEST_RTC_PORTS } from '../testServer.js';
import { startTestServerProcess, type TestServerProcess } from '../testServerProcess.js';
import { makeTone } from '../tones.js';
import { register, TestClient } from '../wsClient.js';
import { ChatLoad } from './ChatLoad.js';
import { ContinuityMonitor } from './ContinuityMonitor.js';
import { joinAndLeave, participantsOf } from './groupChurn.js';
import { oneOnOneCall, recoverCallPages, type CallResult } from './oneOnOneCall.js';
import { ResourceSampler } from './ResourceSampler.js';
import { saveSoakReport, soakTable, type GrowthBounds, type SoakReport } from './soakReport.js';

export interface SoakOptions {
  /** 'short' (in `npm test`) or 'long' (`npm run test:long`). */
  form: 'short' | 'long';
  /** Length of the mixed load, s. */
  durationS: number;
  /** Samples before this (s into the load) are warm-up; growth is measured from the first one after it. */
  warmupS: number;
  /** Memory and handles are sampled this often, s. */
  sampleEveryS: number;
  /** The group call's audio is sampled this often, s. */
  continuityEveryS: number;
  /** A 1-on-1 call starts this often, s (the next waits for the previous to end). */
  callEveryS: number;
  /** An extra participant joins and leaves the group call this often, s. */
  churnEveryS: number;
  /** Where the JSON report goes, relative to the repository's root. */
  reportFile: string;
  /** Print a progress line this often, s (0: never). */
  progressEveryS: number;
}

/**
 * Growth allowed after the warm-up, the same for the short and the long form. Measured on a busy
 * 2-core machine over 5 minutes: the server's RSS wandered by ±3 MiB around 100 MiB as V8 and
 * malloc settled (slope −0.9 MiB/10 min), its heap after a full GC grew 0.3 MiB, the worker's RSS
 * and both processes' descriptors not at all. Leaks that matter break them over 30 minutes: 1 KiB
 * kept per chat message is 12 MiB of heap; a socket, transport or consumer kept per group join
 * (every 30 s) is 60 descriptors, and its memory shows in the worker's RSS and the slope. The
 * short form only catches gross leaks; slow growth is the long form's to find.
 */
export const SOAK_GROWTH_BOUNDS: GrowthBounds = {
  serverRssGrowthMb: 32,
  serverRssSlopeMbPer10Min: 20,
  slopeMinWindowS: 240,
  serverHeapGrowthMb: 8,
  workerRssGrowthMb: 24,
  fdGrowth: 4,
};

const CAROL_HZ = 440;
const DAVE_HZ = 1000;
/** Plain-RTP bots in the group call (bench/lib/PlainRtpBot.ts), each sending its own tone. */
const BOT_HZ = [1700, 2300, 2900];
/** Chat users on plain ws clients, in groups of four plus one direct conversation each. */
const CHAT_CLIENTS = 16;
/** All chat users together send one message every this many ms (8 messages/s). */
const CHAT_SEND_EVERY_MS = 125;
/** Raw microphone: steady tones are what noise suppression, gain control and echo cancellation act on. */
const RAW_MIC = { noiseSuppression: false, autoGainControl: false, echoCancellation: false };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Run `body` every `everyS` seconds from `startMs` until `endMs` (Date.now() values), never two at
 * once: a run that overshoots its slot makes the next start at the following slot.
 */
async function every(everyS: number, startMs: number, endMs: number, body: (atS: number) => Promise<void>): Promise<void> {
  for (let next = startMs; next <= endMs; ) {
    await sleep(next - Date.now());
    await body((Date.now() - startMs) / 1000);
    do next += everyS * 1000;
    while (next < Date.now());
  }
}

/**
 * The soak, shared by the short form (tests/e2e/soak.spec.ts, in `npm test`) and the long form
 * (tests/long/soak.long.spec.ts, `npm run test:long`): for `durationS` the same server (in a child
 * process, with the SFU) carries at once
 * - a chat load: 16 ws clients sending 8 messages/s over 4 group and 8 direct conversations;
 * - a 1-on-1 call every `callEveryS` between two Chromium pages (Alice, Bob): ring, accept, each
 *   hears the other's tone, Opus flows, hang up;
 * - one group call kept up throughout: two Chromium pages (Carol, Dave) and three plain-RTP bots,
 *   each sending its own tone; every `continuityEveryS` both pages must hear all four others;
 *   every `churnEveryS` a sixth participant (a bot) joins, receives everyone and leaves again.
 * Alice and Carol share a browser (its microphone plays 440 Hz), as do Bob and Dave (1000 Hz).
 * Meanwhile the server's RSS, heap after GC and descriptors, and the worker's RSS and
 * descriptors, are sampled every `sampleEveryS`. Then: no errors anywhere, every acknowledged
 * message delivered and stored, every call in the history, the group call's audio present in
 * every sample, growth after the warm-up within SOAK_GROWTH_BOUNDS. The figures are printed as
 * a table and saved to `reportFile`.
 */
export function soakSpec(o: SoakOptions): void {
  let server: TestServerProcess | undefined;
  const browsers: Browser[] = [];
  const people: Participant[] = [];
  let farm: BotFarm | undefined;
  let chat: ChatLoad | undefined;

  // eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
  test.afterEach(async ({}, testInfo) => {
    await attachOnFailure(testInfo, server, people);
    await chat?.close().catch(() => undefined);
    await farm?.close();
    people.splice(0);
    for (const b of browsers.splice(0)) await b.close();
    await server?.stop();
    chat = farm = server = undefined;
  });

  const minutes = o.durationS / 60;
  // eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
  test(`soak (${minutes < 2 ? `${o.durationS} s` : `${minutes} min`}): chat, repeated 1-on-1 calls and a group call at once — no errors, nothing lost, audio throughout, flat memory and handles`, async ({}, testInfo) => {
    // Set-up and the checks at the end take about a minute on a busy 2-core machine.
    test.setTimeout((o.durationS + 300) * 1000);
    const testStart = Date.now();
    const log = (line: string) => console.log(`[soak +${((Date.now() - testStart) / 1000).toFixed(0)} s] ${line}`);
    const srv = await startTestServerProcess({
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'earshot-soak-')),
      sfu: true,
      config: { logLevel: 'info', sfuPlainRtp: true },
    });
    server = srv;
    log(`server pid ${srv.pid}, log ${srv.logFile}`);

    // Two browsers, one tone each; two people in each.
    const pages: PageWatch = { errors: [], lines: [], warnings: 0 };
    const clientErrors = pages.errors;
    const browserA = await launchChromium(await makeTone(CAROL_HZ, 30));
    browsers.push(browserA);
    const browserB = await launchChromium(await makeTone(DAVE_HZ, 30));
    browsers.push(browserB);
    const open = async (username: string, name: string, toneHz: number, browser: Browser) => {
      const p = await openParticipant(srv, username, name, toneHz, { settings: RAW_MIC, launch: () => Promise.resolve(browser) });
      watchPage(p.page, name, pages, testStart);
      people.push(p);
      return p;
    };
    const alice = await open('alice', 'Alice', CAROL_HZ, browserA);
    const bob = await open('bob', 'Bob', DAVE_HZ, browserB);
    const carol = await open('carol', 'Carol', CAROL_HZ, browserA);
    const dave = await open('dave', 'Dave', DAVE_HZ, browserB);

    // The 1-on-1 pair.
    log('browsers open');
    const directId = await createDirect(srv, alice, bob);
    await openConversation(alice.page, 'Bob');

    // The group call: Carol starts it, Dave joins, then the bots.
    const botSessions = [];
    for (let i = 0; i < BOT_HZ.length; i++) botSessions.push(await register(srv.url, `bot${i}`, `Bot ${i}`));
    const churnSession = await register(srv.url, 'churn', 'Churn');
    const groupId = await createGroup(srv, carol, [dave, ...[...botSessions, churnSession].map((session) => ({ session }))], 'Soak call');
    for (const p of [carol, dave]) await openConversation(p.page, 'Soak call');
    const panel = (page: Page) => page.getByRole('region', { name: 'Voice call' });
    await carol.page.getByRole('button', { name: 'Start voice call' }).click();
    await expect(panel(carol.page).getByRole('status')).toHaveText('Connected', { timeout: 30_000 });
    await dave.page.getByRole('main').getByRole('button', { name: 'Join call' }).click();
    await expect(panel(dave.page).getByRole('status')).toHaveText('Connected', { timeout: 30_000 });
    farm = await BotFarm.start();
    const joined = await farm.join(srv.wsUrl, botSessions.map((session, i) => ({ session, conversationId: groupId, toneHz: BOT_HZ[i]!, listen: true })));
    expect(joined.filter((j) => !j.ok)).toEqual([]);
    const inCall = 2 + BOT_HZ.length;
    for (const p of [carol, dave]) await expect(participantsOf(p.page)).toHaveCount(inCall, { timeout: 30_000 });
    // Each listener must hear every other participant's tone (never its own).
    const listeners = [
      { p: carol, expected: [DAVE_HZ, ...BOT_HZ] },
      { p: dave, expected: [CAROL_HZ, ...BOT_HZ] },
    ];
    const monitors: ContinuityMonitor[] = [];
    for (const { p, expected } of listeners) {
      await expect.poll(() => tonesHeard(p.page, expected), { message: `${p.name} hears ${expected.join(' + ')}`, timeout: 60_000 }).toEqual(expected);
      const monitor = new ContinuityMonitor(p.name, p.page, expected, o.continuityEveryS);
      await monitor.baseline();
      monitors.push(monitor);
    }

    log('group call up; creating the chat users');
    chat = await ChatLoad.create({ url: srv.url, wsUrl: srv.wsUrl, clients: CHAT_CLIENTS, sendEveryMs: CHAT_SEND_EVERY_MS });
    const sampler = new ResourceSampler(srv);
    const callResults: CallResult[] = [];
    const callErrors: string[] = [];
    let callsMade = 0;
    const churnErrors: string[] = [];
    let churnsMade = 0;
    let churnsDone = 0;
    const otherErrors: string[] = [];
    const continuityProblems: string[] = [];
    // Sampling and churn take turns: a sample never sees the extra participant's sockets half made or half closed.
    let turn: Promise<unknown> = Promise.resolve();
    const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
      const run = turn.then(fn, fn);
      turn = run.catch(() => undefined);
      return run;
    };

    // The mixed load.
    log(`load for ${o.durationS} s (from +${((Date.now() - testStart) / 1000).toFixed(1)} s): ${CHAT_CLIENTS} chat clients, a 1-on-1 call every ${o.callEveryS} s, a group call of ${inCall} joined and left by one more every ${o.churnEveryS} s`);
    const dropsBefore = udpDropsByPort();
    const startMs = Date.now();
    const endMs = startMs + o.durationS * 1000;
    chat.start();
    let lastProgress = -Infinity;
    const loops = [
      every(o.sampleEveryS, startMs, endMs, async (atS) => {
        try {
          const s = await exclusive(() => sampler.sample(atS));
          if (o.progressEveryS > 0 && atS - lastProgress >= o.progressEveryS) {
            lastProgress = atS;
            log(
              `${atS.toFixed(0)} s: ${chat!.ackedCount} messages acked, calls ${callResults.length}/${callsMade}, group joins ${churnsDone}/${churnsMade}, ` +
                `server RSS ${s.serverRssMb} MiB heap ${s.serverHeapMb} MiB fds ${s.serverFds}, worker RSS ${s.workerRssMb} MiB fds ${s.workerFds}` +
                (continuityProblems.length ? `, ${continuityProblems.length} continuity problems` : ''),
            );
          }
        } catch (error) {
          otherErrors.push(`resource sample at ${atS.toFixed(0)} s: ${error instanceof Error ? error.message : String(error)}`);
        }
      }),
      every(o.continuityEveryS, startMs, endMs, async (atS) => {
        const problems = await Promise.all(monitors.map((m) => m.sample(atS)));
        for (const p of problems) if (p) continuityProblems.push(`${atS.toFixed(0)} s: ${p}`);
      }),
      every(o.callEveryS, startMs, endMs, async (atS) => {
        callsMade++;
        try {
          callResults.push(await oneOnOneCall(alice, bob));
        } catch (error) {
          callErrors.push(`call ${callsMade} at ${atS.toFixed(0)} s: ${error instanceof Error ? error.message : String(error)}`);
          await recoverCallPages(alice, bob).catch((e: unknown) => otherErrors.push(`recovering from call ${callsMade}: ${e instanceof Error ? e.message : String(e)}`));
        }
      }),
      every(o.churnEveryS, startMs, endMs, async (atS) => {
        churnsMade++;
        try {
          await exclusive(() =>
            joinAndLeave({ wsUrl: srv.wsUrl, session: churnSession, conversationId: groupId, others: inCall, pages: [carol.page, dave.page] }),
          );
          churnsDone++;
        } catch (error) {
          churnErrors.push(`group join ${churnsMade} at ${atS.toFixed(0)} s: ${error instanceof Error ? error.message : String(error)}`);
        }
      }),
    ];
    await Promise.all(loops);
    await chat.stop();
    const durationS = Math.round((Date.now() - startMs) / 100) / 10;
    const drops = dropsBetween(dropsBefore, udpDropsByPort(), (port) => port >= TEST_RTC_PORTS.min && port <= TEST_RTC_PORTS.max);
    log(`load done after ${durationS} s; checking`);

    const chatReport = await chat.verify();
    const historyRecords = (await callHistory(srv.wsUrl, alice.session.token)).filter((c) => c.conversationId === directId);
    const bots = await farm.receiveStats();

    // Negative control for the continuity check: a bot falls silent, and Carol's next samples say so.
    await farm.setTones([null, ...BOT_HZ.slice(1)]);
    const control = new ContinuityMonitor('Carol (control: bot 0 silent)', carol.page, [DAVE_HZ, ...BOT_HZ], o.continuityEveryS);
    await expect.poll(async () => (await control.sample()) ?? 'heard everything', { timeout: 20_000 }).toContain(`${BOT_HZ[0]} Hz missing`);

    if (srv.exited()) otherErrors.push(`server exited: ${JSON.stringify(srv.exited())}\n${srv.output()}`);
    if (historyRecords.length !== callsMade) otherErrors.push(`call history has ${historyRecords.length} calls of Alice and Bob, ${callsMade} were made`);
    const serverErrors = loggedAtLeast(srv.logFile, LOG_LEVEL.error);
    const serverWarnings = loggedAtLeast(srv.logFile, LOG_LEVEL.warn).length - serverErrors.length;
    const connectMs = callResults.map((c) => c.connectMs);
    const report: SoakReport = {
      name: 'soak',
      form: o.form,
      date: new Date().toISOString(),
      machine: await machineInfo(),
      plan: {
        durationS: o.durationS,
        warmupS: o.warmupS,
        sampleEveryS: o.sampleEveryS,
        continuityEveryS: o.continuityEveryS,
        callEveryS: o.callEveryS,
        churnEveryS: o.churnEveryS,
        chatClients: CHAT_CLIENTS,
        chatMessagesPerSecond: 1000 / CHAT_SEND_EVERY_MS,
        groupCall: `Carol, Dave (Chromium) + ${BOT_HZ.length} plain-RTP bots; one more bot joins and leaves every ${o.churnEveryS} s`,
      },
      durationS,
      errors: {
        total: serverErrors.length + clientErrors.length + chatReport.errors.length + callErrors.length + churnErrors.length + otherErrors.length,
        server: serverErrors,
        client: clientErrors,
        chat: chatReport.errors,
        calls: callErrors,
        groupJoins: churnErrors,
        other: otherErrors,
      },
      serverWarnings,
      clientWarnings: pages.warnings,
      chat: chatReport,
      calls: {
        made: callsMade,
        succeeded: callResults.length,
        historyRecords: historyRecords.length,
        connectMsP50: connectMs.length ? percentile(connectMs, 50) : null,
        connectMsMax: connectMs.length ? Math.max(...connectMs) : null,
      },
      groupCall: { participants: inCall, joinsAndLeaves: { made: churnsMade, succeeded: churnsDone }, continuity: monitors.map((m) => m.report()), bots, udpDrops: { sfuPorts: drops.group, otherPorts: drops.rest } },
      resources: {
        warmupS: o.warmupS,
        bounds: SOAK_GROWTH_BOUNDS,
        serverRssMb: sampler.growth('serverRssMb', o.warmupS),
        serverHeapMb: sampler.growth('serverHeapMb', o.warmupS),
        serverFds: sampler.growth('serverFds', o.warmupS),
        workerRssMb: sampler.growth('workerRssMb', o.warmupS),
        workerFds: sampler.growth('workerFds', o.warmupS),
        samples: sampler.samples,
      },
    };
    const reportFile = path.resolve(import.meta.dirname, '../../..', o.reportFile);
    saveSoakReport(reportFile, report);
    log('checks done');
    const table = soakTable(report);
    console.log(`${table}\n(saved to ${o.reportFile})`);
    if (continuityProblems.length) console.log(`continuity problems:\n${continuityProblems.join('\n')}`);
    await testInfo.attach('soak.md', { body: table, contentType: 'text/markdown' });
    await testInfo.attach('soak.json', { path: reportFile, contentType: 'application/json' });
    await testInfo.attach('console.txt', { body: pages.lines.join('\n'), contentType: 'text/plain' });

    // Soft: every check is reported, not only the first that fails.
    expect.soft(report.errors, 'errors of every kind').toEqual({ total: 0, server: [], client: [], chat: [], calls: [], groupJoins: [], other: [] });
    expect.soft(chatReport.acked, 'messages acknowledged').toBe(chatReport.sent);
    expect.soft(chatReport.delivered, 'deliveries to the other members').toBe(chatReport.deliveriesExpected);
    expect.soft([chatReport.missingFromStore, chatReport.unexpectedInStore], 'acked messages missing from / unexpected in the store').toEqual([0, 0]);
    expect.soft(chatReport.acked, 'some chat load ran').toBeGreaterThan(0);
    expect.soft(callsMade, 'at least two 1-on-1 calls').toBeGreaterThanOrEqual(2);
    expect.soft(callResults.length, '1-on-1 calls that succeeded').toBe(callsMade);
    expect.soft(churnsMade, 'at least two joins and leaves of the group call').toBeGreaterThanOrEqual(2);
    expect.soft(churnsDone, 'joins and leaves of the group call that succeeded').toBe(churnsMade);
    for (const c of report.groupCall.continuity) {
      expect.soft(c.samples, `${c.listener}: continuity samples`).toBeGreaterThanOrEqual(3);
      expect.soft(c.good, `${c.listener}: samples with every tone and new packets`).toBe(c.samples);
    }
    const res = report.resources;
    const b = SOAK_GROWTH_BOUNDS;
    expect.soft(res.serverRssMb.end - res.serverRssMb.start, `server RSS growth after the warm-up, MiB (bound ${b.serverRssGrowthMb})`).toBeLessThan(b.serverRssGrowthMb);
    const windowS = sampler.samples[sampler.samples.length - 1]!.atS - o.warmupS;
    if (windowS >= b.slopeMinWindowS) {
      expect.soft(res.serverRssMb.slopePer10Min, `server RSS slope after the warm-up, MiB/10 min (bound ${b.serverRssSlopeMbPer10Min})`).toBeLessThan(b.serverRssSlopeMbPer10Min);
    }
    expect.soft(res.serverHeapMb.end - res.serverHeapMb.start, `server heap growth after the warm-up, MiB (bound ${b.serverHeapGrowthMb})`).toBeLessThan(b.serverHeapGrowthMb);
    expect.soft(res.workerRssMb.end - res.workerRssMb.start, `worker RSS growth after the warm-up, MiB (bound ${b.workerRssGrowthMb})`).toBeLessThan(b.workerRssGrowthMb);
    expect.soft(res.serverFds.end - res.serverFds.start, `server fd growth (bound ${b.fdGrowth})`).toBeLessThanOrEqual(b.fdGrowth);
    expect.soft(res.workerFds.end - res.workerFds.start, `worker fd growth (bound ${b.fdGrowth})`).toBeLessThanOrEqual(b.fdGrowth);
  });
}

/** What the pages said: errors (counted as the soak's client errors) and every console line, timed. */
interface PageWatch {
  errors: string[];
  /** `<s since the test began> <name> <type>: <text>` for every console line (saved with the report). */
  lines: string[];
  warnings: number;
}

/** Browser console errors and uncaught exceptions of a page, as they happen, and every console line for the record. */
function watchPage(page: Page, name: string, watch: PageWatch, since: number): void {
  const stamp = () => ((Date.now() - since) / 1000).toFixed(1);
  page.on('console', (m) => {
    watch.lines.push(`${stamp()} ${name} ${m.type()}: ${m.text()}`);
    if (m.type() === 'warning') watch.warnings++;
    if (m.type() !== 'error') return;
    watch.errors.push(`${name} console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => {
    watch.lines.push(`${stamp()} ${name} pageerror: ${e.message}`);
    watch.errors.push(`${name} page error: ${e.message}`);
  });
  page.on('crash', () => watch.errors.push(`${name}: page crashed`));
}

/** The whole call history of a user (newest first), page by page. */
async function callHistory(wsUrl: string, token: string): Promise<CallRecord[]> {
  const client = await TestClient.connect(wsUrl, token);
  try {
    const all: CallRecord[] = [];
    for (;;) {
      const before = all.length > 0 ? all[all.length - 1]!.startedAt : undefined;
      const { calls } = await client.request('call.history', { limit: 100, ...(before !== undefined ? { before } : {}) });
      all.push(...calls);
      if (calls.length < 100) return all;
    }
  } finally {
    client.close();
  }
}
