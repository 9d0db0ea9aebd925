import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { workerBin } from 'mediasoup/node/lib/Worker.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../common/errors.js';
import type { SessionResponse } from '../../../common/protocol/index.js';
import { erofsFault } from '../../helpers/erofsPreload.js';
import { reportFaultFigures } from '../../helpers/faultReport.js';
import { startTestServerProcess, type ServerProcessOptions, type TestServerProcess } from '../../helpers/testServerProcess.js';
import { canMountTmpfs, mountTmpfs, type Tmpfs } from '../../helpers/tmpfs.js';
import { postJson, register, RequestFailed, TestClient } from '../../helpers/wsClient.js';

// Fault injection against a real signaling server in a child process (real ws, real SQLite in
// WAL mode): kill -9 mid-traffic and restart; a full disk; a database whose file system goes
// read-only under it; a read-only database at start. The rule in each: a message the server
// acknowledged is stored exactly once, nothing it refused is stored, the database passes
// PRAGMA integrity_check, and the server comes back by itself.

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A server process that is killed when the test ends (its data is of no use by then). */
async function serverProcess(options: ServerProcessOptions): Promise<TestServerProcess> {
  const srv = await startTestServerProcess(options);
  cleanups.push(async () => {
    if (srv.exited()) return;
    process.kill(srv.pid, 'SIGKILL');
    await srv.exit;
  });
  return srv;
}

/** Connect `session` and close the socket when the test ends. */
async function connect(srv: TestServerProcess, session: SessionResponse): Promise<TestClient> {
  const client = await TestClient.connect(srv.wsUrl, session.token);
  cleanups.push(() => client.close());
  return client;
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

interface Outgoing {
  senderId: number;
  conversationId: number;
  clientId: string;
  body: string;
}
interface Acked extends Outgoing {
  id: number;
}

/**
 * One person sending messages as fast as the server answers, one at a time (the next after the
 * answer to the previous one, so their order is defined), to each of `conversationIds` in
 * turn. Records what became of each message: acknowledged (with its id), refused (with the
 * error code), or still in flight when the socket went away.
 */
class MessageTraffic {
  readonly acked: Acked[] = [];
  readonly refused: Array<Outgoing & { code: ErrorCode }> = [];
  inFlight: Outgoing | null = null;
  private sent = 0;
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: TestClient,
    private readonly senderId: number,
    private readonly conversationIds: number[],
    private readonly tag: string,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stop after the answer in flight; resolves when stopped (at once if the socket is gone). */
  stop(): Promise<void> {
    this.running = false;
    return this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const n = this.sent++;
      const message: Outgoing = {
        senderId: this.senderId,
        conversationId: this.conversationIds[n % this.conversationIds.length]!,
        clientId: `${this.tag}-${String(n).padStart(6, '0')}`,
        body: `${this.tag} message ${n}`,
      };
      this.inFlight = message;
      try {
        const { message: stored } = await this.client.request('messages.send', {
          conversationId: message.conversationId,
          clientId: message.clientId,
          body: message.body,
        });
        this.acked.push({ ...message, id: stored.id });
      } catch (error) {
        // The socket closed: nobody knows whether the server stored it; it stays in flight.
        if (!(error instanceof RequestFailed)) return;
        this.refused.push({ ...message, code: error.code });
        await sleep(20); // no busy loop while the server refuses everything
      }
      this.inFlight = null;
    }
  }
}

interface MessageRow {
  id: number;
  conversation_id: number;
  sender_id: number | null;
  kind: string;
  body: string;
  client_id: string | null;
}

