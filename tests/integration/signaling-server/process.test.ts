import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_NAME, TOKEN_PROTOCOL_PREFIX } from '../../../common/protocol/index.js';
import { securityHeaderProblems } from '../../helpers/securityHeaders.js';
import { startTestServer, type TestServer } from '../../helpers/testServer.js';
import { postJson, toHeaders } from '../../helpers/wsClient.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
let child: ChildProcess | undefined;
let srv: TestServer | undefined;
afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  await srv?.stop();
  srv = undefined;
});

/** Start `signaling-server/main.ts` as `npm start` would, configured only through the environment. */
async function startProcess(env: Record<string, string>): Promise<{ url: string; output: () => string }> {
  child = spawn(process.execPath, ['--import', 'tsx', 'signaling-server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, EARSHOT_HOST: '127.0.0.1', EARSHOT_PORT: '0', EARSHOT_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    child!.stdout!.on('data', () => {
      const match = /Earshot server ready: (\S+?)\/\s/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child!.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return { url, output: () => output };
}

describe('server process', () => {
  it('reads EARSHOT_* configuration and exits cleanly on SIGTERM with sockets closed and data flushed', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'earshot-proc-'));
    const { url } = await startProcess({ EARSHOT_DATA_DIR: dataDir, EARSHOT_REGISTRATION: 'open', EARSHOT_SERVER_NAME: 'Proc Test' });
    expect(await (await fetch(`${url}/api/config`)).json()).toEqual({ registrationOpen: true, serverName: 'Proc Test' });
    const reg = await postJson(url, '/api/register', { username: 'alice', displayName: 'Alice', password: 'long-enough-pw' });
    expect(reg.status).toBe(201);
    const socket = new WebSocket(`${url.replace('http', 'ws')}/ws`, [PROTOCOL_NAME, TOKEN_PROTOCOL_PREFIX + String(reg.body!.token)]);
    await once(socket, 'open');
    const closed = once(socket, 'close');
    child!.kill('SIGTERM');
    const [code, reason] = (await closed) as [number, Buffer];
    expect(code).toBe(1001);
    expect(reason.toString()).toBe('server shutting down');
    const [exitCode] = (await once(child!, 'exit')) as [number];
    expect(exitCode).toBe(0);
    child = undefined;

    // The account written before SIGTERM is in the database the next server opens.
    srv = await startTestServer({ dataDir });
    expect((await postJson(srv.url, '/api/login', { username: 'alice', password: 'long-enough-pw' })).status).toBe(200);
  });

  it('refuses to start on invalid configuration with a clear message', async () => {
    await expect(startProcess({ EARSHOT_PORT: 'eighty' })).rejects.toThrow(/EARSHOT_PORT must be a number/);
  });
});

describe('TLS', () => {
  it('serves https and wss when given a certificate and key', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-tls-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    srv = await startTestServer({ config: { tlsCert: cert, tlsKey: key } });
    expect(srv.url).toMatch(/^https:/);
    const ca = [readFileSync(cert)];
    const get = (pathname: string) =>
      new Promise<{ status: number; headers: Headers; body: string }>((resolve, reject) =>
        https.get(`${srv!.url}${pathname}`, { ca }, (res) => {
          let text = '';
          res.on('data', (d) => (text += String(d)));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: toHeaders(res.headers), body: text }));
        }).on('error', reject),
      );
    const health = await get('/healthz');
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    // Over TLS every answer also pins the browser to https (HSTS): health, API, errors, metrics.
    const answers = { health, config: await get('/api/config'), notFound: await get('/api/nothing'), metrics: await get('/metrics') };
    expect(Object.values(answers).map((a) => a.status)).toEqual([200, 200, 404, 200]);
    for (const [kind, answer] of Object.entries(answers)) expect(securityHeaderProblems(answer.headers, { tls: true }), kind).toEqual([]);
    const reg = await new Promise<{ token: string }>((resolve, reject) => {
      const req = https.request(`${srv!.url}/api/register`, { ca, method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += String(d)));
        res.on('end', () => resolve(JSON.parse(text) as { token: string }));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ username: 'alice', displayName: 'Alice', password: 'long-enough-pw' }));
    });
    const socket = new WebSocket(`${srv.wsUrl}`, [PROTOCOL_NAME, TOKEN_PROTOCOL_PREFIX + reg.token], { ca });
    await once(socket, 'open');
    expect(srv.wsUrl).toMatch(/^wss:/);
    socket.close();
  });
});
