import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, expect, test, type Page } from '@playwright/test';
import type { SessionResponse } from '../../common/protocol/index.js';
import { lanAddresses, startEmbeddedServer, startHostServer, type HostedServer } from '../../main/hostServer.js';
import { opusStats, remotePeak } from '../helpers/audioProbe.js';
import { finishCallTest, openConversation, openParticipant, type Participant } from '../helpers/callPages.js';
import { tonesHeard } from '../helpers/groupAudioProbe.js';
import { chromiumLaunchOptions } from '../helpers/chromium.js';
import { installDesktopBridge } from '../helpers/desktopBridge.js';
import { TestClient } from '../helpers/wsClient.js';

/**
 * "Host on this computer" with the real in-app server (main/hostServer.ts: https with the app's
 * own certificate, SQLite, the SFU announced on the LAN address) and Chromium: a browser on
 * the network opens the LAN address, may use the microphone there, and talks with the person
 * on the hosting computer. Chromium is told to accept the certificate by its key
 * (`--ignore-certificate-errors-spki-list`), standing in for a person who compared the
 * fingerprint and clicked through the warning; without that it refuses the page.
 *
 * What it cannot show: Electron's own trust of the certificate (security/certificateTrust.ts,
 * unit-tested) — no Electron binary here.
 */

const ALICE_HZ = 440;
const BOB_HZ = 1000;
const TOLERANCE_HZ = 15;
const settings = { noiseSuppression: false, autoGainControl: false };

const lanIp = lanAddresses(os.networkInterfaces())[0];
let hosted: HostedServer | undefined;
let userData: string | undefined;
const people: Participant[] = [];

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test.afterEach(async ({}, testInfo) => {
  await finishCallTest(testInfo, undefined, people);
  await hosted?.stop();
  hosted = undefined;
  if (userData) rmSync(userData, { recursive: true, force: true });
});

/** POST JSON over https, trusting exactly `ca`. */
function postJson(url: string, body: unknown, ca: Buffer): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', ca, headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as unknown) : null }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function register(baseUrl: string, username: string, displayName: string, ca: Buffer): Promise<SessionResponse> {
  const { status, json } = await postJson(`${baseUrl}/api/register`, { username, displayName, password: 'correct horse battery' }, ca);
  if (status !== 201) throw new Error(`register ${username}: ${status} ${JSON.stringify(json)}`);
  return json as SessionResponse;
}

async function hears(page: Page, hz: number) {
  await expect.poll(async () => Math.abs((await remotePeak(page)).hz - hz), { timeout: 15_000 }).toBeLessThan(TOLERANCE_HZ);
}

/** The remote addresses of the page's connected peer connections' selected candidate pairs. */
function remoteAddresses(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState === 'connected');
    const out: string[] = [];
    for (const pc of pcs) {
      const stats = await pc.getStats();
      stats.forEach((s: { type: string; state?: string; nominated?: boolean; remoteCandidateId?: string }) => {
        if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated) out.push(String((stats.get(s.remoteCandidateId!) as { address?: string } | undefined)?.address));
      });
    }
    return out;
  });
}