/** The database as a second, read-only connection sees it (WAL lets it read while the server writes). */
function readStore(dataDir: string, file = 'earshot.db') {
  const db = new Database(path.join(dataDir, file), { readonly: true });
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      messages: db.prepare('SELECT id, conversation_id, sender_id, kind, body, client_id FROM messages ORDER BY id').all() as MessageRow[],
      openCalls: (db.prepare('SELECT COUNT(*) AS n FROM calls WHERE ended_at IS NULL').get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

/** Every acknowledged message is stored, once, exactly as acknowledged; none of `absent` is stored. */
function expectStoredOnce(rows: MessageRow[], acked: Acked[], absent: Outgoing[] = []): void {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const wrong = acked.filter((m) => {
    const row = byId.get(m.id);
    return !row || row.conversation_id !== m.conversationId || row.sender_id !== m.senderId || row.client_id !== m.clientId || row.body !== m.body;
  });
  expect(wrong, 'acknowledged messages missing or changed').toEqual([]);
  const copies = new Map<string, number>();
  for (const r of rows) if (r.client_id !== null) copies.set(`${r.sender_id}/${r.client_id}`, (copies.get(`${r.sender_id}/${r.client_id}`) ?? 0) + 1);
  expect([...copies].filter(([, n]) => n > 1), 'messages stored twice').toEqual([]);
  const leaked = absent.filter((m) => copies.has(`${m.senderId}/${m.clientId}`));
  expect(leaked, 'refused messages that were stored anyway').toEqual([]);
}

/** Each sender's acknowledged messages have ids in the order they were sent, per conversation. */
function expectInSendOrder(traffic: MessageTraffic[]): void {
  for (const t of traffic) {
    const ids = new Map<number, number[]>();
    for (const m of t.acked) ids.set(m.conversationId, [...(ids.get(m.conversationId) ?? []), m.id]);
    for (const list of ids.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
  }
}

/** Every message of a conversation as the server serves it (messages.history, paged forwards). */
async function historyIds(client: TestClient, conversationId: number): Promise<number[]> {
  const ids: number[] = [];
  for (let after = 0; ; ) {
    const page = await client.request('messages.history', { conversationId, after, limit: 200 });
    ids.push(...page.messages.map((m) => m.id));
    if (!page.hasMore || page.messages.length === 0) return ids;
    after = page.messages.at(-1)!.id;
  }
}

/**
 * Frames of the WAL not yet copied into the database file, read from the wal-index header in
 * `earshot.db-shm` (mxFrame − nBackfill; native byte order, as SQLite writes it).
 */
function uncheckpointedFrames(dataDir: string): number {
  const shm = readFileSync(path.join(dataDir, 'earshot.db-shm'));
  return shm.readUInt32LE(16) - shm.readUInt32LE(96);
}

/** Hashes of every file in `dir`, to show that nothing was written. */
function fileHashes(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, createHash('sha256').update(readFileSync(path.join(dir, name))).digest('hex')]));
}

const PASSWORD = 'correct horse battery'; // register()'s default

// The mediasoup worker is built by scripts/setup.sh; without it the drill leaves out its group call.
const hasWorker = existsSync(workerBin);
if (!hasWorker) console.warn(`[faults] no mediasoup worker at ${workerBin}: the storage drills run without their group call`);

