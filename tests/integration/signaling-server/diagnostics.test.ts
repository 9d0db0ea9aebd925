import { existsSync } from 'node:fs';
import { workerBin } from 'mediasoup/node/lib/Worker.js';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requests, type SessionResponse } from '../../../common/protocol/index.js';
import { Sfu } from '../../../sfu/Sfu.js';
import { DEFAULT_SFU_OPTIONS } from '../../../sfu/SfuTypes.js';
import type { Principal } from '../../../signaling-server/auth/AuthService.js';
import type { ClientConnection } from '../../../signaling-server/ClientConnection.js';
import type { ServerConfigInput } from '../../../signaling-server/config.js';
import { DiagnosticsService } from '../../../signaling-server/diagnostics/DiagnosticsService.js';
import { startTestServer, TEST_RTC_PORTS, type TestServer } from '../../helpers/testServer.js';
import { postJson, register, RequestFailed, TestClient } from '../../helpers/wsClient.js';

/**
 * The connection test's requests on a real server: `diagnostics.ice` (the ICE servers a call
 * would get) and `diagnostics.sfuProbe` (a throwaway SFU transport): who may send them, what
 * bad input gets, and the probes' limits and lifetime. The browser side (ICE against the probe)
 * runs in tests/e2e/connection-test.spec.ts.
 */

// The worker binary is built by scripts/setup.sh; without it the SFU cases cannot run.
const hasWorker = existsSync(workerBin);
if (!hasWorker) console.warn(`[diagnostics] SFU cases SKIPPED: no mediasoup worker at ${workerBin} (run scripts/setup.sh)`);

const TURN_URLS = ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp', 'turns:127.0.0.1:5349?transport=tcp'];

let srv: TestServer | undefined;
let sfu: Sfu | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await srv?.stop();
  await sfu?.close();
  srv = sfu = undefined;
});

async function start(opts: { sfu?: boolean; config?: ServerConfigInput } = {}): Promise<TestServer> {
  srv = await startTestServer({ sfu: opts.sfu ?? false, config: { turnUrls: TURN_URLS, turnSecret: 'diagnostics-secret', stunUrls: ['stun:127.0.0.1:3478'], ...opts.config } });
  return srv;
}

async function connect(session: SessionResponse): Promise<TestClient> {
  const client = await TestClient.connect(srv!.wsUrl, session.token);
  clients.push(client);
  return client;
}

async function failure(promise: Promise<unknown>): Promise<RequestFailed> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RequestFailed);
  return error as RequestFailed;
}

/** A guest session of a fresh guest room owned by `owner`. */
async function guestOf(owner: TestClient): Promise<SessionResponse> {
  const { conversation } = await owner.request('conversations.createRoom', { title: 'Open door', guestAccess: true });
  const res = await postJson(srv!.url, '/api/guest', { conversationId: conversation.id, displayName: 'Visitor' });
  expect(res.status).toBe(201);
  return res.body as unknown as SessionResponse;
}

describe('diagnostics.ice', () => {
  it('gives any account the ICE servers its calls would get, with fresh TURN credentials, and says whether group calls run', async () => {
    await start();
    const alice = await register(srv!.url, 'alice', 'Alice');
    const a = await connect(alice);
    const answer = await a.request('diagnostics.ice', {});
    expect(requests['diagnostics.ice'].response.parse(answer)).toEqual(answer);
    expect(answer.groupCalls).toBe(false);
    expect(answer.ice.iceTransportPolicy).toBe('all');
    expect(answer.ice.iceServers).toEqual([
      { urls: ['stun:127.0.0.1:3478'] },
      { urls: TURN_URLS, username: expect.stringMatching(new RegExp(`^\\d+:${alice.user.id}$`)), credential: expect.any(String) },
    ]);
    // The same credentials the call engine would mint now.
    expect(answer.ice).toEqual(srv!.server.calls.iceConfigFor(alice.user.id));
  });

  it('is refused to a guest session (FORBIDDEN) and answers bad input with BAD_REQUEST', async () => {
    await start();
    const a = await connect(await register(srv!.url, 'alice', 'Alice'));
    const guest = await connect(await guestOf(a));
    expect((await failure(guest.request('diagnostics.ice', {}))).code).toBe('FORBIDDEN');
    for (const data of [{ extra: 1 }, [], 'x', 7]) {
      expect((await failure(a.request('diagnostics.ice', data as never))).code, JSON.stringify(data)).toBe('BAD_REQUEST');
    }
    // The socket is still fine.
    expect((await a.request('diagnostics.ice', {})).groupCalls).toBe(false);
  });
});

