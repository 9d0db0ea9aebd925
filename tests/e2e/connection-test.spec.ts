import { chromium, expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { chromiumLaunchOptions } from '../helpers/chromium.js';
import { finishCallTest, openParticipant, type Participant } from '../helpers/callPages.js';
import { startCoturn, type Coturn } from '../helpers/coturn.js';
import { canCreateNamespaces, createTestNetwork, launchChromiumInNamespace, type TestNetwork } from '../helpers/netns.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

/**
 * "Test my connection" in settings, against real servers: coturn serving TURN over UDP, TCP and
 * TLS (self-signed certificate, trusted by key in the test browser), the signaling server and
 * the SFU. On an open network every check passes; from a network namespace that can send no
 * UDP, STUN and TURN over UDP fail while TURN over TCP and TLS and the SFU still work.
 */
let srv: TestServer | undefined;
let coturn: Coturn | undefined;
let net: TestNetwork | undefined;
const people: Participant[] = [];

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test.afterEach(async ({}, testInfo) => {
  if (coturn && testInfo.status !== testInfo.expectedStatus) {
    await testInfo.attach('turnserver.log', { body: readFileSync(coturn.logFile), contentType: 'text/plain' }).catch(() => undefined);
  }
  if (testInfo.status !== testInfo.expectedStatus) {
    for (const p of people) await testInfo.attach(`${p.name}-results.txt`, { body: await resultsText(p.page).catch(() => ''), contentType: 'text/plain' });
  }
  await finishCallTest(testInfo, srv, people);
  await coturn?.stop();
  await net?.destroy();
  srv = coturn = net = undefined;
});

test.describe.configure({ timeout: 120_000 });

const LABELS = {
  signaling: 'Signaling server',
  stun: 'STUN',
  turnUdp: 'TURN over UDP',
  turnTcp: 'TURN over TCP',
  turnTls: 'TURN over TLS',
  sfu: 'Group call server (SFU)',
} as const;

function results(page: Page): Locator {
  return page.getByRole('list', { name: 'Connection test results' });
}

function check(page: Page, label: string): Locator {
  return results(page).getByRole('listitem').filter({ hasText: `${label}:` });
}

/** The result lines as people read them, one per check. */
async function resultsText(page: Page): Promise<string> {
  return (await results(page).getByRole('listitem').allInnerTexts()).map((line) => line.replace(/\s+/g, ' ')).join('\n');
}

/** Open settings, click "Test my connection" and wait until the test has finished. */
async function runConnectionTest(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.getByRole('button', { name: 'Test my connection' }).click();
  await expect(dialog.getByRole('status').filter({ hasText: /Test finished/ })).toBeVisible({ timeout: 60_000 });
  console.log(`[connection-test]\n${await resultsText(page)}`);
  return dialog;
}

test('on an open network every check passes, and "Copy report" puts a plain-text report on the clipboard', async () => {
  coturn = await startCoturn({ tls: true });
  srv = await startTestServer({ sfu: true, config: { turnUrls: coturn.urls, turnSecret: coturn.secret } });
  const trustedSpkis = [coturn.certificate!.spkiSha256];
  const alice = await openParticipant(srv, 'alice', 'Alice', 440, { launch: (wav) => chromium.launch(chromiumLaunchOptions({ fakeAudioFile: wav, trustedSpkis })) });
  people.push(alice);
  await alice.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.url });

  const dialog = await runConnectionTest(alice.page);
  for (const label of Object.values(LABELS)) await expect(check(alice.page, label), label).toContainText(`${label}: ok`);
  await expect(check(alice.page, LABELS.turnTls)).toContainText('relay address');
  await expect(check(alice.page, LABELS.sfu)).toContainText('ICE connected');
  await expect(dialog.getByRole('status').filter({ hasText: 'Test finished' })).toHaveText('Test finished: 6 ok.');
  // The SFU saw the checks too, and closed its throwaway transport soon after.
  expect(readFileSync(srv.logFile, 'utf8')).toContain('connection test reached the SFU');
  await expect.poll(() => srv!.server.diagnostics.openProbes, { message: 'the probe transport is closed once ICE connected' }).toBe(0);

  await dialog.getByRole('button', { name: 'Copy report' }).click();
  await expect(dialog.getByText('Report copied')).toBeVisible();
  const report = await alice.page.evaluate(() => navigator.clipboard.readText());
  expect(report).toContain('Earshot connection test');
  for (const label of Object.values(LABELS)) expect(report).toContain(`✓ ${label}: ok`);
  expect(report).toContain(coturn.urlsFor('127.0.0.1', ['tls'])[0]);
  // The TURN password never lands in a support ticket.
  expect(report).not.toMatch(/credential|password/i);
});

test('from a network that lets no UDP out, STUN and TURN over UDP fail while TURN over TCP and TLS and the SFU pass', async () => {
  const probe = await canCreateNamespaces();
  if (!probe.ok) console.warn(`[connection-test] skipped: ${probe.reason}`);
  test.skip(!probe.ok, probe.reason);

  net = await createTestNetwork({ clients: 1 });
  const hostIp = net.hostIps[0]!;
  coturn = await startCoturn({ listenIps: net.hostIps, relayIp: hostIp, allowedPeers: [...net.hostIps, net.clients[0]!.ip], tls: true });
  srv = await startTestServer({ sfu: true, sfuOptions: { listenIp: hostIp, enableTcp: true }, config: { host: '0.0.0.0', turnUrls: coturn.urlsFor(hostIp), turnSecret: coturn.secret } });
  await net.blockAllUdp(0);
  const origin = `http://${net.clients[0]!.gatewayIp}:${srv.port}`;
  const trustedSpkis = [coturn.certificate!.spkiSha256];
  const launch = (wav: string) => launchChromiumInNamespace(net!.clients[0]!.ns, { fakeAudioFile: wav, secureOrigins: [origin], trustedSpkis });
  const alice = await openParticipant(srv, 'alice', 'Alice', 440, { launch, baseUrl: origin });
  people.push(alice);

  const dialog = await runConnectionTest(alice.page);
  await expect(check(alice.page, LABELS.signaling)).toContainText('ok');
  await expect(check(alice.page, LABELS.stun)).toContainText(`${LABELS.stun}: failed`);
  await expect(check(alice.page, LABELS.turnUdp)).toContainText(`${LABELS.turnUdp}: failed`);
  await expect(check(alice.page, LABELS.turnTcp)).toContainText(`${LABELS.turnTcp}: ok`);
  await expect(check(alice.page, LABELS.turnTls)).toContainText(`${LABELS.turnTls}: ok`);
  // The SFU offers ICE over TCP too: reached directly over TCP or relayed over TCP/TLS, never over UDP.
  await expect(check(alice.page, LABELS.sfu)).toContainText(/ok — ICE connected (direct over TCP|through TURN over (TCP|TLS))/);
  await expect(dialog.getByRole('status').filter({ hasText: 'Test finished' })).toHaveText('Test finished: 4 ok, 2 failed.');
});
