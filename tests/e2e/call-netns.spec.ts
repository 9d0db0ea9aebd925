import { expect, test } from '@playwright/test';
import { remotePeak } from '../helpers/audioProbe.js';
import { createDirect, finishCallTest, openConversation, openParticipant, type Participant } from '../helpers/callPages.js';
import { startCoturn, type Coturn } from '../helpers/coturn.js';
import { connectionPath, createTestNetwork, launchChromiumInNamespace, type TestNetwork } from '../helpers/netns.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { skipWithoutNamespaces } from '../helpers/namespaceSkip.js';

/**
 * The real Earshot client in two network namespaces: Alice in one, Bob in the other, the
 * signaling server and coturn on the host's veth addresses. Each page loads the app from the
 * host address its own namespace reaches.
 */
let srv: TestServer | undefined;
let coturn: Coturn | undefined;
let net: TestNetwork | undefined;
const people: Participant[] = [];

skipWithoutNamespaces('call-netns');

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test.afterEach(async ({}, testInfo) => {
  await finishCallTest(testInfo, srv, people);
  await coturn?.stop();
  await net?.destroy();
  srv = coturn = net = undefined;
});

const settings = { noiseSuppression: false, autoGainControl: false };

async function twoNamespaces() {
  net = await createTestNetwork({ clients: 2 });
  const [c0, c1] = net.clients;
  coturn = await startCoturn({ listenIps: net.hostIps, relayIp: net.hostIps[0], allowedPeers: [...net.hostIps, c0!.ip, c1!.ip] });
  // The server listens on every address so each namespace reaches it through its own gateway.
  srv = await startTestServer({ config: { host: '0.0.0.0', turnUrls: coturn.urlsFor(net.hostIps[0]!), turnSecret: coturn.secret } });
  const urlFor = (i: number) => `http://${net!.clients[i]!.gatewayIp}:${srv!.port}`;
  const inNamespace = (i: number) => (wav: string) => launchChromiumInNamespace(net!.clients[i]!.ns, { fakeAudioFile: wav, secureOrigins: [urlFor(i)] });
  const alice = await openParticipant(srv, 'alice', 'Alice', 440, { settings, launch: inNamespace(0), baseUrl: urlFor(0) });
  const bob = await openParticipant(srv, 'bob', 'Bob', 1000, { settings, launch: inNamespace(1), baseUrl: urlFor(1) });
  people.push(alice, bob);
  await createDirect(srv, alice, bob);
  await openConversation(alice.page, 'Bob');
  return { alice, bob, net };
}

async function call(alice: Participant, bob: Participant) {
  await alice.page.getByRole('button', { name: 'Call', exact: true }).click();
  await bob.page.getByRole('alertdialog', { name: 'Incoming call from Alice' }).getByRole('button', { name: 'Accept' }).click();
  const panel = alice.page.getByRole('region', { name: 'Call with Bob' });
  await expect(panel.getByRole('status')).toHaveText('Connected', { timeout: 20_000 });
  return panel;
}

async function expectTones(alice: Participant, bob: Participant) {
  await expect.poll(async () => Math.abs((await remotePeak(alice.page)).hz - 1000), { timeout: 15_000 }).toBeLessThan(15);
  await expect.poll(async () => Math.abs((await remotePeak(bob.page)).hz - 440), { timeout: 15_000 }).toBeLessThan(15);
}

test('with the direct UDP path blocked, the call connects through the TURN relay by itself and audio flows', async () => {
  const { alice, bob, net } = await twoNamespaces();
  await net.blockDirectUdp();
  const panel = await call(alice, bob);
  await expectTones(alice, bob);
  expect((await connectionPath(alice.page, bob.page)).path).toBe('relay');
  await expect(panel).toContainText('Relayed (TURN)');
});

test('when the direct path dies mid-call, ICE restarts and the call moves to the relay without hanging up', async () => {
  const { alice, bob, net } = await twoNamespaces();
  await call(alice, bob);
  await expectTones(alice, bob);
  await expect.poll(async () => (await connectionPath(alice.page, bob.page)).path, { timeout: 10_000 }).toBe('direct');
  await net.blockDirectUdp();
  // disconnected → (2 s) → ICE restart → a relay pair; both tones are back.
  await expect.poll(async () => (await connectionPath(alice.page, bob.page)).path, { timeout: 30_000 }).toBe('relay');
  await expectTones(alice, bob);
  await expect(alice.page.getByRole('region', { name: 'Call with Bob' }).getByRole('status')).toHaveText('Connected');
});
