import { describe, expect, it } from 'vitest';
import { EarshotError } from '../../../../common/errors.js';
import type { IceServer, RequestMethod, ResponseData, SfuProbe } from '../../../../common/protocol/index.js';
import type { CheckId, CheckResult, DiagnosticsReport, DiagnosticsSignaling } from '../../../../renderer/diagnostics/diagnosticsTypes.js';
import { formatDiagnosticsReport } from '../../../../renderer/diagnostics/formatDiagnosticsReport.js';
import { runDiagnostics } from '../../../../renderer/diagnostics/runDiagnostics.js';
import type { ConnectionState } from '../../../../renderer/signaling/SignalingClientTypes.js';
import { FakePeerConnection, gives, type Behavior } from './fakePeerConnection.js';

const TURN_URLS = ['turn:turn.example.com:3478?transport=udp', 'turn:turn.example.com:3478?transport=tcp', 'turns:turn.example.com:443?transport=tcp'];
const TURN: IceServer = { urls: TURN_URLS, username: '1700000000:7', credential: 'c2VjcmV0LXBhc3N3b3Jk' };

const PROBE: SfuProbe = {
  probeId: 'probe-1',
  iceParameters: { usernameFragment: 'sfuufrag1234abcd', password: 'sfupassword0123456789abcdefghijk' },
  iceCandidates: [
    { foundation: 'udpcandidate', priority: 1076302079, ip: '198.51.100.1', protocol: 'udp', port: 40001, type: 'host' },
    { foundation: 'tcpcandidate', priority: 1076276479, ip: '198.51.100.1', protocol: 'tcp', port: 40002, type: 'host', tcpType: 'passive' },
  ],
  dtlsFingerprints: [
    { algorithm: 'sha-1', value: 'AA:BB' },
    { algorithm: 'sha-256', value: '82:5A:68:3D' },
  ],
  expiresInMs: 15_000,
};

interface ServerScript {
  state?: ConnectionState;
  iceServers?: IceServer[];
  iceTransportPolicy?: 'all' | 'relay';
  groupCalls?: boolean;
  /** Fail `diagnostics.ice` / `diagnostics.sfuProbe` with this error. */
  iceError?: EarshotError;
  probeError?: EarshotError;
  /** Never answer `diagnostics.ice`. */
  iceHangs?: boolean;
}

/** A signaling client stand-in answering the two diagnostics requests; `requests` records what was asked. */
function fakeSignaling(script: ServerScript = {}): DiagnosticsSignaling & { requests: string[] } {
  const requests: string[] = [];
  return {
    requests,
    state: script.state ?? 'connected',
    request: (async (method: RequestMethod) => {
      requests.push(method);
      if (method === 'diagnostics.ice') {
        if (script.iceHangs) return new Promise(() => undefined);
        if (script.iceError) throw script.iceError;
        const answer: ResponseData<'diagnostics.ice'> = {
          ice: { iceServers: script.iceServers ?? [TURN], iceTransportPolicy: script.iceTransportPolicy ?? 'all', expiresAt: 0 },
          groupCalls: script.groupCalls ?? true,
        };
        return answer;
      }
      if (method === 'diagnostics.sfuProbe') {
        if (script.probeError) throw script.probeError;
        return PROBE;
      }
      throw new Error(`unexpected request ${method}`);
    }) as DiagnosticsSignaling['request'],
  };
}

/**
 * Peer connections whose behavior depends on their single ICE server URL; the SFU's (several
 * URLs, or none) does `sfu`. `created` records every one.
 */
function peers(behaviors: Partial<Record<string, Behavior>> & { sfu?: Behavior; default?: Behavior }) {
  const created: FakePeerConnection[] = [];
  const factory = (configuration: RTCConfiguration) => {
    const servers = configuration.iceServers ?? [];
    const single = servers.length === 1 && !Array.isArray(servers[0]!.urls) ? (servers[0]!.urls as string) : undefined;
    const behavior = single ? (behaviors[single] ?? behaviors.default ?? gives.nothing) : (behaviors.sfu ?? gives.sfuConnected);
    const pc = new FakePeerConnection(configuration, behavior);
    created.push(pc);
    return pc;
  };
  return { factory, created };
}

const ALL_WORK = {
  'stun:turn.example.com:3478': gives.srflx,
  [TURN_URLS[0]!]: gives.relay,
  [TURN_URLS[1]!]: gives.relay,
  [TURN_URLS[2]!]: gives.relay,
};

const environment = { serverUrl: 'https://talk.example.com', userAgent: 'TestBrowser/1.0' };
const FAST = { signalingMs: 200, iceMs: 200, sfuMs: 200 };

