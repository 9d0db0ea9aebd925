import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../../common/errors.js';
import type { SessionResponse } from '../../../common/protocol/index.js';
import { runAdmin } from '../../../signaling-server/admin.js';
import { startTestServer, type TestServer } from '../../helpers/testServer.js';
import { postJson, register, TestClient } from '../../helpers/wsClient.js';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.stop();
  srv = undefined;
});

describe('accounts over HTTP', () => {
  it('registers, signs in, and never returns or logs the password', async () => {
    srv = await startTestServer();
    const reg = await postJson(srv.url, '/api/register', { username: 'alice', displayName: 'Alice', password: 'hunter2-but-longer' });
    expect(reg.status).toBe(201);
    expect(JSON.stringify(reg.body)).not.toContain('hunter2');
    const login = await postJson(srv.url, '/api/login', { username: 'alice', password: 'hunter2-but-longer' });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ user: { username: 'alice', displayName: 'Alice', role: 'member' } });
    const wrong = await postJson(srv.url, '/api/login', { username: 'alice', password: 'hunter3-but-longer' });
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'INVALID_CREDENTIALS' } } });
    const nobody = await postJson(srv.url, '/api/login', { username: 'nobody', password: 'whatever-long' });
    expect(nobody).toMatchObject({ status: 401, body: { error: { code: 'INVALID_CREDENTIALS' } } });
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(srv.logFile, 'utf8')).not.toContain('hunter');
    // Passwords are stored as scrypt hashes.
    const stored = await srv.server.store.getUserByUsername('alice');
    expect(stored!.passwordHash).toMatch(/^scrypt\$/);
  });

  it('rejects a taken username, bad input and closed registration with typed errors', async () => {
    srv = await startTestServer();
    await register(srv.url, 'alice');
    expect(await postJson(srv.url, '/api/register', { username: 'alice', displayName: 'A2', password: 'password-123' })).toMatchObject({
      status: 409,
      body: { error: { code: 'CONFLICT' } },
    });
    expect(await postJson(srv.url, '/api/register', { username: 'Bad Name!', displayName: 'x', password: 'password-123' })).toMatchObject({
      status: 400,
      body: { error: { code: 'BAD_REQUEST' } },
    });
    expect(await postJson(srv.url, '/api/register', '{not json')).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    await srv.stop();
    srv = await startTestServer({ config: { registration: 'closed' } });
    expect(await postJson(srv.url, '/api/register', { username: 'bob', displayName: 'Bob', password: 'password-123' })).toMatchObject({
      status: 403,
      body: { error: { code: 'REGISTRATION_CLOSED' } },
    });
    expect(await (await fetch(`${srv.url}/api/config`)).json()).toEqual({ registrationOpen: false, serverName: 'Earshot' });
  });

  it('limits sign-in attempts per address', async () => {
    srv = await startTestServer({ config: { authAttemptsPerMinute: 5 } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await postJson(srv.url, '/api/login', { username: 'alice', password: `guess-${i}-xxxx` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
  });

  it('expires tokens: an expired session is refused at the upgrade and mid-connection', async () => {
    let now = Date.now();
    srv = await startTestServer({ clock: { now: () => now }, config: { sessionTtlSeconds: 60 } });
    const alice = await register(srv.url, 'alice');
    const a = await TestClient.connect(srv.wsUrl, alice.token);
    await expect(a.request('sync.state', {})).resolves.toBeTruthy();
    now += 61_000;
    await expect(a.request('sync.state', {})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await a.closed()).code).toBe(CLOSE_CODES.UNAUTHENTICATED);
    const again = await TestClient.connect(srv.wsUrl, alice.token);
    expect((await again.closed()).code).toBe(CLOSE_CODES.UNAUTHENTICATED);
  });

  it('closes an idle socket whose session expired or was revoked by the admin tool within one heartbeat', async () => {
    let now = Date.now();
    srv = await startTestServer({ clock: { now: () => now }, config: { sessionTtlSeconds: 60, heartbeatMs: 200 } });
    const alice = await register(srv.url, 'alice');
    const bob = await register(srv.url, 'bob');
    const a = await TestClient.connect(srv.wsUrl, alice.token);
    const b = await TestClient.connect(srv.wsUrl, bob.token);
    await runAdmin(['revoke-sessions', 'bob'], srv.server.store, () => undefined);
    // Neither sends anything: the server notices by itself.
    expect((await b.closed()).code).toBe(CLOSE_CODES.UNAUTHENTICATED);
    expect(a.closeCode).toBeUndefined();
    now += 61_000;
    expect((await a.closed()).code).toBe(CLOSE_CODES.UNAUTHENTICATED);
  });

  it('refreshes a token: the new one works, the old one is revoked', async () => {
    srv = await startTestServer();
    const alice = await register(srv.url, 'alice');
    const a = await TestClient.connect(srv.wsUrl, alice.token);
    const { token } = await a.request('session.refresh', {});
    expect(token).not.toBe(alice.token);
    await expect(a.request('sync.state', {})).resolves.toBeTruthy();
    const fresh = await TestClient.connect(srv.wsUrl, token);
    await expect(fresh.request('sync.state', {})).resolves.toBeTruthy();
    const stale = await TestClient.connect(srv.wsUrl, alice.token);
    expect((await stale.closed()).code).toBe(CLOSE_CODES.UNAUTHENTICATED);
    a.close();
    fresh.close();
  });

  it("refreshes a guest's token without stretching the visit: the new token ends when the old one would have", async () => {
    let now = Date.now();
    srv = await startTestServer({ clock: { now: () => now } });
    const host = await register(srv.url, 'host');
    const h = await TestClient.connect(srv.wsUrl, host.token);
    const { conversation } = await h.request('conversations.createRoom', { title: 'Support', guestAccess: true });
    const guest = (await postJson(srv.url, '/api/guest', { conversationId: conversation.id, displayName: 'Visitor' })).body as unknown as SessionResponse;
    const g = await TestClient.connect(srv.wsUrl, guest.token);
    now += 3600_000;
    const refreshed = await g.request('session.refresh', {});
    expect(refreshed.expiresAt).toBe(guest.expiresAt);
    now = guest.expiresAt + 1000;
    const late = await TestClient.connect(srv.wsUrl, refreshed.token);
    expect((await late.closed()).code).toBe(CLOSE_CODES.UNAUTHENTICATED);
    // A member's refresh still gets a full new lifetime.
    const { expiresAt } = await h.request('session.refresh', {});
    expect(expiresAt).toBeGreaterThan(host.expiresAt);
    h.close();
    g.close();
  });
});

describe('CORS for the desktop app (app://earshot)', () => {
  it('answers the preflight and marks responses for an allowed origin only', async () => {
    srv = await startTestServer();
    const preflight = await fetch(`${srv.url}/api/login`, {
      method: 'OPTIONS',
      headers: { Origin: 'app://earshot', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('app://earshot');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('content-type');
    const config = await fetch(`${srv.url}/api/config`, { headers: { Origin: 'app://earshot' } });
    expect(config.headers.get('access-control-allow-origin')).toBe('app://earshot');

    const stranger = await fetch(`${srv.url}/api/login`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    expect(stranger.headers.get('access-control-allow-methods')).toBeNull();
    const direct = await fetch(`${srv.url}/api/config`, { headers: { Origin: 'https://evil.example' } });
    expect(direct.headers.get('access-control-allow-origin')).toBeNull();
  });
});
