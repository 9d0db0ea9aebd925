import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatTable } from '../../../bench/lib/formatTable.js';
import type { MachineInfo } from '../../../bench/lib/machineInfo.js';
import type { BotReceiveStats } from '../../../bench/lib/PlainRtpBot.js';
import type { ChatLoadReport } from './ChatLoad.js';
import type { ContinuityReport } from './ContinuityMonitor.js';
import type { Growth, ResourceSample } from './ResourceSampler.js';

/**
 * Bounds for "flat" after the warm-up. They hold for a healthy server with a wide margin and
 * break on a real leak; none of them is a timing.
 */
export interface GrowthBounds {
  /** Server RSS: end − start, MiB. */
  serverRssGrowthMb: number;
  /**
   * Server RSS: least-squares slope over the samples after the warm-up, MiB per 10 min; checked
   * only when those samples span at least `slopeMinWindowS` (over a minute, one step of V8's or
   * malloc's heap reads as a steep slope either way: −208 and +9 MiB/10 min were measured over 35 s).
   */
  serverRssSlopeMbPer10Min: number;
  slopeMinWindowS: number;
  /** Server V8 heap after a full GC: end − start, MiB. */
  serverHeapGrowthMb: number;
  /** mediasoup worker RSS: end − start, MiB. */
  workerRssGrowthMb: number;
  /** File descriptors, server and worker each: end − start. */
  fdGrowth: number;
}

/** Everything one soak run measured, saved as JSON and printed as a table. */
export interface SoakReport {
  name: 'soak';
  /** 'short' in `npm test`, 'long' in `npm run test:long`. */
  form: 'short' | 'long';
  date: string;
  machine: MachineInfo;
  /** The load as planned: length, warm-up, sampling intervals, participants. */
  plan: Record<string, number | string>;
  /** Length of the mixed load as run, s. */
  durationS: number;
  errors: {
    total: number;
    /** Server log lines at level error or fatal. */
    server: string[];
    /** Browser console errors and uncaught page errors. */
    client: string[];
    /** Chat: failed sends, unexpected closes, undelivered or unstored messages. */
    chat: string[];
    /** 1-on-1 calls that failed, with the step. */
    calls: string[];
    /** Joins and leaves of the extra group-call participant that failed, with the step. */
    groupJoins: string[];
    /** Anything else that went wrong (sampling, call history, server exit). */
    other: string[];
  };
  /** Server log lines at level warn (reported, not counted as errors). */
  serverWarnings: number;
  /** Browser console warnings of the four pages (reported, not counted as errors). */
  clientWarnings: number;
  chat: ChatLoadReport;
  calls: { made: number; succeeded: number; historyRecords: number; connectMsP50: number | null; connectMsMax: number | null };
  groupCall: {
    /** Participants kept in the call throughout. */
    participants: number;
    /** The extra participant's joins and leaves. */
    joinsAndLeaves: { made: number; succeeded: number };
    continuity: ContinuityReport[];
    /** What each of the call's bots received from the others (loss by RTP sequence numbers). */
    bots: BotReceiveStats[];
    /**
     * Datagrams the kernel dropped for full receive buffers during the load (/proc/net/udp): at
     * the SFU's ports (TEST_RTC_PORTS; other suites running at the same time use them too) and
     * elsewhere (the bots', the browsers'). Shows who fell behind when the bots lost packets.
     */
    udpDrops: { sfuPorts: number; otherPorts: number };
  };
  resources: {
    warmupS: number;
    bounds: GrowthBounds;
    serverRssMb: Growth;
    serverHeapMb: Growth;
    serverFds: Growth;
    workerRssMb: Growth;
    workerFds: Growth;
    samples: ResourceSample[];
  };
}

const signed = (v: number, digits = 1) => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;

/** The report as a Markdown table of its headline figures (what the README quotes). */
export function soakTable(r: SoakReport): string {
  const { resources: res, chat, calls } = r;
  const mb = (g: Growth) => `${g.start} → ${g.end} MiB (max ${g.max}, slope ${signed(g.slopePer10Min)} MiB/10 min)`;
  const rows: string[][] = [
    ['Duration of the mixed load', `${(r.durationS / 60).toFixed(1)} min (warm-up ${res.warmupS} s)`, ''],
    [
      'Errors (server log ≥ error, client, chat, 1-on-1 calls, group joins, other)',
      `${r.errors.total} (${[r.errors.server, r.errors.client, r.errors.chat, r.errors.calls, r.errors.groupJoins, r.errors.other].map((e) => e.length).join(', ')})`,
      '0',
    ],
    ['Warnings (server log, browser consoles)', `${r.serverWarnings}, ${r.clientWarnings}`, ''],
    ['Messages sent / acked / failed', `${chat.sent} / ${chat.acked} / ${chat.failed}`, 'all acked'],
    ['Deliveries to other members (delivered / expected)', `${chat.delivered} / ${chat.deliveriesExpected}`, 'all'],
    ['Acked messages stored (missing, unexpected)', `${chat.acked - chat.missingFromStore} (${chat.missingFromStore}, ${chat.unexpectedInStore})`, 'all, 0, 0'],
    ['1-on-1 calls made / succeeded (call history)', `${calls.made} / ${calls.succeeded} (${calls.historyRecords})`, 'all'],
    ['1-on-1 call → Connected, p50 / max', calls.connectMsP50 === null ? '–' : `${calls.connectMsP50} / ${calls.connectMsMax} ms`, ''],
    ['Group call: joins and leaves of a 6th participant made / succeeded', `${r.groupCall.joinsAndLeaves.made} / ${r.groupCall.joinsAndLeaves.succeeded}`, 'all'],
    [
      'Group call: packets lost to the bots (of received); UDP drops at the SFU / elsewhere',
      `${r.groupCall.bots.reduce((n, b) => n + b.packetsLost, 0)} (of ${r.groupCall.bots.reduce((n, b) => n + b.packetsReceived, 0)}); ${r.groupCall.udpDrops.sfuPorts} / ${r.groupCall.udpDrops.otherPorts}`,
      '',
    ],
    ...r.groupCall.continuity.map((c) => [
      `Group call continuity, ${c.listener}`,
      `${c.percent} % of ${c.samples} samples (${c.secondReadings} on the second reading); longest gap ${c.longestGapS} s`,
      '100 %',
    ]),
    ['Server RSS', mb(res.serverRssMb), `growth < ${res.bounds.serverRssGrowthMb} MiB; slope < ${res.bounds.serverRssSlopeMbPer10Min} MiB/10 min over ≥ ${res.bounds.slopeMinWindowS / 60} min`],
    ['Server heap after GC', mb(res.serverHeapMb), `growth < ${res.bounds.serverHeapGrowthMb} MiB`],
    ['Server file descriptors', `${res.serverFds.start} → ${res.serverFds.end} (max ${res.serverFds.max})`, `growth ≤ ${res.bounds.fdGrowth}`],
    ['mediasoup worker RSS', mb(res.workerRssMb), `growth < ${res.bounds.workerRssGrowthMb} MiB`],
    ['mediasoup worker file descriptors', `${res.workerFds.start} → ${res.workerFds.end} (max ${res.workerFds.max})`, `growth ≤ ${res.bounds.fdGrowth}`],
  ];
  return formatTable(['Soak figure', 'Value', 'Bound'], rows);
}

/** Write the report as JSON (creating the folder). */
export function saveSoakReport(file: string, report: SoakReport): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
