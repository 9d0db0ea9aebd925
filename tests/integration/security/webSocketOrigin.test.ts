import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_NAME, TOKEN_PROTOCOL_PREFIX } from '../../../common/protocol/index.js';
import type { ServerConfigInput } from '../../../signaling-server/config.js';
import { startTestServer, type TestServer } from '../../helpers/testServer.js';
import { register } from '../../helpers/wsClient.js';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.stop();
  srv = undefined;
});

/**
 * Open the WebSocket with a valid token as a page of `origin` would (undefined: no Origin, as a
 * non-browser client). Resolves with `open` and the first answer to `sync.state`, or with the
 * HTTP status the server refused the upgrade with.
 */
function openAs(wsUrl: string, token: string, origin: string | undefined, headers: Record<string, string> = {}): Promise<{ opened: boolean; status?: number }> {
  const socket = new WebSocket(wsUrl, [PROTOCOL_NAME, TOKEN_PROTOCOL_PREFIX + token], { headers: { ...(origin ? { Origin: origin } : {}), ...headers } });
  return new Promise((resolve, reject) => {
    socket.on('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode });
      socket.terminate();
    });
    socket.on('error', () => undefined);
    socket.on('close', (code) => reject(new Error(`closed with ${code} before answering`)));
    socket.on('open', () => socket.send(JSON.stringify({ id: 1, method: 'sync.state', data: {} })));
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { id?: number; result?: unknown };
      if (frame.id !== 1) return;
      expect(frame.result).toBeTruthy();
      socket.removeAllListeners('close');
      socket.close();
      resolve({ opened: true });
    });
  });
}

async function forbiddenCount(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^earshot_errors_total\{code="FORBIDDEN"\} (\d+)$/m.exec(text)?.[1] ?? 0);
}

async function serverWithAlice(config: ServerConfigInput = {}) {
  srv = await startTestServer({ config });
  const alice = await register(srv.url, 'alice');
  return { server: srv, token: alice.token, own: new URL(srv.url).origin, port: srv.port };
}

describe('WebSocket origin (cross-site WebSocket hijacking)', () => {
  it("refuses pages of other sites before the handshake, and lets in the server's own pages, the desktop app and clients that are not browsers", async () => {
    const { server, token, own, port } = await serverWithAlice();
    const foreign = [
      'https://evil.example',
      `http://127.0.0.1:${port + 1}`, // same host, another port: another origin
      `http://localhost:${port}`, // this server under another name is a page of another origin
      'http://127.0.0.1.evil.example',
      'null', // sandboxed frames, file:// pages
      'not a url',
    ];
    for (const origin of foreign) expect(await openAs(server.wsUrl, token, origin), origin).toEqual({ opened: false, status: 403 });
    expect(await forbiddenCount(server)).toBe(foreign.length);

    // The control: the same token from the app's own origins gets in.
    for (const origin of [own, own.toUpperCase(), 'app://earshot', undefined]) {
      expect(await openAs(server.wsUrl, token, origin), String(origin)).toEqual({ opened: true });
    }
  });

  it('takes the extra origins from corsOrigins, and the public host from a trusted proxy only', async () => {
    const { server, token } = await serverWithAlice({ corsOrigins: ['https://app.example'], trustProxy: false });
    expect(await openAs(server.wsUrl, token, 'https://app.example')).toEqual({ opened: true });
    expect(await openAs(server.wsUrl, token, 'app://earshot')).toEqual({ opened: false, status: 403 });
    // Behind a TLS-terminating proxy the page is https://talk.example; the proxy names it in X-Forwarded-Host.
    const viaProxy = { 'X-Forwarded-Host': 'talk.example' };
    expect(await openAs(server.wsUrl, token, 'https://talk.example', viaProxy)).toEqual({ opened: false, status: 403 });
    await server.stop();

    const trusting = await serverWithAlice({ trustProxy: true });
    expect(await openAs(trusting.server.wsUrl, trusting.token, 'https://talk.example', viaProxy)).toEqual({ opened: true });
    expect(await openAs(trusting.server.wsUrl, trusting.token, 'https://evil.example', viaProxy)).toEqual({ opened: false, status: 403 });
  });
});
