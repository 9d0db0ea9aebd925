import { test as base, expect, type Browser, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mintIceConfig } from '../../signaling-server/calls/TurnCredentials.js';
import { installAudioProbe, opusStats, remotePeak } from '../helpers/audioProbe.js';
import { startCoturn, type Coturn } from '../helpers/coturn.js';
import { canCreateNamespaces, connectionPath, createTestNetwork, launchChromiumInNamespace, type TestNetwork } from '../helpers/netns.js';
import { makeTone } from '../helpers/tones.js';

/**
 * The network harness for "two clients whose direct UDP path is blocked still connect through
 * TURN", proven with a minimal reference page (plain RTCPeerConnection, no Earshot UI): two
 * Chromiums, each in its own network namespace with its own microphone tone, coturn listening
 * on the host's veth addresses, SDP and ICE candidates passed between the pages by the test.
 */

/** The reference page: microphone → RTCPeerConnection → remote track played by an <audio>. */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>netns harness</title>
<script>
  let pc;
  const pending = [];
  const send = (msg) => window.sendSignal(JSON.parse(JSON.stringify(msg)));
  window.netnsRef = {
    async start(userId) {
      const ice = await (await fetch('/ice?user=' + userId)).json();
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      pc = new RTCPeerConnection({ iceServers: ice.iceServers, iceTransportPolicy: ice.iceTransportPolicy });
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
      pc.onicecandidate = (e) => e.candidate && send({ candidate: e.candidate });
      pc.ontrack = (e) => {
        // Chromium feeds remote WebRTC audio to WebAudio only while a media element plays it.
        const audio = document.createElement('audio');
        audio.muted = true;
        audio.autoplay = true;
        audio.srcObject = e.streams[0] ?? new MediaStream([e.track]);
        document.body.append(audio);
        audio.play().catch(() => {});
      };
    },
    async call() {
      await pc.setLocalDescription();
      send({ description: pc.localDescription });
    },
    async receive(msg) {
      if (msg.description) {
        await pc.setRemoteDescription(msg.description);
        for (const c of pending.splice(0)) await pc.addIceCandidate(c);
        if (msg.description.type === 'offer') {
          await pc.setLocalDescription();
          send({ description: pc.localDescription });
        }
      } else if (pc.remoteDescription) {
        await pc.addIceCandidate(msg.candidate);
      } else {
        pending.push(msg.candidate);
      }
    },
    state: () => pc?.connectionState ?? 'none',
  };
</script>
`;

/** What the reference page exposes to the test. */
interface ReferencePage {
  /** Fetch ICE servers + TURN credentials, open the microphone, create the RTCPeerConnection. */
  start(userId: number): Promise<void>;
  /** Make and send the offer. */
  call(): Promise<void>;
  /** Apply a description or candidate from the other page. */
  receive(msg: unknown): Promise<void>;
  state(): RTCPeerConnectionState | 'none';
}

declare global {
  interface Window {
    netnsRef: ReferencePage;
  }
}

interface Peer {
  browser: Browser;
  page: Page;
  /** The page's origin, on the host's address on this client's veth. */
  origin: string;
}

interface Harness {
  net: TestNetwork;
  coturn: Coturn;
  /** Open the reference page in a Chromium inside client `i`'s namespace with a `toneHz` microphone. */
  open(i: number, toneHz: number): Promise<Peer>;
  /** Wire two pages' signaling together, start both and let `a` make the offer. */
  connect(a: Peer, b: Peer): Promise<void>;
}

const test = base.extend<{ harness: Harness }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take the fixtures object first.
  harness: async ({}, use, testInfo) => {
    const probe = await canCreateNamespaces();
    if (!probe.ok) {
      console.warn(`[netns-harness] skipped: ${probe.reason}`);
      testInfo.skip(true, probe.reason);
      return;
    }
    const net = await createTestNetwork({ clients: 2 });
    const cleanups: (() => Promise<unknown>)[] = [() => net.destroy()];
    const peers: Peer[] = [];
    const signalErrors: string[] = [];
    const consoleErrors: string[] = [];
    let coturnLog: string | undefined;
    let setupError: unknown;
    try {
      const coturn = await startCoturn({
        listenIps: net.hostIps,
        relayIp: net.hostIps[0],
        allowedPeers: [...net.clients.map((c) => c.ip), net.hostIps[0]!],
      });
      cleanups.unshift(() => coturn.stop());
      coturnLog = coturn.logFile;

      // The page server, on the host's veth addresses only (one listener per address).
      const handler: http.RequestListener = (req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        if (url.pathname === '/ice') {
          const turnUrls = coturn.urlsFor(req.socket.localAddress!.replace(/^::ffff:/, ''));
          const ice = mintIceConfig({ stunUrls: [], turnUrls, turnSecret: coturn.secret, ttlSeconds: 600, iceTransportPolicy: 'all' }, Number(url.searchParams.get('user')), Date.now());
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(ice));
        } else if (url.pathname === '/favicon.ico') {
          res.writeHead(204).end();
        } else if (url.pathname === '/') {
          res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
        } else {
          res.writeHead(404).end();
        }
      };
      const origins: string[] = [];
      for (const ip of net.hostIps) {
        const server = http.createServer(handler);
        await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, ip, resolve));
        cleanups.unshift(() => new Promise((resolve) => server.close(resolve)));
        origins.push(`http://${ip}:${(server.address() as AddressInfo).port}`);
      }

      const harness: Harness = {
        net,
        coturn,
        open: async (i, toneHz) => {
          const origin = origins[i]!;
          const browser = await launchChromiumInNamespace(net.clients[i]!.ns, { fakeAudioFile: await makeTone(toneHz, 30), secureOrigins: [origin] });
          const page = await browser.newPage();
          const peer = { browser, page, origin };
          peers.push(peer);
          page.on('console', (m) => m.type() === 'error' && consoleErrors.push(`page ${i}: ${m.text()}`));
          await installAudioProbe(page);
          await page.goto(origin);
          expect(await page.evaluate(() => window.isSecureContext), `${origin} must be a secure context (--unsafely-treat-insecure-origin-as-secure)`).toBe(true);
          return peer;
        },
        connect: async (a, b) => {
          // Messages from one page are delivered to the other in order, one at a time.
          for (const [from, to] of [
            [a, b],
            [b, a],
          ] as const) {
            let chain = Promise.resolve();
            await from.page.exposeFunction('sendSignal', (msg: unknown) => {
              chain = chain
                .then(() => to.page.evaluate((m) => window.netnsRef.receive(m), msg))
                .catch((error: Error) => void signalErrors.push(`signal ${from.origin} → ${to.origin}: ${error.message}`));
            });
          }
          const start = (p: Peer, userId: number) => p.page.evaluate((id) => window.netnsRef.start(id), userId);
          await Promise.all([start(a, 1), start(b, 2)]);
          await a.page.evaluate(() => window.netnsRef.call());
          for (const p of [a, b])
            await expect
              .poll(() => p.page.evaluate(() => window.netnsRef.state()), { message: `${p.origin} connects`, timeout: 15_000 })
              .toBe('connected');
          expect(signalErrors, 'every SDP and ICE candidate was applied').toEqual([]);
        },
      };
      await use(harness);
    } catch (error) {
      setupError = error;
    }
    // Teardown, also after a failed setup: browsers, page servers, coturn, then the network.
    {
      if (setupError !== undefined || testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('signaling-errors.txt', { body: [...signalErrors, ...consoleErrors].join('\n') || '(none)', contentType: 'text/plain' });
        if (coturnLog) await testInfo.attach('turnserver.log', { body: readFileSync(coturnLog, 'utf8'), contentType: 'text/plain' }).catch(() => undefined);
      }
      for (const p of peers) await p.browser.close().catch(() => undefined);
      const errors: unknown[] = [];
      for (const cleanup of cleanups) await cleanup().catch((error: unknown) => errors.push(error));
      if (setupError !== undefined) throw setupError;
      if (errors.length > 0) throw errors[0];
    }
  },
});

