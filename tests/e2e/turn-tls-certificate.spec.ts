import { chromium, expect, test, type Browser } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { mintIceConfig } from '../../signaling-server/calls/TurnCredentials.js';
import { chromiumLaunchOptions, launchChromium } from '../helpers/chromium.js';
import { startCoturn, type Coturn } from '../helpers/coturn.js';

/**
 * What Chromium does with a TURN server's TLS certificate (`turns:`), the fact the TURN/TLS
 * call tests rely on: it verifies it like an https certificate, so coturn's self-signed test
 * certificate is refused unless the test browser is told to trust that key. Production needs a
 * certificate valid for the TURN host name from a CA the clients trust (README, TURN).
 */
let coturn: Coturn | undefined;
let browser: Browser | undefined;

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test.afterEach(async ({}, testInfo) => {
  if (coturn && testInfo.status !== testInfo.expectedStatus) {
    await testInfo.attach('turnserver.log', { body: readFileSync(coturn.logFile), contentType: 'text/plain' }).catch(() => undefined);
  }
  await browser?.close();
  await coturn?.stop();
  browser = coturn = undefined;
});

/** Relay-only ICE gathering against coturn's `turns:` URL alone: the relay candidates' URLs and the ICE errors. */
async function gatherOverTls(b: Browser, turn: Coturn): Promise<{ relays: string[]; errors: string[] }> {
  const ice = mintIceConfig({ stunUrls: [], turnUrls: turn.urlsFor('127.0.0.1', ['tls']), turnSecret: turn.secret, ttlSeconds: 600, iceTransportPolicy: 'relay' }, 1, Date.now());
  const page = await b.newPage();
  return page.evaluate(async (config) => {
    const pc = new RTCPeerConnection({ iceServers: config.iceServers, iceTransportPolicy: 'relay' });
    const relays: string[] = [];
    const errors: string[] = [];
    pc.onicecandidateerror = (e) => errors.push(`${e.errorCode} ${e.errorText}`);
    await new Promise<void>((resolve) => {
      setTimeout(resolve, 30_000);
      pc.onicecandidate = ({ candidate }) => {
        if (!candidate) resolve();
        else relays.push(String((candidate as RTCIceCandidate & { url?: string }).url));
      };
      pc.createDataChannel('probe');
      void pc.setLocalDescription();
    });
    pc.close();
    return { relays, errors };
  }, ice);
}

test('Chromium refuses a TURN server whose TLS certificate it cannot verify (ICE error 701, no relay)', async () => {
  coturn = await startCoturn({ tls: true });
  browser = await launchChromium();
  const { relays, errors } = await gatherOverTls(browser, coturn);
  expect(relays).toEqual([]);
  expect(errors.some((e) => e.startsWith('701'))).toBe(true);
});

test('trusting the certificate’s key (--ignore-certificate-errors-spki-list) gives a relay over TLS', async () => {
  coturn = await startCoturn({ tls: true });
  browser = await chromium.launch(chromiumLaunchOptions({ trustedSpkis: [coturn.certificate!.spkiSha256] }));
  const { relays, errors } = await gatherOverTls(browser, coturn);
  expect(relays).toEqual(coturn.urlsFor('127.0.0.1', ['tls']));
  expect(errors).toEqual([]);
});
