import { mkdtempSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../../common/errors.js';
import { PROTOCOL_NAME, TOKEN_PROTOCOL_PREFIX } from '../../../common/protocol/index.js';
import { securityHeaderProblems } from '../../helpers/securityHeaders.js';
import { startTestServer, type TestServer } from '../../helpers/testServer.js';
import { register, TestClient } from '../../helpers/wsClient.js';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.stop();
  srv = undefined;
});

describe('HTTP surface', () => {
  it('serves /healthz and Prometheus /metrics with connection, message and error counters', async () => {
    srv = await startTestServer();
    expect(await (await fetch(`${srv.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const alice = await register(srv.url, 'alice');
    const a = await TestClient.connect(srv.wsUrl, alice.token);
    await a.request('sync.state', {});
    a.sendRaw('nope');
    await a.nextFrame((f) => f.event === 'protocol.error');
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    expect(text).toMatch(/^earshot_ws_connections 1$/m);
    expect(text).toMatch(/^earshot_ws_messages_received_total\{method="sync.state"\} 1$/m);
    expect(text).toMatch(/^earshot_errors_total\{code="BAD_REQUEST"\} 1$/m);
    a.close();
  });

  it('sends the security headers with every kind of response, and answers unknown API routes with a typed 404', async () => {
    const webRoot = mkdtempSync(path.join(os.tmpdir(), 'earshot-web-'));
    writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>Earshot</title><script src="app.js"></script>');
    writeFileSync(path.join(webRoot, 'app.js'), 'console.log(1);');
    // Two sign-in attempts per minute: the registration and the 400, so the third is the 429.
    srv = await startTestServer({ config: { webRoot, authAttemptsPerMinute: 2 } });
    const alice = await register(srv.url, 'alice');
    const url = srv.url;
    const page = await fetch(`${url}/`);
    const asset = await fetch(`${url}/app.js`);
    const responses: Array<[string, Response]> = [
      ['web client', page],
      ['script', asset],
      ['deep link (the client again)', await fetch(`${url}/conversation/12`)],
      ['304 revalidation', await fetch(`${url}/app.js`, { headers: { 'If-None-Match': asset.headers.get('etag') ?? '' } })],
      ['HEAD', await fetch(`${url}/`, { method: 'HEAD' })],
      ['API JSON', await fetch(`${url}/api/config`)],
      ['CORS preflight', await fetch(`${url}/api/login`, { method: 'OPTIONS', headers: { Origin: 'app://earshot', 'Access-Control-Request-Method': 'POST' } })],
      ['400', await fetch(`${url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' })],
      ['401', await fetch(`${url}/api/logout`, { method: 'POST' })],
      ['404 API', await fetch(`${url}/api/nothing-here`)],
      ['404 outside the API', await fetch(`${url}/`, { method: 'POST' })],
      ['429', await fetch(`${url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })],
      ['204', await fetch(`${url}/api/logout`, { method: 'POST', headers: { Authorization: `Bearer ${alice.token}` } })],
      ['/healthz', await fetch(`${url}/healthz`)],
      ['/metrics', await fetch(`${url}/metrics`)],
    ];
    expect(responses.map(([kind, res]) => `${kind} ${res.status}`)).toEqual([
      'web client 200', 'script 200', 'deep link (the client again) 200', '304 revalidation 304', 'HEAD 200', 'API JSON 200', 'CORS preflight 204',
      '400 400', '401 401', '404 API 404', '404 outside the API 404', '429 429', '204 204', '/healthz 200', '/metrics 200',
    ]);
    for (const [kind, res] of responses) expect(securityHeaderProblems(res.headers, { tls: false }), kind).toEqual([]);
    expect(await page.text()).toContain('<title>Earshot</title>');
    const notFound = responses.find(([kind]) => kind === '404 API')![1];
    expect(await notFound.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    // The check itself can fail: a response of some other server has none of these.
    expect(securityHeaderProblems(new Headers({ 'content-type': 'text/html' }), { tls: false })).toHaveLength(8);
  });
});

/** GET with exactly these request headers (fetch would add and undo Accept-Encoding itself). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

describe('web client', () => {
  it('serves the precompressed copy the browser accepts (brotli, then gzip), else the plain file', async () => {
    const webRoot = mkdtempSync(path.join(os.tmpdir(), 'earshot-web-'));
    const js = Buffer.from(`console.log(${JSON.stringify('x'.repeat(5000))});`);
    writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><script src="app.js"></script>');
    writeFileSync(path.join(webRoot, 'app.js'), js);
    writeFileSync(path.join(webRoot, 'app.js.br'), brotliCompressSync(js));
    writeFileSync(path.join(webRoot, 'app.js.gz'), gzipSync(js));
    srv = await startTestServer({ config: { webRoot } });

    const br = await rawGet(`${srv.url}/app.js`, { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/Accept-Encoding/i);
    expect(brotliDecompressSync(br.body).equals(js)).toBe(true);

    const gz = await rawGet(`${srv.url}/app.js`, { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(js)).toBe(true);

    const plain = await rawGet(`${srv.url}/app.js`, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(js)).toBe(true);
    expect(plain.headers['content-type']).toMatch(/javascript/);
  });
});

describe('lifecycle', () => {
  it('shuts down gracefully: sockets get 1001 with a reason, health reports shutting down, data is flushed', async () => {
    srv = await startTestServer();
    const alice = await register(srv.url, 'alice');
    const bob = await register(srv.url, 'bob');
    const a = await TestClient.connect(srv.wsUrl, alice.token);
    const { conversation } = await a.request('conversations.createDirect', { userId: bob.user.id });
    await a.request('messages.send', { conversationId: conversation.id, clientId: 'persist-0001', body: 'kept' });
    const dataDir = srv.dataDir;
    const port = srv.port;
    await srv.stop();
    expect(await a.closed()).toEqual({ code: CLOSE_CODES.GOING_AWAY, reason: 'server shutting down' });

    // Same data, same port: everything acknowledged before the stop is there.
    srv = await startTestServer({ dataDir, port });
    const again = await TestClient.connect(srv.wsUrl, alice.token);
    const history = await again.request('messages.history', { conversationId: conversation.id });
    expect(history.messages.map((m) => m.body)).toEqual(['kept']);
    again.close();
  });

  it('drops a peer that stops answering pings', async () => {
    srv = await startTestServer({ config: { heartbeatMs: 100 } });
    const alice = await register(srv.url, 'alice');
    const bob = await register(srv.url, 'bob');
    const a = await TestClient.connect(srv.wsUrl, alice.token);
    await a.request('conversations.createDirect', { userId: bob.user.id });
    await a.waitFor('presence.changed', (d) => d.userId === bob.user.id && d.status === 'offline');
    // A client whose pongs never come (a frozen laptop, a dead NAT mapping).
    const zombie = new WebSocket(srv.wsUrl, [PROTOCOL_NAME, TOKEN_PROTOCOL_PREFIX + bob.token], { autoPong: false });
    zombie.on('error', () => undefined);
    await a.waitFor('presence.changed', (d) => d.userId === bob.user.id && d.status === 'online');
    await a.waitFor('presence.changed', (d) => d.userId === bob.user.id && d.status === 'offline', 3000);
    expect(zombie.readyState).toBe(WebSocket.CLOSED);
    // A healthy client on the same server is not affected.
    await expect(a.request('sync.state', {})).resolves.toBeTruthy();
    a.close();
  });
});