test.describe.configure({ timeout: 30_000 });

test('with direct UDP blocked, two namespaced clients connect through TURN and hear each other', async ({ harness }) => {
  await harness.net.blockDirectUdp();
  const [a, b] = await Promise.all([harness.open(0, 440), harness.open(1, 880)]);
  await harness.connect(a!, b!);

  // Judged from both ends (see connectionPath); the failure message shows both selected pairs.
  await expect.poll(() => connectionPath(a!.page, b!.page), { message: 'both ends use a pair through the TURN relay' }).toMatchObject({ path: 'relay' });
  console.log(`[netns-harness] relayed: ${JSON.stringify((await connectionPath(a!.page, b!.page)).ends)}`);
  // Each page hears the other's tone through the relay.
  await expect.poll(async () => (await remotePeak(a!.page, 1000)).hz, { message: 'client 0 hears 880 Hz', timeout: 10_000 }).toBeCloseTo(880, -2);
  await expect.poll(async () => (await remotePeak(b!.page, 1000)).hz, { message: 'client 1 hears 440 Hz', timeout: 10_000 }).toBeCloseTo(440, -2);
  // (Not opusStats().path: it reads one end only, which can see the relay as `prflx`.)
  const stats = await opusStats(a!.page, 1000);
  expect(stats.codec).toBe('audio/opus');
  expect(stats.recvPackets).toBeGreaterThan(0);
});

test('control: without the block, the two clients connect directly (host pair)', async ({ harness }) => {
  const [a, b] = await Promise.all([harness.open(0, 440), harness.open(1, 880)]);
  await harness.connect(a!, b!);
  // ICE may nominate a relay pair first and move to the better host pair a moment later.
  const [ipA, ipB] = harness.net.clients.map((c) => c.ip);
  const hostPair = (local: string) => ({ local: { type: 'host', address: local, protocol: 'udp' }, remoteResolved: 'host' });
  await expect
    .poll(() => connectionPath(a!.page, b!.page), { message: 'both ends use the direct host-to-host UDP pair' })
    .toMatchObject({ path: 'direct', ends: [hostPair(ipA!), hostPair(ipB!)] });
  console.log(`[netns-harness] direct: ${JSON.stringify((await connectionPath(a!.page, b!.page)).ends)}`);
  await expect.poll(async () => (await remotePeak(a!.page, 1000)).hz, { message: 'client 0 hears 880 Hz', timeout: 10_000 }).toBeCloseTo(880, -2);
});
