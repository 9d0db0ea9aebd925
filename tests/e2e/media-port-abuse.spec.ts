import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { formatTable } from '../../bench/lib/formatTable.js';
import { processCpuSeconds } from '../../bench/lib/processCpu.js';
import { callPanelOf, createGroup, finishCallTest, joinGroupCall, openConversation, openParticipant, startGroupCall, type Participant } from '../helpers/callPages.js';
import { chromiumLaunchOptions } from '../helpers/chromium.js';
import { startCoturn, type Coturn } from '../helpers/coturn.js';
import { tonesHeard } from '../helpers/groupAudioProbe.js';
import { DTLS_KINDS, NOISE_KINDS, RTCP_KINDS, RTP_KINDS, STUN_KINDS, TURN_KINDS, type PacketKind } from '../helpers/mediaAbuse/malformedPackets.js';
import { startMediaPortAbuser, type AbusePlan, type AbuseTally, type MediaPortAbuser, type TcpTarget, type UdpTarget } from '../helpers/mediaAbuse/MediaPortAbuser.js';
import { watchSfu, type LiveTransport, type SfuInventory } from '../helpers/mediaAbuse/watchSfu.js';
import { startTestServer, TEST_RTC_PORTS, type TestServer } from '../helpers/testServer.js';
import { allocateOnce, turnRestCredentials } from '../helpers/turnClient.js';
import { register, TestClient } from '../helpers/wsClient.js';

/**
 * Media-port abuse (issue 7, requirement 3): while a group call runs through the SFU — Alice
 * straight to the SFU over UDP, Bob relayed through coturn — a separate process throws garbage
 * and malformed STUN, RTP, RTCP, DTLS and TURN at every port the SFU listens on (the live
 * transports' UDP and ICE-TCP ports, and a sweep of the whole RTC port range) and at coturn
 * (UDP, TCP, TLS, and Bob's relayed addresses), at a bounded rate for a bounded time. The
 * mediasoup worker must not die, coturn must keep running and allocating, both participants
 * must keep hearing each other during and after, and a new participant must be able to join and
 * be heard afterwards.
 *
 * Three kinds of attacker are played (see malformedPackets.ts for what mediasoup does with each):
 * - without credentials, from 16 source ports: all it can reach is mediasoup's STUN parser and
 *   ICE check (everything else from an address that never passed an ICE check is dropped);
 * - holding a live transport's ICE password (what the participant it belongs to has): it passes
 *   an ICE check from a new address without nominating it, so its RTP and RTCP reach SRTP
 *   authentication. It sends no DTLS: mediasoup moves a transport's media to any valid address
 *   DTLS comes from (its "aggressive ICE" allowance), so a credential holder can steer its own
 *   transport — by design, and harmless to anyone else;
 * - Mallory, a member who joins the call over the signaling protocol without a browser: she
 *   nominates her own transports and connects them with a made-up DTLS fingerprint, so her
 *   garbage DTLS records go into the SFU's DTLS (OpenSSL) handshake.
 *
 * Nothing here is timed against a target: the loss and concealment figures are printed.
 */

const ALICE_HZ = 440;
const BOB_HZ = 660;
const CAROL_HZ = 1000;
const ALL_HZ = [ALICE_HZ, BOB_HZ, CAROL_HZ];

/**
 * How long and how hard: 3000 datagrams/s for 12 s (36,000), plus 42 TCP connections of which
 * 19 write 10 kB/s each at most. MEDIA_ABUSE_PPS and MEDIA_ABUSE_SECONDS override the first two
 * (to explore by hand; `npm test` uses the defaults).
 */
const ABUSE_MS = Number(process.env.MEDIA_ABUSE_SECONDS ?? 12) * 1000;
const UDP_PACKETS_PER_SECOND = Number(process.env.MEDIA_ABUSE_PPS ?? 3000);
const TCP_BYTES_PER_SECOND = 10_000;
/** Length of the windows before and after the abuse that the figures are compared with. */
const WINDOW_MS = 6000;