describe('kill -9 of the signaling server mid-traffic, then a restart on the same data and port', () => {
  it('keeps every acknowledged message once and in order and the call history; resent in-flight messages are stored once; the call in progress is closed as interrupted', async () => {
    const dataDir = tempDir('earshot-kill-');
    let srv = await serverProcess({ dataDir });
    const firstUrl = srv.url;
    const names = ['kill-ann', 'kill-ben', 'kill-cat', 'kill-dan'];
    const sessions: SessionResponse[] = [];
    for (const name of names) sessions.push(await register(srv.url, name));
    const ids = sessions.map((s) => s.user.id);
    let clients = await Promise.all(sessions.map((s) => connect(srv, s)));
    const [ann, ben, cat, dan] = clients as [TestClient, TestClient, TestClient, TestClient];
    const annBen = (await ann.request('conversations.createDirect', { userId: ids[1]! })).conversation.id;
    const catDan = (await cat.request('conversations.createDirect', { userId: ids[3]! })).conversation.id;
    const everyone = (await ann.request('conversations.createGroup', { title: 'Everyone', memberIds: ids.slice(1) })).conversation.id;

    // Call history to keep: a finished call (Ann → Ben), and one in progress at the kill (Cat → Dan).
    const finished = (await ann.request('call.place', { conversationId: annBen })).call.callId;
    await ben.waitFor('call.incoming', (i) => i.call.callId === finished);
    await ben.request('call.accept', { callId: finished });
    await ann.request('call.hangup', { callId: finished });
    await ben.waitFor('call.ended', (e) => e.callId === finished);
    const ongoing = (await cat.request('call.place', { conversationId: catDan })).call.callId;
    await dan.waitFor('call.incoming', (i) => i.call.callId === ongoing);
    await dan.request('call.accept', { callId: ongoing });
    const finishedRecord = (await ann.request('call.history', {})).calls.find((c) => c.callId === finished);
    expect(finishedRecord).toMatchObject({ outcome: 'hangup' });

    const traffic = clients.map((c, i) => new MessageTraffic(c, ids[i]!, [i < 2 ? annBen : catDan, everyone], names[i]!));
    traffic.forEach((t) => t.start());
    await waitUntil(
      () => traffic.every((t) => t.acked.length >= 40) && uncheckpointedFrames(dataDir) > 0,
      'every sender has 40 messages acknowledged, and the WAL holds some not yet checkpointed',
    );

    const killedAt = performance.now();
    process.kill(srv.pid, 'SIGKILL');
    expect(await srv.exit).toEqual({ code: null, signal: 'SIGKILL' });
    await Promise.all(traffic.map((t) => t.stop()));
    const acked = traffic.flatMap((t) => t.acked);
    const inFlight = traffic.map((t) => t.inFlight);
    expect(traffic.flatMap((t) => t.refused)).toEqual([]);

    // The kill left committed transactions in the WAL that were not yet copied into
    // earshot.db (the kill waited for that): the restart has to recover them from the WAL.
    const walFramesAtKill = uncheckpointedFrames(dataDir);
    expect(walFramesAtKill).toBeGreaterThan(0);

    const restartAt = performance.now();
    srv = await serverProcess({ dataDir, config: { port: Number(new URL(firstUrl).port) } });
    const readyAt = performance.now();
    expect(srv.url).toBe(firstUrl);

    const afterRestart = readStore(dataDir);
    expect(afterRestart.integrity).toBe('ok');
    expectStoredOnce(afterRestart.messages, acked);
    expectInSendOrder(traffic);

    // The clients come back (same tokens) and resend what was in flight with the same clientId,
    // as the app's outbox does: stored once, whether or not the server stored it before dying.
    clients = await Promise.all(sessions.map((s) => connect(srv, s)));
    const reconnectedAt = performance.now();
    const resent: Acked[] = [];
    for (const [i, m] of inFlight.entries()) {
      if (!m) continue;
      const { message } = await clients[i]!.request('messages.send', { conversationId: m.conversationId, clientId: m.clientId, body: m.body });
      resent.push({ ...m, id: message.id });
    }
    const storedBeforeKill = resent.filter((m) => afterRestart.messages.some((r) => r.id === m.id)).length;
    const final = readStore(dataDir);
    expect(final.integrity).toBe('ok');
    expectStoredOnce(final.messages, [...acked, ...resent]);

    // The server serves exactly what is stored.
    for (const conversationId of [annBen, catDan, everyone]) {
      const member = conversationId === catDan ? clients[2]! : clients[0]!;
      expect(await historyIds(member, conversationId)).toEqual(final.messages.filter((m) => m.conversation_id === conversationId).map((m) => m.id));
    }

    // Call history: the finished call as it was; the one in progress closed as interrupted,
    // with a system message saying why; no call left open; its clients learn it is gone.
    expect((await clients[0]!.request('call.history', {})).calls.find((c) => c.callId === finished)).toEqual(finishedRecord);
    const interrupted = (await clients[2]!.request('call.history', {})).calls.find((c) => c.callId === ongoing)!;
    expect(interrupted).toMatchObject({ outcome: 'interrupted', kind: 'direct' });
    expect(interrupted.endedAt).toBeGreaterThanOrEqual(interrupted.answeredAt!);
    expect(interrupted.participants.map((p) => p.leftAt !== null)).toEqual([true, true]);
    expect(final.openCalls).toBe(0);
    expect(final.messages.filter((m) => m.conversation_id === catDan && m.kind === 'system').map((m) => m.body)).toContain(
      'Voice call interrupted: the server restarted',
    );
    await expect(clients[3]!.request('call.rejoin', { callId: ongoing })).rejects.toThrow(/^CALL_NOT_FOUND/);

    // Live again: a new message reaches the other side at once, and a new call rings.
    await clients[1]!.request('messages.send', { conversationId: annBen, clientId: 'after-restart-1', body: 'back again' });
    await clients[0]!.waitFor('message.new', (n) => n.message.clientId === 'after-restart-1');
    const again = (await clients[2]!.request('call.place', { conversationId: catDan })).call.callId;
    await clients[3]!.waitFor('call.incoming', (i) => i.call.callId === again);

    reportFaultFigures('signalingServerKill', {
      acknowledgedBeforeKill: acked.length,
      walFramesNotCheckpointedAtKill: walFramesAtKill,
      inFlightAtKill: resent.length,
      inFlightAlreadyStoredBeforeKill: storedBeforeKill,
      killToServerReadyMs: Math.round(readyAt - killedAt),
      processStartToReadyMs: Math.round(readyAt - restartAt),
      readyToAllClientsConnectedMs: Math.round(reconnectedAt - readyAt),
    });
  });
});

