import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLOSE_CODES } from '../../../common/errors.js';
import { PROTOCOL_NAME, type SessionResponse } from '../../../common/protocol/index.js';
import { runAdmin } from '../../../signaling-server/admin.js';
import { ServerConfig } from '../../../signaling-server/config.js';
import { dbSnapshot } from '../../helpers/dbSnapshot.js';
import { startTestServer, type TestServer } from '../../helpers/testServer.js';
import { postJson, postJsonFrom, register, TestClient } from '../../helpers/wsClient.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
/** The limits a server has when nobody configures them. */
const PRODUCT_DEFAULTS = ServerConfig.parse({});

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.stop();
  srv = undefined;
});

describe('accounts over HTTP', () => {
  it('never returns, logs or stores a password: registration, sign-in, bad input, sockets and the admin tool, logged at trace level', async () => {
    srv = await startTestServer({ config: { logLevel: 'trace' } });
    // Distinct markers, so that a hit anywhere means a password got there.
    const pw = {
      alice: 'alice-pw-7f3a9c41',
      duplicate: 'dupe-pw-52be0c17',
      wrong: 'wrong-pw-b81e2d90',
      inNameField: 'typed-pw-c0ffee42',
      tooShort: 'sh-pw9',
      tooLong: `long-pw-${'x'.repeat(300)}`,
      carol: 'carol-pw-4d6e0a88',
      carolShort: 'cs-pw7',
    };
    const answers: string[] = [];
    const post = async (path: string, body: unknown) => {
      const res = await postJson(srv!.url, path, body);
      answers.push(JSON.stringify([res.status, res.body, [...res.headers]]));
      return res;
    };

    expect((await post('/api/register', { username: 'alice', displayName: 'Alice', password: pw.alice })).status).toBe(201);
    expect((await post('/api/register', { username: 'alice', displayName: 'Alice 2', password: pw.duplicate })).status).toBe(409);
    expect((await post('/api/register', { username: 'bob', displayName: 'Bob', password: pw.tooShort })).status).toBe(400);
    expect((await post('/api/register', { username: 'bob', displayName: 'Bob', password: pw.tooLong })).status).toBe(400);
    const bob = await register(srv.url, 'bob');
    const login = await post('/api/login', { username: 'alice', password: pw.alice });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ user: { username: 'alice', displayName: 'Alice', role: 'member' } });
    expect(await post('/api/login', { username: 'alice', password: pw.wrong })).toMatchObject({ status: 401, body: { error: { code: 'INVALID_CREDENTIALS' } } });
    expect(await post('/api/login', { username: 'nobody', password: pw.wrong })).toMatchObject({ status: 401, body: { error: { code: 'INVALID_CREDENTIALS' } } });
    // The password typed into the name field (it happens) is no name to log.
    expect(await post('/api/login', { username: pw.inNameField, password: pw.alice })).toMatchObject({ status: 401 });

    // Everything the sockets carry while users look each other up and talk.
    const a = await TestClient.connect(srv.wsUrl, String(login.body!.token));
    const b = await TestClient.connect(srv.wsUrl, bob.token);
    for (const client of [a, b]) client.socket.on('message', (raw) => answers.push(String(raw)));
    const { users } = await b.request('users.search', { query: 'ali' });
    expect(users.map((u) => u.username)).toContain('alice');
    const { conversation } = await b.request('conversations.createDirect', { userId: (login.body!.user as { id: number }).id });
    await b.request('messages.send', { conversationId: conversation.id, clientId: 'pw-check-0001', body: 'hi' });
    await a.waitFor('message.new');
    await a.request('sync.state', {});
    await a.request('session.refresh', {});
    a.close();
    b.close();

    // The admin tool, as an operator runs it, with a good and a too short password. (Not
    // spawnSync: a blocked event loop would miss the server closing idle keep-alive connections.)
    const admin = async (password: string) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'signaling-server/admin.ts', 'add-user', 'carol', 'Carol'], {
        cwd: ROOT,
        env: { ...process.env, EARSHOT_DATA_DIR: srv!.dataDir, EARSHOT_ADMIN_PASSWORD: password },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += String(d)));
      child.stderr.on('data', (d) => (stderr += String(d)));
      const [status] = (await once(child, 'close')) as [number];
      return { status, stdout, stderr };
    };
    const added = await admin(pw.carol);
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^added carol \(id \d+, role member\)$/m);
    const refused = await admin(pw.carolShort);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('invalid password');
    answers.push(added.stdout, added.stderr, refused.stdout, refused.stderr);
    expect((await post('/api/login', { username: 'carol', password: pw.carol })).status).toBe(200);

    // Stored as scrypt hashes only; no answer carries even the hash.
    const hashes = (dbSnapshot(srv.dataDir).users as Array<{ username: string; password_hash: string }>).map((u) => u.password_hash);
    expect(hashes.length).toBe(3);
    for (const hash of hashes) expect(hash).toMatch(/^scrypt\$\d+\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    const everything = answers.join('\n');
    for (const hash of hashes) expect(everything).not.toContain(hash.split('$').at(-1));

    // The log (every level down to trace), every answer and every byte of the data folder (the
    // database, its WAL, the log) hold none of them. The markers would be found: the same scan
    // finds the user names.
    const log = readFileSync(srv.logFile, 'utf8');
    expect(log).toContain('"msg":"failed sign-in"');
    expect(log).toMatch(/"level":20,/); // debug lines are there too
    const files = readdirSync(srv.dataDir).map((name) => ({ name, bytes: readFileSync(path.join(srv!.dataDir, name)) }));
    expect(files.map((f) => f.name)).toEqual(expect.arrayContaining(['earshot.db', 'server.log']));
    expect(files.some((f) => f.bytes.includes('carol'))).toBe(true);
    for (const secret of Object.values(pw)) {
      const marker = secret.slice(0, 12);
      expect(everything, `an answer holds ${marker}`).not.toContain(marker);
      for (const file of files) expect(file.bytes.includes(marker), `${file.name} holds ${marker}`).toBe(false);
    }
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

  it('holds the per-address limit through a 1,000-guess loop: RATE_LIMITED with Retry-After for every guess past it, the right password too, whatever the name, without hashing', async () => {
    let now = Date.now();
    const { authAttemptsPerMinute: perAddress } = PRODUCT_DEFAULTS;
    srv = await startTestServer({ clock: { now: () => now }, config: { authAttemptsPerMinute: perAddress, loginAttemptsPerAccount: 1_000_000 } });
    for (const name of ['alice', 'bob']) await srv.server.auth.createUser({ username: name, displayName: name, password: `${name}-right-pw`, role: 'member' });
    // Every password check runs scrypt: counting logins counts hashes.
    const login = vi.spyOn(srv.server.auth, 'login');
    const guesser = '127.0.0.2';

    const names = ['alice', 'bob', 'carol-not-here', 'ALICE'];
    const answers: Array<Awaited<ReturnType<typeof postJsonFrom>>> = [];
    const startedAt = performance.now();
    let next = 0;
    // 1,000 wrong guesses, 25 in flight at a time, as fast as the server answers.
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        for (let i = next++; i < 1000; i = next++) {
          answers.push(await postJsonFrom(guesser, srv!.url, '/api/login', { username: names[i % names.length], password: `guess-${i}-xxxxxx` }));
        }
      }),
    );
    const seconds = (performance.now() - startedAt) / 1000;
    console.log(`1,000 guesses from one address in ${seconds.toFixed(2)} s (${Math.round(1000 / seconds)}/s); ${login.mock.calls.length} reached the password check`);

    const refused = answers.filter((r) => r.status === 429);
    expect(answers.filter((r) => r.status === 401)).toHaveLength(perAddress);
    expect(refused).toHaveLength(1000 - perAddress);
    for (const r of refused) {
      expect(r.body).toMatchObject({ error: { code: 'RATE_LIMITED' } });
      expect(r.headers.get('retry-after')).toBe('60');
    }
    expect(login).toHaveBeenCalledTimes(perAddress);

    // Still limited: the right password, any name. Another address is not.
    expect(await postJsonFrom(guesser, srv.url, '/api/login', { username: 'alice', password: 'alice-right-pw' })).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
    expect(await postJsonFrom(guesser, srv.url, '/api/register', { username: 'dave', displayName: 'Dave', password: 'dave-right-pw' })).toMatchObject({ status: 429 });
    expect((await postJsonFrom('127.0.0.3', srv.url, '/api/login', { username: 'alice', password: 'alice-right-pw' })).status).toBe(200);
    expect(await (await fetch(`${srv.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(login).toHaveBeenCalledTimes(perAddress + 1);

    // Retry-After tells the truth: once it has passed, the guesser's address may sign in again.
    now += 59_000;
    expect((await postJsonFrom(guesser, srv.url, '/api/login', { username: 'alice', password: 'alice-right-pw' })).status).toBe(429);
    now += 1_000;
    expect((await postJsonFrom(guesser, srv.url, '/api/login', { username: 'alice', password: 'alice-right-pw' })).status).toBe(200);
  });

  it('limits guesses at one account spread over many addresses, the same for a name nobody has, and leaves other accounts alone', async () => {
    let now = Date.now();
    const { authAttemptsPerMinute, loginAttemptsPerAccount: perAccount } = PRODUCT_DEFAULTS;
    srv = await startTestServer({ clock: { now: () => now }, config: { authAttemptsPerMinute, loginAttemptsPerAccount: perAccount } });
    for (const name of ['alice', 'bob']) await srv.server.auth.createUser({ username: name, displayName: name, password: `${name}-right-pw`, role: 'member' });
    const login = vi.spyOn(srv.server.auth, 'login');

    // 40 addresses, 2 guesses each: far under each address's limit, over the account's.
    const guessFromEverywhere = async (username: string, subnet: number) => {
      const statuses = await Promise.all(
        Array.from({ length: 80 }, (_, i) => postJsonFrom(`127.0.${subnet}.${1 + (i % 40)}`, srv!.url, '/api/login', { username, password: `guess-${i}-xxxxxx` })),
      );
      return statuses;
    };
    const atAlice = await guessFromEverywhere('alice', 10);
    expect(atAlice.filter((r) => r.status === 401)).toHaveLength(perAccount);
    const refused = atAlice.filter((r) => r.status === 429);
    expect(refused).toHaveLength(80 - perAccount);
    for (const r of refused) {
      expect(r.body).toMatchObject({ error: { code: 'RATE_LIMITED' } });
      expect(r.headers.get('retry-after')).toBe(String(15 * 60));
    }
    expect(login).toHaveBeenCalledTimes(perAccount);

    // A name nobody has is limited alike, so the limit does not tell which accounts exist.
    const atNobody = await guessFromEverywhere('nobody-here', 11);
    expect(atNobody.map((r) => r.status).sort()).toEqual(atAlice.map((r) => r.status).sort());

    // Alice's right password waits, from a fresh address too (the price of the limit); Bob is unaffected.
    expect(await postJsonFrom('127.0.12.1', srv.url, '/api/login', { username: 'alice', password: 'alice-right-pw' })).toMatchObject({ status: 429 });
    expect((await postJsonFrom('127.0.10.1', srv.url, '/api/login', { username: 'bob', password: 'bob-right-pw' })).status).toBe(200);
    now += 15 * 60_000;
    expect((await postJsonFrom('127.0.12.1', srv.url, '/api/login', { username: 'alice', password: 'alice-right-pw' })).status).toBe(200);
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
    // Nothing is credentialed: no origin, allowed or not, is let in with cookies.
    for (const res of [preflight, config, stranger, direct]) expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('uses no cookies: none is set, a cookie carrying a token authenticates nothing, and a cross-site form cannot sign in', async () => {
    srv = await startTestServer();
    const reg = await postJson(srv.url, '/api/register', { username: 'alice', displayName: 'Alice', password: 'long-enough-pw' });
    const login = await postJson(srv.url, '/api/login', { username: 'alice', password: 'long-enough-pw' });
    for (const res of [reg, login]) expect(res.headers.get('set-cookie')).toBeNull();
    const token = String(login.body!.token);

    // Another site's page can make the browser send cookies, never headers or subprotocols it
    // does not know: a token in a cookie is ignored, by the API and by the WebSocket.
    const evil = { Origin: 'https://evil.example', Cookie: `token=${token}; session=${token}` };
    expect(await postJson(srv.url, '/api/logout', {}, evil)).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
    const cookieOnly = new WebSocket(srv.wsUrl, [PROTOCOL_NAME], { headers: { Origin: new URL(srv.url).origin, Cookie: evil.Cookie } });
    cookieOnly.on('error', () => undefined);
    const [code] = (await once(cookieOnly, 'close')) as [number];
    expect(code).toBe(CLOSE_CODES.UNAUTHENTICATED);
    // A form post (the only cross-site POST without a preflight) is not JSON, so it signs in nobody.
    const form = await fetch(`${srv.url}/api/login`, {
      method: 'POST',
      headers: { Origin: 'https://evil.example', 'Content-Type': 'text/plain' },
      body: JSON.stringify({ username: 'alice', password: 'long-enough-pw' }),
    });
    expect(form.status).toBe(400);
    expect(await form.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    // The token itself still works (the control), as a header.
    const a = await TestClient.connect(srv.wsUrl, token);
    await expect(a.request('sync.state', {})).resolves.toBeTruthy();
    expect((await postJson(srv.url, '/api/logout', {}, { Authorization: `Bearer ${token}` })).status).toBe(204);
    expect((await a.closed()).code).toBe(CLOSE_CODES.SESSION_REVOKED);
  });
});