let srv: TestServer | undefined;
let coturn: Coturn | undefined;
let abuser: MediaPortAbuser | undefined;
let inventory: SfuInventory | undefined;
let mallory: TestClient | undefined;
const people: Participant[] = [];

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test.afterEach(async ({}, testInfo) => {
  mallory?.close();
  await abuser?.close();
  await finishCallTest(testInfo, srv, people);
  await coturn?.stop();
  inventory?.stop();
  [srv, coturn, abuser, inventory, mallory] = [undefined, undefined, undefined, undefined, undefined];
});

async function expectHears(p: Participant, expected: number[]): Promise<void> {
  await expect
    .poll(() => tonesHeard(p.page, ALL_HZ), { message: `${p.name} hears ${expected.join(' + ') || 'nothing'}`, timeout: 20_000 })
    .toEqual(expected);
}

/** Incoming Opus streams of a page (every open peer connection), and whether its media goes through a TURN relay. */
interface InboundAudio {
  /** Wall clock of the reading, ms. */
  at: number;
  streams: Record<string, { packets: number; lost: number; concealed: number; samples: number }>;
  /** Audio RTP packets the page has sent (its microphone), to tell a stalled sender from a lossy path. */
  sent: number;
  /** Local candidate types of the selected pairs (e.g. `relay`, `host`). */
  localTypes: string[];
}

async function inboundAudio(page: Page): Promise<InboundAudio> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState !== 'closed');
    const streams: InboundAudio['streams'] = {};
    const localTypes: string[] = [];
    let sent = 0;
    for (const [i, pc] of pcs.entries()) {
      const stats = new Map<string, Record<string, unknown>>();
      (await pc.getStats()).forEach((s: Record<string, unknown>) => stats.set(s.id as string, s));
      for (const s of stats.values()) {
        if (s.type === 'inbound-rtp' && s.kind === 'audio' && stats.get(s.codecId as string)?.mimeType === 'audio/opus') {
          streams[`${i}:${s.id as string}`] = {
            packets: s.packetsReceived as number,
            lost: s.packetsLost as number,
            concealed: s.concealedSamples as number,
            samples: s.totalSamplesReceived as number,
          };
        }
        if (s.type === 'outbound-rtp' && s.kind === 'audio') sent += s.packetsSent as number;
        if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
          const pair = stats.get(s.selectedCandidatePairId);
          const local = pair && stats.get(pair.localCandidateId as string);
          if (local) localTypes.push(local.candidateType as string);
        }
      }
    }
    return { at: Date.now(), streams, sent, localTypes };
  });
}

/** What changed between two readings of a page. */
function windowOf(a: InboundAudio, b: InboundAudio) {
  let packets = 0;
  let lost = 0;
  let concealed = 0;
  let samples = 0;
  let rising = 0;
  for (const [id, s] of Object.entries(b.streams)) {
    const before = a.streams[id] ?? { packets: 0, lost: 0, concealed: 0, samples: 0 };
    packets += s.packets - before.packets;
    lost += s.lost - before.lost;
    concealed += s.concealed - before.concealed;
    samples += s.samples - before.samples;
    if (s.packets > before.packets) rising++;
  }
  const seconds = (b.at - a.at) / 1000;
  return { seconds, streams: Object.keys(b.streams).length, rising, packets, lost, concealedPct: samples > 0 ? (100 * concealed) / samples : 0, sentPerSecond: (b.sent - a.sent) / seconds };
}

const udpPort = (t: LiveTransport): number => t.transport.iceCandidates.find((c) => c.protocol === 'udp')!.port;
const tcpPort = (t: LiveTransport): number => t.transport.iceCandidates.find((c) => c.protocol === 'tcp')!.port;
const identity = (t: LiveTransport) => ({ iceUfrag: t.transport.iceParameters.usernameFragment, ssrcs: [...t.ssrcs], payloadTypes: [...t.payloadTypes] });

/** Kinds a credential holder sends from its valid (not selected) address: nothing whose first byte is in DTLS's range 20–63. */
const VALID_TUPLE_KINDS: PacketKind[] = [...RTP_KINDS.filter((k) => k !== 'rtp-bad-version'), ...RTCP_KINDS, 'stun-wrong-password'];
const SFU_KINDS: PacketKind[] = [...NOISE_KINDS, ...STUN_KINDS, ...RTP_KINDS, ...RTCP_KINDS, ...DTLS_KINDS, 'turn-bogus-request'];