/**
 * The drill shared by the storage faults: two people message each other without pause; the
 * fault goes on; every message from then on is refused with UNAVAILABLE (never acknowledged,
 * never stored), reads, sign-in checks and calls still work, /healthz says degraded, and the
 * process stays up; the fault goes off and, without a restart, messages are stored again and
 * the refused ones go through on retry with their clientId. Returns the figures measured.
 */
async function storageFaultDrill(o: {
  tag: string;
  dataDir: string;
  env?: Record<string, string>;
  faultOn(): void;
  faultOff(): void;
  /** What /healthz and the errors should say while the fault is on. */
  problem: RegExp;
}): Promise<Record<string, number>> {
  // The log lives outside the faulty folder: this is about the database.
  const logFile = path.join(tempDir(`earshot-${o.tag}-log-`), 'server.log');
  // A short reconnect grace: a group participant's dropped socket is removed while the fault is on.
  const srv = await serverProcess({ dataDir: o.dataDir, logFile, sfu: hasWorker, config: { reconnectGraceMs: 500 }, ...(o.env ? { env: o.env } : {}) });
  const a = await register(srv.url, `${o.tag}-amy`);
  const b = await register(srv.url, `${o.tag}-bob`);
  const amy = await connect(srv, a);
  const bob = await connect(srv, b);
  const conversationId = (await amy.request('conversations.createDirect', { userId: b.user.id })).conversation.id;
  const traffic = [new MessageTraffic(amy, a.user.id, [conversationId], `${o.tag}-amy`), new MessageTraffic(bob, b.user.id, [conversationId], `${o.tag}-bob`)];
  traffic.forEach((t) => t.start());
  const acked = () => traffic.reduce((n, t) => n + t.acked.length, 0);
  const refused = () => traffic.reduce((n, t) => n + t.refused.length, 0);
  await waitUntil(() => traffic.every((t) => t.acked.length >= 10), 'both have 10 messages acknowledged');
  expect(await (await fetch(`${srv.url}/healthz`)).json()).toEqual({ status: 'ok' });
  // A group call in progress when the fault comes (its history rows exist, so leaving it writes).
  let amyInGroup: TestClient | undefined;
  if (hasWorker) {
    amyInGroup = await connect(srv, a);
    await amyInGroup.request('group.start', { conversationId });
    await amyInGroup.request('group.join', { conversationId });
  }

  o.faultOn();
  // If the fault had no effect, this times out.
  await waitUntil(() => traffic.every((t) => t.refused.length >= 10), 'both have 10 messages refused');
  const ackedBeforeFault = acked();
  expect(new Set(traffic.flatMap((t) => t.refused.map((m) => m.code)))).toEqual(new Set(['UNAVAILABLE']));
  await expect(amy.request('messages.send', { conversationId, clientId: `${o.tag}-probe-1`, body: 'probe' })).rejects.toThrow(
    new RegExp(`^UNAVAILABLE: storage unavailable: ${o.problem.source}`),
  );
  const health = (await (await fetch(`${srv.url}/healthz`)).json()) as { status: string; storage?: string };
  expect(health.status).toBe('degraded');
  expect(health.storage).toMatch(o.problem);
  // Writes over HTTP get the same typed answer; reads and checks of who you are still work.
  const registration = await postJson(srv.url, '/api/register', { username: `${o.tag}-cy`, displayName: 'Cy', password: PASSWORD });
  expect([registration.status, registration.body]).toEqual([503, { error: { code: 'UNAVAILABLE', message: expect.stringMatching(o.problem) as string } }]);
  expect((await postJson(srv.url, '/api/login', { username: `${o.tag}-amy`, password: PASSWORD })).status).toBe(503);
  expect((await postJson(srv.url, '/api/login', { username: `${o.tag}-amy`, password: 'wrong password' })).status).toBe(401);
  const during = await historyIds(bob, conversationId);
  expect(traffic.flatMap((t) => t.acked.map((m) => m.id)).filter((id) => !during.includes(id))).toEqual([]);
  if (amyInGroup) {
    // The group call's only participant drops: the grace timer that removes her and ends the
    // call writes history while writes fail (an error escaping that timer would end the process).
    amyInGroup.close();
    await bob.waitFor('group.updated', (u) => u.conversationId === conversationId && u.call === null, 10_000);
  }
  // A call needs no disk: it rings, connects and ends (its history is best effort).
  const callId = (await amy.request('call.place', { conversationId })).call.callId;
  await bob.waitFor('call.incoming', (i) => i.call.callId === callId);
  await bob.request('call.accept', { callId });
  await amy.request('call.signal', { callId, signal: { type: 'offer', sdp: 'v=0 offer' } });
  await bob.waitFor('call.signal', (s) => s.callId === callId);
  await bob.request('call.hangup', { callId });
  await amy.waitFor('call.ended', (e) => e.callId === callId);
  const duringFault = readStore(o.dataDir);
  expect(duringFault.integrity).toBe('ok');
  expectStoredOnce(duringFault.messages, traffic.flatMap((t) => t.acked), traffic.flatMap((t) => t.refused));
  expect(srv.exited()).toBeNull();

  const faultOffAt = performance.now();
  const refusedAtFaultOff = refused();
  o.faultOff();
  const ackedAtFaultOff = acked();
  await waitUntil(() => acked() > ackedAtFaultOff, 'a message is stored again');
  const recoveredMs = performance.now() - faultOffAt;
  await waitUntil(() => acked() >= ackedAtFaultOff + 20, '20 more messages are stored');
  expect(await (await fetch(`${srv.url}/healthz`)).json()).toEqual({ status: 'ok' });
  await Promise.all(traffic.map((t) => t.stop()));

  // Retried with the same clientId (the app's Retry button does this), each refused message is stored once.
  const retried: Acked[] = [];
  for (const [i, t] of traffic.entries()) {
    for (const m of t.refused) {
      const { message } = await [amy, bob][i]!.request('messages.send', { conversationId: m.conversationId, clientId: m.clientId, body: m.body });
      retried.push({ ...m, id: message.id });
    }
  }
  const after = readStore(o.dataDir);
  expect(after.integrity).toBe('ok');
  expectStoredOnce(after.messages, [...traffic.flatMap((t) => t.acked), ...retried]);
  expectInSendOrder(traffic);
  expect(srv.exited()).toBeNull();
  return {
    acknowledgedBeforeFault: ackedBeforeFault,
    refusedDuringFault: refusedAtFaultOff,
    faultOffToFirstStoredMs: Math.round(recoveredMs),
    acknowledgedInAll: acked() + retried.length,
  };
}

