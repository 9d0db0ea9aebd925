import { EarshotError } from '../../common/errors.js';
import type { IceConfig, ResponseData, SfuProbe } from '../../common/protocol/index.js';
import { describeError } from '../lib/describeError.js';
import { classifyIceServers, type TurnEntry, type TurnTransport } from './classifyIceServers.js';
import {
  CHECK_IDS,
  CHECK_LABELS,
  type CheckId,
  type CheckResult,
  type DiagnosticsOptions,
  type DiagnosticsReport,
  type DiagnosticsSignaling,
  type DiagnosticsTimeouts,
  type PeerConnectionFactory,
  type PeerConnectionLike,
  type StatsLike,
} from './diagnosticsTypes.js';
import { candidateAddress, gatherCandidate, type GatherOutcome } from './gatherCandidate.js';
import { sfuProbeAnswer } from './sfuProbeAnswer.js';

const DEFAULT_TIMEOUTS: DiagnosticsTimeouts = { signalingMs: 10_000, iceMs: 15_000, sfuMs: 20_000 };

const TURN_CHECK: Record<TurnTransport, CheckId> = { udp: 'turnUdp', tcp: 'turnTcp', tls: 'turnTls' };
const TURN_NAME: Record<TurnTransport, string> = { udp: 'TURN over UDP', tcp: 'TURN over TCP', tls: 'TURN over TLS' };

/** A check's outcome before it is named and timed. */
type Outcome = Omit<CheckResult, 'id' | 'label' | 'durationMs'>;

const browserPeerConnection: PeerConnectionFactory = (configuration) => new RTCPeerConnection(configuration) as unknown as PeerConnectionLike;

/** `200 ms`, `15 s`. */
function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 1000)} s`;
}

/** Reject with TIMEOUT after `ms` (the promise itself keeps running; its result is ignored). */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new EarshotError('TIMEOUT', `${what}: no answer within ${duration(ms)}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * `error 701: TURN allocate request timed out.` — the browser's own words, for support. An error
 * about `url` itself comes first (a TURN URL is also used for STUN, and Chromium reports both).
 */
function describeIceError(outcome: Exclude<GatherOutcome, { kind: 'found' }>, url: string, timeoutMs: number, nothingText: string): Pick<Outcome, 'detail' | 'errorCode'> {
  if (outcome.kind === 'setupFailed') return { detail: `the browser refused it: ${outcome.message}` };
  const first = outcome.errors.find((e) => e.url === url) ?? outcome.errors[0];
  if (first) return { detail: `error ${first.errorCode}${first.errorText ? `: ${first.errorText}` : ''}`, errorCode: first.errorCode };
  if (outcome.kind === 'timeout') return { detail: `no answer within ${duration(timeoutMs)}` };
  return { detail: nothingText };
}

/**
 * Several URLs of one kind (e.g. two TURN/TLS servers) are tried side by side: the check passes
 * when any works, and the detail names each URL's result when there is more than one.
 */
function combine(results: Array<{ url: string; outcome: Outcome }>): Outcome {
  const urls = results.map((r) => r.url);
  const ok = results.find((r) => r.outcome.status === 'ok');
  const failed = results.find((r) => r.outcome.status !== 'ok');
  const single = results.length === 1;
  const detail = single ? results[0]!.outcome.detail : results.map((r) => `${r.url}: ${r.outcome.status === 'ok' ? 'ok' : 'failed'} — ${r.outcome.detail}`).join('; ');
  if (ok) return { status: 'ok', detail, urls };
  return { status: 'failed', detail, urls, ...(failed?.outcome.errorCode !== undefined ? { errorCode: failed.outcome.errorCode } : {}) };
}

async function checkSignaling(signaling: DiagnosticsSignaling | null, timeoutMs: number, now: () => number): Promise<{ outcome: Outcome; answer?: ResponseData<'diagnostics.ice'> }> {
  if (!signaling) return { outcome: { status: 'failed', detail: 'signed out' } };
  if (signaling.state !== 'connected') return { outcome: { status: 'failed', detail: `not connected (${signaling.state})` } };
  const start = now();
  try {
    const answer = await withTimeout(signaling.request('diagnostics.ice', {}), timeoutMs, 'the server');
    return { outcome: { status: 'ok', detail: `connected; round trip ${Math.round(now() - start)} ms` }, answer };
  } catch (error) {
    const code = error instanceof EarshotError ? ` (${error.code})` : '';
    return { outcome: { status: 'failed', detail: `connected, but the server did not answer the test: ${describeError(error)}${code}` } };
  }
}