describe('diagnostics.sfuProbe', () => {
  it('answers UNAVAILABLE on a server without an SFU', async () => {
    await start();
    const a = await connect(await register(srv!.url, 'alice', 'Alice'));
    expect((await failure(a.request('diagnostics.sfuProbe', {}))).code).toBe('UNAVAILABLE');
  });

  describe.skipIf(!hasWorker)('on a real SFU', () => {
    it('opens a throwaway transport on the SFU: ICE-lite credentials, its UDP and TCP candidates and DTLS fingerprints', async () => {
      await start({ sfu: true });
      const a = await connect(await register(srv!.url, 'alice', 'Alice'));
      expect((await a.request('diagnostics.ice', {})).groupCalls).toBe(true);
      const probe = await a.request('diagnostics.sfuProbe', {});
      expect(requests['diagnostics.sfuProbe'].response.parse(probe)).toEqual(probe);
      expect(probe.iceCandidates.map((c) => [c.ip, c.protocol]).sort()).toEqual([
        ['127.0.0.1', 'tcp'],
        ['127.0.0.1', 'udp'],
      ]);
      for (const c of probe.iceCandidates) expect(c.port).toBeGreaterThanOrEqual(TEST_RTC_PORTS.min);
      expect(probe.dtlsFingerprints.map((f) => f.algorithm)).toContain('sha-256');
      expect(probe.expiresInMs).toBe(15_000);
      expect(srv!.server.diagnostics.openProbes).toBe(1);
    });

    it('keeps one probe per user (a new one replaces the old) and closes it with the socket', async () => {
      await start({ sfu: true });
      const alice = await register(srv!.url, 'alice', 'Alice');
      const a = await connect(alice);
      const first = await a.request('diagnostics.sfuProbe', {});
      const second = await a.request('diagnostics.sfuProbe', {});
      expect(second.probeId).not.toBe(first.probeId);
      expect(srv!.server.diagnostics.openProbes).toBe(1);
      const b = await connect(await register(srv!.url, 'bob', 'Bob'));
      await b.request('diagnostics.sfuProbe', {});
      expect(srv!.server.diagnostics.openProbes).toBe(2);
      a.close();
      await vi.waitFor(() => expect(srv!.server.diagnostics.openProbes).toBe(1));
    });

    it('is rate limited per user (RATE_LIMITED past the per-minute budget; other users unaffected)', async () => {
      await start({ sfu: true, config: { sfuProbesPerMinute: 2 } });
      const alice = await register(srv!.url, 'alice', 'Alice');
      const a = await connect(alice);
      await a.request('diagnostics.sfuProbe', {});
      await a.request('diagnostics.sfuProbe', {});
      expect((await failure(a.request('diagnostics.sfuProbe', {}))).code).toBe('RATE_LIMITED');
      // Another device of the same account shares the budget; another account has its own.
      const otherDevice = await connect(alice);
      expect((await failure(otherDevice.request('diagnostics.sfuProbe', {}))).code).toBe('RATE_LIMITED');
      const b = await connect(await register(srv!.url, 'bob', 'Bob'));
      await b.request('diagnostics.sfuProbe', {});
    });

    it('is refused to a guest session (FORBIDDEN) and answers bad input with BAD_REQUEST, opening nothing', async () => {
      await start({ sfu: true });
      const a = await connect(await register(srv!.url, 'alice', 'Alice'));
      const guest = await connect(await guestOf(a));
      expect((await failure(guest.request('diagnostics.sfuProbe', {}))).code).toBe('FORBIDDEN');
      for (const data of [{ transportId: 'x' }, [], 42]) {
        expect((await failure(a.request('diagnostics.sfuProbe', data as never))).code, JSON.stringify(data)).toBe('BAD_REQUEST');
      }
      expect(srv!.server.diagnostics.openProbes).toBe(0);
    });
  });
});

describe.skipIf(!hasWorker)('DiagnosticsService probes', () => {
  const principal = (id: number) => ({ user: { id } }) as unknown as Principal;
  const connection = {} as ClientConnection;
  const logger = pino({ level: 'silent' });

  async function service(options: { maxOpenProbes?: number; probeLifetimeMs?: number } = {}) {
    sfu = await Sfu.create({ ...DEFAULT_SFU_OPTIONS, numWorkers: 1, rtcMinPort: TEST_RTC_PORTS.min, rtcMaxPort: TEST_RTC_PORTS.max });
    return new DiagnosticsService({ sfu, clock: { now: () => Date.now() }, logger, iceConfigFor: () => ({ iceServers: [], iceTransportPolicy: 'all', expiresAt: 0 }), probesPerMinute: 100, ...options });
  }

  it('closes a probe nobody connected to after its lifetime', async () => {
    const diagnostics = await service({ probeLifetimeMs: 300 });
    await diagnostics.sfuProbe(principal(1), connection);
    expect(diagnostics.openProbes).toBe(1);
    await vi.waitFor(() => expect(diagnostics.openProbes).toBe(0), { timeout: 5000 });
  });

  it('refuses more open probes than the node allows (RATE_LIMITED), and allows more once one closed', async () => {
    const diagnostics = await service({ maxOpenProbes: 2 });
    await diagnostics.sfuProbe(principal(1), connection);
    await diagnostics.sfuProbe(principal(2), connection);
    await expect(diagnostics.sfuProbe(principal(3), connection)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    diagnostics.dispose();
    expect(diagnostics.openProbes).toBe(0);
    await diagnostics.sfuProbe(principal(3), connection);
    expect(diagnostics.openProbes).toBe(1);
    diagnostics.dispose();
  });
});