const tmpfsProbe = canMountTmpfs();
if (!tmpfsProbe.ok) console.warn(`[faults] tmpfs tests skipped: ${tmpfsProbe.reason}`);

describe('storage faults', () => {
  it('disk full: refuses with UNAVAILABLE, stores nothing it did not acknowledge, stays up, and stores again once space is freed', async (ctx) => {
    ctx.skip(!tmpfsProbe.ok, tmpfsProbe.reason);
    const disk = mountTmpfs(16 << 20);
    cleanups.push(() => disk.unmount());
    let filled = 0;
    const figures = await storageFaultDrill({
      tag: 'full',
      dataDir: path.join(disk.dir, 'data'),
      faultOn: () => (filled = disk.fill()),
      faultOff: () => disk.unfill(),
      problem: /the server's disk is full/,
    });
    reportFaultFigures('diskFull', { ...figures, fillBytes: filled });
  });

  it('database read-only under the running server (writes fail with EROFS): refuses with UNAVAILABLE, stays up, and stores again once writable', async (ctx) => {
    const dataDir = tempDir('earshot-erofs-');
    const injector = erofsFault(dataDir);
    if (!injector.ok) console.warn(`[faults] EROFS test skipped: ${injector.reason}`);
    ctx.skip(!injector.ok, injector.ok ? undefined : injector.reason);
    if (!injector.ok) return;
    const { fault } = injector;
    cleanups.push(() => fault.off());
    const figures = await storageFaultDrill({
      tag: 'erofs',
      dataDir,
      env: fault.env,
      faultOn: () => fault.on(),
      faultOff: () => fault.off(),
      problem: /the database cannot be read or written \(I\/O error\)/,
    });
    reportFaultFigures('databaseReadOnlyWhileRunning', figures);
  });

  it('read-only file system at start: the server refuses to start with the reason and writes nothing; once writable it starts with every message', async (ctx) => {
    ctx.skip(!tmpfsProbe.ok, tmpfsProbe.reason);
    const disk: Tmpfs = mountTmpfs(16 << 20);
    cleanups.push(() => disk.unmount());
    const dataDir = path.join(disk.dir, 'data');
    mkdirSync(dataDir);
    const logFile = path.join(tempDir('earshot-ro-log-'), 'server.log');
    let srv = await serverProcess({ dataDir, logFile });
    const session = await register(srv.url, 'ro-amy');
    const other = await register(srv.url, 'ro-bob');
    const amy = await connect(srv, session);
    const conversationId = (await amy.request('conversations.createDirect', { userId: other.user.id })).conversation.id;
    const traffic = new MessageTraffic(amy, session.user.id, [conversationId], 'ro-amy');
    traffic.start();
    await waitUntil(() => traffic.acked.length >= 20, '20 messages are acknowledged');
    // Crashed, so the WAL and its index are left behind: SQLite alone would open them read-only.
    process.kill(srv.pid, 'SIGKILL');
    await srv.exit;
    await traffic.stop();
    const before = fileHashes(dataDir);

    disk.setReadOnly(true);
    await expect(serverProcess({ dataDir, logFile })).rejects.toThrow(/cannot open the database: \S+ is not writable \(read-only file system\)/);
    expect(fileHashes(dataDir)).toEqual(before);

    disk.setReadOnly(false);
    srv = await serverProcess({ dataDir, logFile });
    const store = readStore(dataDir);
    expect(store.integrity).toBe('ok');
    expectStoredOnce(store.messages, traffic.acked);
    const again = await connect(srv, session);
    await again.request('messages.send', { conversationId, clientId: 'ro-amy-after', body: 'writable again' });
    expect(readStore(dataDir).messages.at(-1)).toMatchObject({ client_id: 'ro-amy-after' });
  });
});