/**
 * The abuse plan: UDP datagrams split by weight (of 120: the call's four transports 40 without
 * credentials + 20 with, Mallory's 10, the port sweep 15, coturn's port 25, Bob's relayed
 * addresses 10), and TCP connections to every ICE-TCP port and to coturn's TCP and TLS ports.
 */
function abusePlan(seed: number, call: LiveTransport[], mine: LiveTransport[], relayPorts: number[], turn: Coturn): AbusePlan {
  const host = '127.0.0.1';
  const toTransport = (t: LiveTransport, group: string, kinds: PacketKind[], weight: number, nominate?: boolean): UdpTarget => ({
    group,
    host,
    ports: [udpPort(t)],
    kinds,
    weight,
    ...identity(t),
    ...(nominate === undefined ? {} : { iceLogin: { password: t.transport.iceParameters.password, nominate } }),
  });
  const udp: UdpTarget[] = [
    ...call.map((t) => toTransport(t, 'SFU call transports, no credentials', SFU_KINDS, 10)),
    ...call.map((t) => toTransport(t, 'SFU call transports, ICE password (valid tuple)', VALID_TUPLE_KINDS, 5, false)),
    ...mine.map((t) => toTransport(t, "SFU Mallory's transports (nominated, DTLS)", SFU_KINDS, 5, true)),
    {
      group: `SFU port sweep ${TEST_RTC_PORTS.min}-${TEST_RTC_PORTS.max}`,
      host,
      ports: Array.from({ length: TEST_RTC_PORTS.max - TEST_RTC_PORTS.min + 1 }, (_, i) => TEST_RTC_PORTS.min + i),
      kinds: [...NOISE_KINDS, ...STUN_KINDS, ...RTP_KINDS, ...RTCP_KINDS, ...DTLS_KINDS],
      weight: 15,
    },
    { group: 'coturn UDP port', host, ports: [turn.port], kinds: [...NOISE_KINDS, ...STUN_KINDS, ...TURN_KINDS, ...RTP_KINDS, ...DTLS_KINDS], weight: 25, turnRealm: turn.realm },
    {
      group: "coturn, Bob's relayed addresses",
      host,
      ports: relayPorts,
      kinds: [...NOISE_KINDS, ...RTP_KINDS, ...RTCP_KINDS, ...DTLS_KINDS, 'stun-wrong-password'],
      weight: 10,
      ssrcs: call.flatMap((t) => [...t.ssrcs]),
      payloadTypes: [...new Set(call.flatMap((t) => [...t.payloadTypes]))],
    },
  ];
  const iceTcp = (t: LiveTransport, group: string, modes: Array<[TcpTarget['mode'], number]>): TcpTarget[] =>
    modes.map(([mode, connections]) => ({ group, host, port: tcpPort(t), mode, connections, kinds: [...STUN_KINDS, ...RTP_KINDS, ...RTCP_KINDS, ...DTLS_KINDS], ...identity(t) }));
  const turnTcp = (group: string, port: number, modes: Array<[TcpTarget['mode'], number, boolean?]>): TcpTarget[] =>
    modes.map(([mode, connections, tls]) => ({ group, host, port, mode, connections, ...(tls ? { tls } : {}), kinds: [...TURN_KINDS, ...STUN_KINDS], turnRealm: turn.realm }));
  const tcp: TcpTarget[] = [
    ...call.flatMap((t) => iceTcp(t, 'SFU ICE-TCP, call transports', [['garbage', 1], ['rfc4571-huge', 1], ['rfc4571-framed', 1], ['hold', 3]])),
    ...mine.flatMap((t) => iceTcp(t, "SFU ICE-TCP, Mallory's transports", [['rfc4571-framed', 1], ['hold', 1]])),
    ...turnTcp('coturn TCP port', turn.port, [['stun-stream', 2], ['stun-huge-length', 1], ['garbage', 1], ['hold', 3]]),
    ...turnTcp('coturn TLS port', turn.tlsPort!, [['stun-stream', 2, true], ['garbage', 1], ['hold', 2], ['hold', 2, true]]),
  ];
  return { seed, durationMs: ABUSE_MS, udpPacketsPerSecond: UDP_PACKETS_PER_SECOND, tcpBytesPerSecondPerConnection: TCP_BYTES_PER_SECOND, udp, tcp };
}