test('a browser on the network opens the in-app server over https, may use the microphone, and calls the host 1-on-1 and through its SFU', async () => {
  test.setTimeout(120_000);
  test.skip(!lanIp, 'this machine has no non-loopback IPv4 address to play the LAN with');
  userData = mkdtempSync(path.join(os.tmpdir(), 'earshot-hosted-'));
  hosted = await startHostServer({
    userDataDir: userData,
    webRoot: path.resolve('dist/renderer'),
    port: 0,
    interfaces: () => os.networkInterfaces(),
    start: (config) => startEmbeddedServer({ ...config, sfuWorkers: 1 }),
  });
  const lanUrl = hosted.lanUrls[0]!;
  expect(lanUrl).toBe(`https://${lanIp}:${new URL(hosted.url).port}`);
  const certPem = readFileSync(path.join(userData, 'server', 'tls', 'cert.pem'));
  const cert = new X509Certificate(certPem);
  expect(cert.fingerprint256).toBe(hosted.fingerprint);
  const spki = createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');

  // Why https: the same kind of page from http://<LAN address> is no secure context, so it gets no microphone.
  const plain = http.createServer((_req, res) => res.end('<!doctype html><title>plain</title>'));
  await new Promise<void>((resolve) => plain.listen(0, lanIp, resolve));
  const control = await chromium.launch(chromiumLaunchOptions());
  try {
    const page = await control.newPage();
    await page.goto(`http://${lanIp}:${(plain.address() as AddressInfo).port}/`);
    expect(await page.evaluate(() => ({ secure: window.isSecureContext, media: 'mediaDevices' in navigator }))).toEqual({ secure: false, media: false });
    // And a browser that was not told to accept the certificate refuses the https page: the warning people check the fingerprint at.
    await expect(page.goto(lanUrl)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
  } finally {
    await control.close();
    plain.close();
  }

  const alice = await register(hosted.url, 'alice', 'Alice', certPem);
  const bob = await register(hosted.url, 'bob', 'Bob', certPem);
  const launch = (wav: string) => chromium.launch(chromiumLaunchOptions({ fakeAudioFile: wav, trustedSpkis: [spki] }));
  // Alice uses the hosting app (its page on 127.0.0.1, a stand-in desktop bridge answering hostingInfo); Bob is elsewhere on the network.
  const hosting = { lanUrls: hosted.lanUrls, fingerprint: hosted.fingerprint };
  const alicePage = await openParticipant({ url: hosted.url }, 'alice', 'Alice', ALICE_HZ, {
    settings,
    launch,
    session: alice,
    prepare: (page) => installDesktopBridge(page, { hosting }),
  });
  people.push(alicePage);
  const bobPage = await openParticipant({ url: lanUrl }, 'bob', 'Bob', BOB_HZ, { settings, launch, session: bob });
  people.push(bobPage);
  expect(await bobPage.page.evaluate(() => window.isSecureContext)).toBe(true);

  // The host's settings say where others connect and which fingerprint their browser should show.
  await alicePage.page.getByRole('button', { name: 'Settings' }).click();
  const details = alicePage.page.getByRole('region', { name: 'Hosted on this computer' });
  await expect(details).toContainText(lanUrl);
  await expect(details.getByLabel('Certificate fingerprint')).toHaveText(hosted.fingerprint);
  // While hosting, the app uses its own server: the address setting says so and cannot be edited.
  const serverField = alicePage.page.getByRole('dialog', { name: 'Settings' }).getByLabel('Server address');
  await expect(serverField).toBeDisabled();
  await expect(serverField).toHaveAccessibleDescription(/uses the server it hosts/);
  await alicePage.page.keyboard.press('Escape');

  const client = await TestClient.connect(`${hosted.url.replace(/^https/, 'wss')}/ws`, bob.token, undefined, { ca: certPem });
  await client.request('conversations.createDirect', { userId: alice.user.id });
  await client.request('conversations.createGroup', { title: 'Office', memberIds: [alice.user.id] });
  client.close();

  await openConversation(bobPage.page, 'Alice');
  await bobPage.page.getByRole('button', { name: 'Call', exact: true }).click();
  await alicePage.page.getByRole('alertdialog', { name: 'Incoming call from Bob' }).getByRole('button', { name: 'Accept' }).click();
  await expect(bobPage.page.getByRole('region', { name: 'Call with Alice' }).getByRole('status')).toHaveText('Connected');
  await hears(alicePage.page, BOB_HZ);
  await hears(bobPage.page, ALICE_HZ);
  for (const p of [alicePage, bobPage]) {
    const stats = await opusStats(p.page);
    expect(stats.codec).toBe('audio/opus');
    expect(stats.sendKbps).toBeGreaterThan(16);
    expect(stats.recvPackets).toBeGreaterThan(0);
  }
  await bobPage.page.getByRole('button', { name: 'Hang up' }).click();
  await expect(alicePage.page.getByRole('region', { name: 'Call with Bob' })).toBeHidden();

  // A group call through the in-app SFU, which announces the LAN address: Bob's media goes there.
  for (const p of [alicePage, bobPage]) await openConversation(p.page, 'Office');
  await alicePage.page.getByRole('button', { name: 'Start voice call' }).click();
  const panelOf = (page: Page) => page.getByRole('region', { name: 'Voice call' });
  await expect(panelOf(alicePage.page).getByRole('status')).toHaveText('Connected');
  await bobPage.page.getByRole('main').getByRole('button', { name: 'Join call' }).click();
  await expect(panelOf(bobPage.page).getByRole('status')).toHaveText('Connected');
  const heard = (p: Participant, expected: number[]) =>
    expect.poll(() => tonesHeard(p.page, [ALICE_HZ, BOB_HZ]), { message: `${p.name} hears ${expected.join(' + ')}`, timeout: 20_000 }).toEqual(expected);
  await heard(bobPage, [ALICE_HZ]);
  await heard(alicePage, [BOB_HZ]);
  const addresses = await remoteAddresses(bobPage.page);
  expect(addresses.length).toBeGreaterThan(0);
  expect(new Set(addresses)).toEqual(new Set([lanIp]));
});