async function run(script: ServerScript, behaviors: Parameters<typeof peers>[0], extra: { relayOnly?: boolean; onUpdate?: (checks: CheckResult[]) => void } = {}) {
  const signaling = fakeSignaling(script);
  const pcs = peers(behaviors);
  const report = await runDiagnostics({ signaling, createPeerConnection: pcs.factory, relayOnly: extra.relayOnly ?? false, environment, timeouts: FAST, ...(extra.onUpdate ? { onUpdate: extra.onUpdate } : {}) });
  return { report, signaling, pcs };
}

function byId(report: DiagnosticsReport): Record<CheckId, CheckResult> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c])) as Record<CheckId, CheckResult>;
}

describe('runDiagnostics', () => {
  describe('when everything works', () => {
    it('reports every check ok, in order, with what it found and how long it took', async () => {
      const { report } = await run({}, ALL_WORK);
      expect(report.checks.map((c) => [c.id, c.status])).toEqual([
        ['signaling', 'ok'],
        ['stun', 'ok'],
        ['turnUdp', 'ok'],
        ['turnTcp', 'ok'],
        ['turnTls', 'ok'],
        ['sfu', 'ok'],
      ]);
      const checks = byId(report);
      expect(checks.signaling.detail).toMatch(/^connected; round trip \d+ ms$/);
      expect(checks.stun.detail).toContain('203.0.113.7:61000');
      expect(checks.turnTls).toMatchObject({ detail: 'relay address 198.51.100.9:49200', urls: [TURN_URLS[2]] });
      expect(checks.sfu.detail).toBe('ICE connected direct over UDP to 198.51.100.1:40001');
      for (const check of report.checks) expect(check.durationMs).toEqual(expect.any(Number));
      expect(report.environment).toEqual({ ...environment, relayOnly: false });
    });

    it('tests each TURN URL alone, relay-only, with the call credentials, and closes every connection', async () => {
      const { pcs } = await run({}, ALL_WORK);
      const turnPcs = pcs.created.filter((pc) => pc.remoteSdp === null && pc.url.startsWith('turn'));
      expect(turnPcs.map((pc) => pc.configuration)).toEqual(
        TURN_URLS.map((url) => ({ iceServers: [{ urls: url, username: TURN.username, credential: TURN.credential }], iceTransportPolicy: 'relay' })),
      );
      for (const pc of pcs.created) {
        expect(pc.closed).toBe(true);
        expect(pc.dataChannels).toHaveLength(1);
      }
    });

    it("uses the TURN server's own host and port for STUN when the server configures no STUN server", async () => {
      const { report, pcs } = await run({}, ALL_WORK);
      const stunPc = pcs.created.find((pc) => pc.url.startsWith('stun:'));
      expect(stunPc?.configuration).toEqual({ iceServers: [{ urls: 'stun:turn.example.com:3478' }] });
      expect(byId(report).stun.detail).toContain("the TURN server's STUN");
    });

    it('uses the configured STUN URL when there is one', async () => {
      const { report, pcs } = await run({ iceServers: [{ urls: ['stun:stun.example.com:3478'] }, TURN] }, { ...ALL_WORK, 'stun:stun.example.com:3478': gives.srflx });
      expect(pcs.created.filter((pc) => pc.remoteSdp === null && pc.url.startsWith('stun:')).map((pc) => pc.url)).toEqual(['stun:stun.example.com:3478']);
      expect(byId(report).stun).toMatchObject({ status: 'ok', urls: ['stun:stun.example.com:3478'] });
      expect(byId(report).stun.detail).not.toContain("TURN server's STUN");
    });

    it('runs ICE against the SFU probe with the answer built from its parameters and the ICE servers a group call would use', async () => {
      const { pcs, signaling } = await run({}, ALL_WORK);
      expect(signaling.requests).toEqual(['diagnostics.ice', 'diagnostics.sfuProbe']);
      const sfuPc = pcs.created.find((pc) => pc.remoteSdp !== null)!;
      expect(sfuPc.configuration).toEqual({ iceServers: [TURN], iceTransportPolicy: 'all' });
      expect(sfuPc.remoteSdp).toContain('a=ice-lite');
      expect(sfuPc.remoteSdp).toContain(`a=ice-ufrag:${PROBE.iceParameters.usernameFragment}`);
      expect(sfuPc.remoteSdp).toContain('a=candidate:tcpcandidate 1 tcp 1076276479 198.51.100.1 40002 typ host tcptype passive');
      expect(sfuPc.remoteSdp).toContain('a=fingerprint:sha-256 82:5A:68:3D');
    });

    it('goes to the SFU through TURN only when calls are relay-only (the setting)', async () => {
      const { pcs } = await run({}, ALL_WORK, { relayOnly: true });
      expect(pcs.created.find((pc) => pc.remoteSdp !== null)!.configuration.iceTransportPolicy).toBe('relay');
    });

    it('says how the SFU was reached when it was through TURN', async () => {
      const viaTurn: Behavior = (pc) => {
        pc.stats = [
          { id: 'P1', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', state: 'succeeded', nominated: true },
          { id: 'L1', type: 'local-candidate', candidateType: 'relay', protocol: 'udp', relayProtocol: 'tls' },
          { id: 'R1', type: 'remote-candidate', candidateType: 'host', protocol: 'udp', address: '198.51.100.1', port: 40001 },
        ];
        pc.connect();
      };
      const { report } = await run({}, { ...ALL_WORK, sfu: viaTurn });
      expect(byId(report).sfu.detail).toBe('ICE connected through TURN over TLS to 198.51.100.1:40001');
    });

    it('reports progress: every check running first, then each result as it comes', async () => {
      const updates: CheckResult[][] = [];
      await run({}, ALL_WORK, { onUpdate: (checks) => updates.push(checks) });
      expect(updates[0]!.map((c) => c.status)).toEqual(Array(6).fill('running'));
      expect(updates.at(-1)!.every((c) => c.status === 'ok')).toBe(true);
      expect(updates.length).toBeGreaterThanOrEqual(7);
    });
  });

  describe('when something fails', () => {
    it('reports a TURN error with its code and text ("TURN over TLS: failed — error 701")', async () => {
      const { report } = await run({}, { ...ALL_WORK, [TURN_URLS[2]!]: gives.error(701, 'TURN allocate request timed out.') });
      expect(byId(report).turnTls).toMatchObject({ status: 'failed', errorCode: 701, detail: 'error 701: TURN allocate request timed out.' });
      expect(byId(report).turnUdp.status).toBe('ok');
      expect(byId(report).turnTcp.status).toBe('ok');
    });

    it("prefers the error about the TURN URL itself over one about its STUN use", async () => {
      const both: Behavior = (pc) => {
        pc.error(701, 'STUN binding request timed out.', 'stun:turn.example.com:3478');
        pc.error(401, 'Unauthorized', pc.url);
        pc.complete();
      };
      const { report } = await run({}, { ...ALL_WORK, [TURN_URLS[0]!]: both });
      expect(byId(report).turnUdp).toMatchObject({ status: 'failed', errorCode: 401, detail: 'error 401: Unauthorized' });
    });

    it('fails a check that gets no answer within its time limit (packets silently dropped)', async () => {
      const { report, pcs } = await run({}, { ...ALL_WORK, 'stun:turn.example.com:3478': gives.nothing, [TURN_URLS[0]!]: gives.nothing });
      expect(byId(report).stun).toMatchObject({ status: 'failed', detail: expect.stringContaining('no answer within') });
      expect(byId(report).turnUdp).toMatchObject({ status: 'failed', detail: 'no answer within 200 ms' });
      expect(byId(report).turnTcp.status).toBe('ok');
      for (const pc of pcs.created) expect(pc.closed).toBe(true);
    });

    it('fails TURN when gathering ends without a relay address and without an error', async () => {
      const { report } = await run({}, { ...ALL_WORK, [TURN_URLS[1]!]: (pc) => pc.complete() });
      expect(byId(report).turnTcp).toMatchObject({ status: 'failed', detail: 'no relay address allocated' });
    });

    it('fails the SFU check when ICE to it fails, naming the candidates it tried', async () => {
      const { report } = await run({}, { ...ALL_WORK, sfu: (pc) => pc.fail() });
      expect(byId(report).sfu).toMatchObject({ status: 'failed', detail: 'ICE did not connect to UDP 198.51.100.1:40001, TCP 198.51.100.1:40002' });
    });

    it('fails the SFU check when the server refuses a probe (rate limited)', async () => {
      const { report } = await run({ probeError: new EarshotError('RATE_LIMITED', 'too many') }, ALL_WORK);
      expect(byId(report).sfu).toMatchObject({ status: 'failed', detail: expect.stringContaining('Too many attempts') });
    });

    it('fails the signaling check and skips the rest when the socket is not connected', async () => {
      const { report, signaling } = await run({ state: 'reconnecting' }, ALL_WORK);
      expect(byId(report).signaling).toMatchObject({ status: 'failed', detail: 'not connected (reconnecting)' });
      expect(report.checks.slice(1).map((c) => c.status)).toEqual(Array(5).fill('skipped'));
      expect(signaling.requests).toEqual([]);
    });

    it('fails the signaling check when the server does not answer in time', async () => {
      const { report } = await run({ iceHangs: true }, ALL_WORK);
      expect(byId(report).signaling).toMatchObject({ status: 'failed', detail: expect.stringContaining('did not answer') });
      expect(byId(report).sfu.status).toBe('skipped');
    });

    it('reports "signed out" without a signaling client', async () => {
      const report = await runDiagnostics({ signaling: null, relayOnly: false, environment, createPeerConnection: peers({}).factory });
      expect(byId(report).signaling).toMatchObject({ status: 'failed', detail: 'signed out' });
    });

    it('turns a browser that refuses the configuration into a failed check, not a thrown error', async () => {
      const throwing = () => {
        throw new SyntaxError('bad URL');
      };
      const report = await runDiagnostics({ signaling: fakeSignaling(), relayOnly: false, environment, timeouts: FAST, createPeerConnection: throwing });
      expect(byId(report).turnUdp).toMatchObject({ status: 'failed', detail: 'the browser refused it: bad URL' });
      expect(byId(report).sfu).toMatchObject({ status: 'failed', detail: expect.stringContaining('bad URL') });
    });
  });

  describe('what the server does not offer', () => {
    it('marks a TURN transport without a URL as not offered', async () => {
      const { report, pcs } = await run({ iceServers: [{ ...TURN, urls: TURN_URLS.slice(0, 2) }] }, ALL_WORK);
      expect(byId(report).turnTls).toMatchObject({ status: 'not-offered', detail: 'the server offers no TURN over TLS', durationMs: null });
      expect(pcs.created.some((pc) => pc.url.startsWith('turns:'))).toBe(false);
    });

    it('marks STUN, TURN and the SFU as not offered by a server with neither TURN nor group calls', async () => {
      const { report, signaling } = await run({ iceServers: [], groupCalls: false }, ALL_WORK);
      expect(report.checks.map((c) => c.status)).toEqual(['ok', 'not-offered', 'not-offered', 'not-offered', 'not-offered', 'not-offered']);
      expect(signaling.requests).toEqual(['diagnostics.ice']);
    });

    it('marks the SFU as not offered when the server answers UNAVAILABLE', async () => {
      const { report } = await run({ probeError: new EarshotError('UNAVAILABLE', 'no SFU') }, ALL_WORK);
      expect(byId(report).sfu).toMatchObject({ status: 'not-offered', detail: 'group calls are off on this server' });
    });
  });

  describe('STUN without NAT', () => {
    it('passes when gathering completes cleanly with host candidates but no separate public address (Chromium drops one equal to a host candidate)', async () => {
      const noNat: Behavior = (pc) => {
        pc.candidate('candidate:1 1 udp 2113937151 203.0.113.7 5000 typ host');
        pc.complete();
      };
      const { report } = await run({}, { ...ALL_WORK, 'stun:turn.example.com:3478': noNat });
      expect(byId(report).stun).toMatchObject({ status: 'ok', detail: expect.stringContaining('not translated (no NAT)') });
    });

    it('fails when gathering completes with an error', async () => {
      const { report } = await run({}, { ...ALL_WORK, 'stun:turn.example.com:3478': gives.error(701, 'STUN binding request timed out.') });
      expect(byId(report).stun).toMatchObject({ status: 'failed', errorCode: 701 });
    });
  });

  describe('several URLs of one kind', () => {
    it('passes when any works and names each result', async () => {
      const second = 'turns:turn2.example.com:443?transport=tcp';
      const { report } = await run({ iceServers: [{ ...TURN, urls: [...TURN_URLS, second] }] }, { ...ALL_WORK, [second]: gives.error(701, 'Failed to establish connection') });
      expect(byId(report).turnTls).toMatchObject({
        status: 'ok',
        urls: [TURN_URLS[2], second],
        detail: `${TURN_URLS[2]}: ok — relay address 198.51.100.9:49200; ${second}: failed — error 701: Failed to establish connection`,
      });
    });
  });
});

describe('formatDiagnosticsReport', () => {
  it('writes one line per check with its mark, status, detail and time, and no credentials', async () => {
    const { report } = await run({}, { ...ALL_WORK, [TURN_URLS[2]!]: gives.error(701, 'TURN allocate request timed out.') });
    const text = formatDiagnosticsReport(report);
    expect(text).toContain('Earshot connection test');
    expect(text).toContain('Server: https://talk.example.com');
    expect(text).toContain('Browser: TestBrowser/1.0');
    expect(text).toMatch(/✓ Signaling server: ok — connected; round trip \d+ ms \(\d+ ms\)/);
    expect(text).toMatch(/✗ TURN over TLS: failed — error 701: TURN allocate request timed out\. \(\d+ ms\)\n {4}turns:turn\.example\.com:443\?transport=tcp/);
    expect(text).not.toContain(TURN.credential);
    expect(text).not.toContain(TURN.username);
  });

  it('marks checks that were not offered or not run with a dash', async () => {
    const { report } = await run({ state: 'closed' }, {});
    expect(formatDiagnosticsReport(report)).toContain('— Group call server (SFU): not tested — needs the connection to the server');
  });
});