/** STUN: does a binding request to the server get an answer (a server-reflexive candidate)? */
async function checkStun(urls: string[], derived: boolean, createPc: PeerConnectionFactory, timeoutMs: number): Promise<Outcome> {
  if (urls.length === 0) return { status: 'not-offered', detail: 'the server offers no STUN or TURN server' };
  const results = await Promise.all(
    urls.map(async (url) => {
      const outcome = await gatherCandidate(createPc, { iceServers: [{ urls: url }] }, 'srflx', timeoutMs);
      if (outcome.kind === 'found') return { url, outcome: { status: 'ok', detail: `answered; your address as the server sees it: ${candidateAddress(outcome.candidate)}` } as Outcome };
      // Chromium drops a server-reflexive candidate equal to a host candidate (no NAT in between),
      // so a clean finish without an error means the server did answer.
      if (outcome.kind === 'complete' && outcome.errors.length === 0 && outcome.hostCandidates > 0) {
        return { url, outcome: { status: 'ok', detail: 'answered; your address is not translated (no NAT)' } as Outcome };
      }
      return { url, outcome: { status: 'failed', ...describeIceError(outcome, url, timeoutMs, 'no answer') } as Outcome };
    }),
  );
  const combined = combine(results);
  return derived ? { ...combined, detail: `${combined.detail} (the TURN server's STUN; no STUN server configured)` } : combined;
}

/** TURN over one transport: does an allocation succeed (a relay candidate) with the call credentials? */
async function checkTurn(transport: TurnTransport, entries: TurnEntry[], createPc: PeerConnectionFactory, timeoutMs: number): Promise<Outcome> {
  if (entries.length === 0) return { status: 'not-offered', detail: `the server offers no ${TURN_NAME[transport]}` };
  const results = await Promise.all(
    entries.map(async (entry) => {
      const server: RTCIceServer = { urls: entry.url, ...(entry.username !== undefined ? { username: entry.username } : {}), ...(entry.credential !== undefined ? { credential: entry.credential } : {}) };
      const outcome = await gatherCandidate(createPc, { iceServers: [server], iceTransportPolicy: 'relay' }, 'relay', timeoutMs);
      if (outcome.kind === 'found') return { url: entry.url, outcome: { status: 'ok', detail: `relay address ${candidateAddress(outcome.candidate)}` } as Outcome };
      return { url: entry.url, outcome: { status: 'failed', ...describeIceError(outcome, entry.url, timeoutMs, 'no relay address allocated') } as Outcome };
    }),
  );
  return combine(results);
}

/** How the page reached the SFU, from the selected candidate pair: `direct over UDP`, `through TURN over TLS`… */
function describeSelectedPath(stats: StatsLike): string | undefined {
  const byId = new Map<string, Record<string, unknown>>();
  stats.forEach((s) => byId.set(String(s.id), s));
  let pair: Record<string, unknown> | undefined;
  for (const s of byId.values()) {
    if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') pair = byId.get(s.selectedCandidatePairId);
  }
  pair ??= [...byId.values()].find((s) => s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated === true);
  const local = pair && byId.get(String(pair.localCandidateId));
  const remote = pair && byId.get(String(pair.remoteCandidateId));
  if (!local || !remote) return undefined;
  const to = `${String(remote.address ?? remote.ip ?? '?')}:${String(remote.port ?? '?')}`;
  if (local.candidateType === 'relay') {
    // Chromium leaves relayProtocol empty on some UDP relays.
    const via = typeof local.relayProtocol === 'string' ? local.relayProtocol.toUpperCase() : 'UDP';
    return `through TURN over ${via} to ${to}`;
  }
  return `direct over ${String(local.protocol ?? '?').toUpperCase()} to ${to}`;
}

/** Wait until ICE connects (true), fails (false) or `timeoutMs` passes (false). */
function iceConnected(pc: PeerConnectionLike, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const check = () => {
      const state = pc.iceConnectionState;
      if (state === 'connected' || state === 'completed') done(true);
      else if (state === 'failed' || state === 'closed') done(false);
    };
    const done = (value: boolean) => {
      clearTimeout(timer);
      pc.oniceconnectionstatechange = null;
      resolve(value);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    pc.oniceconnectionstatechange = check;
    check();
  });
}

/**
 * SFU: open a throwaway transport on the SFU (`diagnostics.sfuProbe`) and run ICE against it
 * with the ICE servers a group call would use. ICE connected means the SFU answered checks on
 * the path media would take (directly or through TURN).
 */