/** The tally as tables: datagrams per kind and target group, replies, ICE logins and TCP connections. */
function printTally(tally: AbuseTally): void {
  const groups = [...new Set(tally.udp.map((r) => r.group))];
  const kinds = [...new Set(tally.udp.map((r) => r.kind))].sort();
  const cell = (group: string, kind: string) => {
    const r = tally.udp.find((x) => x.group === group && x.kind === kind);
    return r ? `${r.sent}${r.errors ? ` (${r.errors} failed)` : ''}` : '';
  };
  const totals = groups.map((g) => String(tally.udp.filter((r) => r.group === g).reduce((a, r) => a + r.sent, 0)));
  console.log(`\nDatagrams sent in ${(tally.elapsedMs / 1000).toFixed(1)} s, by kind (rows) and target (columns):`);
  console.log(formatTable(['kind', ...groups], [...kinds.map((k) => [k, ...groups.map((g) => cell(g, k))]), ['total', ...totals]]));
  console.log('\nReplies received, by the port they came from:');
  console.log(formatTable(['from', 'reply', 'count'], tally.udpReplies.map((r) => [r.group, r.reply, String(r.count)])));
  console.log('\nICE logins (credential holders):');
  console.log(formatTable(['target', 'port', 'passed', 'attempts'], tally.iceLogins.map((l) => [l.group, String(l.port), String(l.passed), String(l.attempts)])));
  console.log('\nTCP connections:');
  console.log(
    formatTable(
      ['target', 'port', 'mode', 'opened', 'failed to open', 'closed by server', 'bytes sent', 'bytes received'],
      tally.tcp.map((t) => [t.group, String(t.port), t.mode, String(t.opened), String(t.failedToOpen), String(t.closedByServer), String(t.bytesSent), String(t.bytesReceived)]),
    ),
  );
}