async function checkSfu(signaling: DiagnosticsSignaling, answer: ResponseData<'diagnostics.ice'>, relayOnly: boolean, createPc: PeerConnectionFactory, timeoutMs: number): Promise<Outcome> {
  if (!answer.groupCalls) return { status: 'not-offered', detail: 'group calls are off on this server' };
  let probe: SfuProbe;
  try {
    probe = await withTimeout(signaling.request('diagnostics.sfuProbe', {}), timeoutMs, 'the SFU');
  } catch (error) {
    if (error instanceof EarshotError && error.code === 'UNAVAILABLE') return { status: 'not-offered', detail: 'group calls are off on this server' };
    return { status: 'failed', detail: `the server could not open a test transport: ${describeError(error)}` };
  }
  const ice: IceConfig = answer.ice;
  const policy = relayOnly ? 'relay' : ice.iceTransportPolicy;
  let pc: PeerConnectionLike;
  try {
    pc = createPc({ iceServers: ice.iceServers, iceTransportPolicy: policy });
  } catch (error) {
    return { status: 'failed', detail: `the browser refused the ICE servers: ${describeError(error)}` };
  }
  try {
    pc.createDataChannel('earshot-diagnostics');
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    await pc.setRemoteDescription({ type: 'answer', sdp: sfuProbeAnswer(offer.sdp ?? '', probe) });
    const candidates = probe.iceCandidates.map((c) => `${c.protocol.toUpperCase()} ${c.ip}:${c.port}`).join(', ');
    if (!(await iceConnected(pc, timeoutMs))) {
      const how = policy === 'relay' ? ' through TURN (relay only)' : '';
      return { status: 'failed', detail: `ICE did not connect${how} to ${candidates}` };
    }
    const path = describeSelectedPath(await pc.getStats());
    return { status: 'ok', detail: `ICE connected${path ? ` ${path}` : ''}` };
  } catch (error) {
    return { status: 'failed', detail: describeError(error) };
  } finally {
    pc.close();
  }
}

/**
 * The connection test behind "Test my connection": checks the signaling socket (and its round
 * trip), then side by side STUN, TURN over UDP, TCP and TLS (each on its own relay-only
 * RTCPeerConnection with the credentials a call would get) and ICE to the SFU. Every check has
 * a time limit; none throws. Progress goes to `onUpdate`; resolves with the full report.
 */
export async function runDiagnostics(options: DiagnosticsOptions): Promise<DiagnosticsReport> {
  const now = options.now ?? (() => Date.now());
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const createPc = options.createPeerConnection ?? browserPeerConnection;
  const startedAt = now();
  const checks = new Map<CheckId, CheckResult>(CHECK_IDS.map((id) => [id, { id, label: CHECK_LABELS[id], status: 'running', detail: '', durationMs: null }]));
  const publish = () => options.onUpdate?.([...checks.values()]);
  const settle = (id: CheckId, outcome: Outcome, durationMs: number | null) => {
    checks.set(id, { id, label: CHECK_LABELS[id], durationMs, ...outcome });
    publish();
  };
  /** Run one check, timed; an unexpected throw becomes a failed check, never a failed test. */
  const run = async (id: CheckId, check: () => Promise<Outcome>) => {
    const start = now();
    let outcome: Outcome;
    try {
      outcome = await check();
    } catch (error) {
      outcome = { status: 'failed', detail: describeError(error) };
    }
    settle(id, outcome, outcome.status === 'not-offered' ? null : Math.round(now() - start));
  };
  publish();

  const signalingStart = now();
  const signaling = await checkSignaling(options.signaling, timeouts.signalingMs, now);
  settle('signaling', signaling.outcome, Math.round(now() - signalingStart));
  const answer = signaling.answer;
  if (!answer || !options.signaling) {
    for (const id of CHECK_IDS) if (id !== 'signaling') settle(id, { status: 'skipped', detail: 'needs the connection to the server' }, null);
  } else {
    const servers = classifyIceServers(answer.ice.iceServers);
    const client = options.signaling;
    await Promise.all([
      run('stun', () => checkStun(servers.stun.urls, servers.stun.derived, createPc, timeouts.iceMs)),
      ...(['udp', 'tcp', 'tls'] as const).map((t) => run(TURN_CHECK[t], () => checkTurn(t, servers.turn[t], createPc, timeouts.iceMs))),
      run('sfu', () => checkSfu(client, answer, options.relayOnly, createPc, timeouts.sfuMs)),
    ]);
  }
  return {
    startedAt,
    durationMs: Math.round(now() - startedAt),
    checks: CHECK_IDS.map((id) => checks.get(id)!),
    environment: { ...options.environment, relayOnly: options.relayOnly },
  };
}