test('garbage and malformed STUN/RTP/RTCP/DTLS/TURN at the SFU and coturn: the worker lives, the group call keeps its audio, a newcomer still joins', async () => {
  test.setTimeout(240_000);
  const seed = Number(process.env.MEDIA_ABUSE_SEED ?? randomBytes(4).readUInt32BE(0));
  console.log(`media-port abuse seed ${seed} (replay with MEDIA_ABUSE_SEED=${seed})`);
  inventory = watchSfu();
  coturn = await startCoturn({ tls: true });
  srv = await startTestServer({ sfu: true, config: { turnUrls: coturn.urls, turnSecret: coturn.secret } });
  abuser = await startMediaPortAbuser();
  const workerDeaths: number[] = [];
  srv.sfu!.on('workerDied', ({ pid }) => workerDeaths.push(pid));
  const [workerPid] = srv.sfu!.workerPids;
  const worker = inventory.workers.find((w) => w.pid === workerPid)!;
  expect(worker).toBeDefined();

  // coturn allocates with real credentials over UDP, TCP and TLS, and refuses a wrong password:
  // the same check after the abuse can therefore fail either way.
  const creds = turnRestCredentials(coturn.secret, 'probe', 600);
  const turnPorts = { udp: coturn.port, tcp: coturn.port, tls: coturn.tlsPort! } as const;
  // No answer at all counts as not allocating (checked at the end, after the figures are printed).
  const allocateEverywhere = () =>
    Promise.all((['udp', 'tcp', 'tls'] as const).map((transport) => allocateOnce({ host: '127.0.0.1', port: turnPorts[transport], transport }, creds).then((r) => r.ok, () => false)));
  expect(await allocateEverywhere()).toEqual([true, true, true]);
  expect(await allocateOnce({ host: '127.0.0.1', port: coturn.port }, { ...creds, password: 'not-the-password' })).toEqual({ ok: false, code: 401, reason: 'Unauthorized' });

  // Alice goes straight to the SFU; Bob only through coturn (his "TURN only" setting).
  const raw = { noiseSuppression: false, autoGainControl: false };
  const launch = (wav: string): Promise<Browser> => chromium.launch(chromiumLaunchOptions({ fakeAudioFile: wav, trustedSpkis: [coturn!.certificate!.spkiSha256] }));
  const carolSession = await register(srv.url, 'carol', 'Carol');
  const mallorySession = await register(srv.url, 'mallory', 'Mallory');
  const alice = await openParticipant(srv, 'alice', 'Alice', ALICE_HZ, { settings: raw, launch });
  const bob = await openParticipant(srv, 'bob', 'Bob', BOB_HZ, { settings: { ...raw, turnOnly: true }, launch });
  people.push(alice, bob);
  const conversationId = await createGroup(srv, alice, [bob, { session: carolSession }, { session: mallorySession }], 'Abuse');
  for (const p of people) await openConversation(p.page, 'Abuse');
  await startGroupCall(alice, [bob]);
  await expectHears(alice, [BOB_HZ]);
  await expectHears(bob, [ALICE_HZ]);
  // Bob's media really crosses coturn, so abuse of coturn is abuse of this call.
  await expect.poll(async () => (await inboundAudio(bob.page)).localTypes).toEqual(['relay', 'relay']);

  // Mallory joins without a browser and connects her transports with a DTLS fingerprint of nothing.
  mallory = await TestClient.connect(srv.wsUrl, mallorySession.token);
  const joined = await mallory.request('group.join', { conversationId });
  for (const t of [joined.sendTransport, joined.recvTransport]) {
    const fingerprint = [...randomBytes(32)].map((b) => b.toString(16).padStart(2, '0')).join(':').toUpperCase();
    await mallory.request('group.connectTransport', { callId: joined.call.callId, transportId: t.id, dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: fingerprint }] } });
  }
  const peerOf = (userId: number) => joined.call.participants.find((p) => p.userId === userId)!.participantId;
  const callTransports = inventory.open([peerOf(alice.session.user.id), peerOf(bob.session.user.id)]);
  const malloryTransports = inventory.open([joined.participantId]);
  expect(callTransports).toHaveLength(4);
  expect(malloryTransports).toHaveLength(2);
  const bobTransports = inventory.open([peerOf(bob.session.user.id)]);
  const relayPorts = bobTransports.map((t) => t.transport.iceSelectedTuple!.remotePort!);
  const selectedBefore = callTransports.map((t) => `${t.transport.iceSelectedTuple?.remoteIp}:${t.transport.iceSelectedTuple?.remotePort}`);

  // The window before.
  const inCall = [alice, bob];
  const readAll = () => Promise.all(inCall.map((p) => inboundAudio(p.page)));
  const r0 = await readAll();
  await expect.poll(async () => (await readAll())[0]!.at - r0[0]!.at, { timeout: WINDOW_MS * 3 }).toBeGreaterThanOrEqual(WINDOW_MS);
  const r1 = await readAll();

  // The abuse, with the tones checked over and over while it lasts.
  const workerBytes = async () => (await Promise.all(callTransports.map(async (t) => (await t.transport.getStats())[0]!.bytesReceived))).reduce((a, b) => a + b, 0);
  const workerBytesBefore = await workerBytes();
  // Open files of the worker: every ICE-TCP connection the abuser holds is one; none may stay behind.
  const workerFds = () => (existsSync(`/proc/${workerPid}`) ? readdirSync(`/proc/${workerPid}/fd`).length : Number.NaN);
  const fdsBefore = workerFds();
  let fdsMost = fdsBefore;
  const cpuBefore = { worker: processCpuSeconds(workerPid!), coturn: processCpuSeconds(coturn.pid), abuser: processCpuSeconds(abuser.pid) };
  const abuseStarted = Date.now();
  let running = true;
  const run = abuser.run(abusePlan(seed, callTransports, malloryTransports, relayPorts, coturn)).finally(() => (running = false));
  void run.catch(() => undefined); // awaited below; a failure in the loop must not leave it unhandled
  const heardDuring = new Map<Participant, number[][]>(inCall.map((p) => [p, []]));
  while (running) {
    const readings = await Promise.all(inCall.map((p) => tonesHeard(p.page, ALL_HZ, 1000)));
    inCall.forEach((p, i) => heardDuring.get(p)!.push(readings[i]!));
    fdsMost = Math.max(fdsMost, workerFds());
  }
  const tally = await run;
  printTally(tally);

  // Nothing died: no 'died' event, the same worker process alive, coturn running.
  expect(workerDeaths).toEqual([]);
  expect(srv.sfu!.workerPids).toEqual([workerPid]);
  expect(worker.died).toBe(false);
  expect(() => process.kill(workerPid!, 0)).not.toThrow();
  expect(coturn.running()).toBe(true);
  const abuseSeconds = (Date.now() - abuseStarted) / 1000;
  const cpu = Object.fromEntries(
    Object.entries({ worker: workerPid!, coturn: coturn.pid, abuser: abuser.pid }).map(([k, pid]) => [k, (100 * (processCpuSeconds(pid) - cpuBefore[k as keyof typeof cpuBefore])) / abuseSeconds]),
  );
  const r2 = await readAll();
  const workerBytesDuring = (await workerBytes()) - workerBytesBefore;

  // After: both still hear each other; then the window after.
  await expectHears(alice, [BOB_HZ]);
  await expectHears(bob, [ALICE_HZ]);
  await expect.poll(async () => (await readAll())[0]!.at - r2[0]!.at, { timeout: WINDOW_MS * 3 }).toBeGreaterThanOrEqual(WINDOW_MS);
  const r3 = await readAll();
  const turnAfter = await allocateEverywhere();
  // The abuser closed its connections: the worker's open files come back down to where they were.
  await expect.poll(workerFds, { message: 'worker file descriptors back to the level before the abuse' }).toBeLessThanOrEqual(fdsBefore);

  const callGroups = ['SFU call transports, no credentials', 'SFU call transports, ICE password (valid tuple)'];
  const bytesAtCall = tally.udp.filter((r) => callGroups.includes(r.group)).reduce((a, r) => a + r.bytes, 0);
  console.log(`\nThe call's four SFU transports read ${workerBytesDuring} bytes during the abuse (their own media included); the abuser sent them ${bytesAtCall} bytes of datagrams`);
  console.log(`mediasoup worker open files: ${fdsBefore} before, up to ${fdsMost} during (held ICE-TCP connections), ${workerFds()} after`);
  console.log(
    `CPU during the abuse (% of one core): mediasoup worker ${cpu.worker!.toFixed(0)}, coturn ${cpu.coturn!.toFixed(0)}, abuser ${cpu.abuser!.toFixed(0)}; machine load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores`,
  );
  console.log('\nThe call, before / during / after the abuse (getStats inbound Opus, summed over the streams a page receives):');
  const windows = inCall.flatMap((p, i) =>
    (
      [
        ['before', r0, r1],
        ['during', r1, r2],
        ['after', r2, r3],
      ] as const
    ).map(([name, a, b]) => ({ p, name, w: windowOf(a[i]!, b[i]!) })),
  );
  console.log(
    formatTable(
      ['participant', 'window', 's', 'streams rising', 'packets in', 'in/s', 'lost', 'concealed %', 'sent/s'],
      windows.map(({ p, name, w }) => [
        p.name,
        name,
        w.seconds.toFixed(1),
        `${w.rising}/${w.streams}`,
        String(w.packets),
        (w.packets / w.seconds).toFixed(1),
        String(w.lost),
        w.concealedPct.toFixed(2),
        w.sentPerSecond.toFixed(1),
      ]),
    ),
  );
  for (const p of inCall) {
    const readings = heardDuring.get(p)!;
    const other = ALL_HZ.filter((hz) => hz !== p.toneHz && inCall.some((q) => q.toneHz === hz));
    console.log(`${p.name} during the abuse: heard ${other.join('+')} Hz in ${readings.filter((r) => other.every((hz) => r.includes(hz))).length} of ${readings.length} one-second FFT readings`);
  }
  console.log(
    `SFU selected tuples of the call's transports, before → after: ${selectedBefore
      .map((b, i) => `${b} → ${callTransports[i]!.transport.iceSelectedTuple?.remoteIp}:${callTransports[i]!.transport.iceSelectedTuple?.remotePort}`)
      .join(', ')}; Mallory's DTLS: ${malloryTransports.map((t) => t.transport.dtlsState).join(', ')}`,
  );

  // The abuse was delivered: every group and kind sent without errors, and the servers answered.
  expect(tally.udp.reduce((a, r) => a + r.sent, 0)).toBeGreaterThan(UDP_PACKETS_PER_SECOND * (ABUSE_MS / 1000) * 0.5);
  expect(tally.udp.filter((r) => r.errors > 0)).toEqual([]);
  // …and reached the worker process, not just the kernel: its transports counted the bytes.
  expect(workerBytesDuring).toBeGreaterThan(bytesAtCall * 0.5);
  const groups = abusePlanGroups(tally);
  for (const [group, kinds] of groups) expect(kinds, group).toBeGreaterThanOrEqual(3);
  const replies = (group: string, reply: string) => tally.udpReplies.find((r) => r.group === group && r.reply === reply)?.count ?? 0;
  // mediasoup parsed the wrong-password checks for the live transports and refused them (401).
  expect(replies('SFU call transports, no credentials', 'STUN error 401')).toBeGreaterThan(0);
  // coturn answered: Binding successes, 401s to Allocates without (or with wrong) credentials.
  expect(replies('coturn UDP port', 'STUN success')).toBeGreaterThan(0);
  expect(replies('coturn UDP port', 'STUN error 401')).toBeGreaterThan(0);
  expect(tally.iceLogins.map((l) => l.passed)).toEqual(tally.iceLogins.map(() => true));
  for (const t of tally.tcp) expect(t.opened, `${t.group} ${t.mode} opened`).toBeGreaterThan(0);

  // Still nothing died, and coturn still allocates over UDP, TCP and TLS.
  expect(workerDeaths).toEqual([]);
  expect(() => process.kill(workerPid!, 0)).not.toThrow();
  expect(coturn.running()).toBe(true);
  expect(turnAfter).toEqual([true, true, true]);

  // The call kept its audio: each heard the other during the abuse, and every stream kept flowing.
  for (const p of inCall) {
    const other = p === alice ? BOB_HZ : ALICE_HZ;
    expect(heardDuring.get(p)!.some((r) => r.includes(other)), `${p.name} heard ${other} Hz during the abuse`).toBe(true);
  }
  for (const { p, name, w } of windows) expect(w.rising, `${p.name}'s incoming streams rising ${name} the abuse`).toBe(w.streams);

  // A newcomer joins after the abuse and everyone hears everyone: the SFU still takes work.
  const carol = await openParticipant(srv, 'carol', 'Carol', CAROL_HZ, { settings: raw, launch, session: carolSession });
  people.push(carol);
  await openConversation(carol.page, 'Abuse');
  await joinGroupCall(carol);
  await expectHears(carol, [ALICE_HZ, BOB_HZ]);
  await expectHears(alice, [BOB_HZ, CAROL_HZ]);
  await expectHears(bob, [ALICE_HZ, CAROL_HZ]);

  // Negative control: the same checks fail for a participant who sends nothing. Alice mutes (the
  // SFU pauses her producer): nobody hears 440 Hz, and one of Bob's two streams stops rising.
  await callPanelOf(alice.page).getByRole('button', { name: 'Mute', exact: true }).click();
  await expectHears(bob, [CAROL_HZ]);
  await expectHears(carol, [BOB_HZ]);
  const m0 = await inboundAudio(bob.page);
  await expect.poll(async () => (await inboundAudio(bob.page)).at - m0.at).toBeGreaterThanOrEqual(3000);
  const muted = windowOf(m0, await inboundAudio(bob.page));
  expect(muted).toMatchObject({ streams: 2, rising: 1 });
});

/** For each target group: how many kinds it sent at least one datagram of. */
function abusePlanGroups(tally: AbuseTally): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of tally.udp) if (r.sent > 0) out.set(r.group, (out.get(r.group) ?? 0) + 1);
  return out;
}
