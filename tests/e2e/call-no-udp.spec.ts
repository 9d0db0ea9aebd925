import { chromium, expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { remotePeak } from '../helpers/audioProbe.js';
import { chromiumLaunchOptions } from '../helpers/chromium.js';
import { createDirect, createGroup, finishCallTest, openConversation, openParticipant, type Participant } from '../helpers/callPages.js';
import { startCoturn, type Coturn } from '../helpers/coturn.js';
import { tonesHeard } from '../helpers/groupAudioProbe.js';
import { connectionPath, createTestNetwork, iceSnapshot, iceSnapshots, launchChromiumInNamespace, type IceSnapshot, type TestNetwork } from '../helpers/netns.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { skipWithoutNamespaces } from '../helpers/namespaceSkip.js';

/**
 * Calls from networks that let no UDP out at all, only TCP to the servers: the real Earshot
 * client in network namespaces (netns.ts) whose every outgoing UDP packet is dropped, coturn
 * listening on UDP, TCP and TLS on the host's veth addresses, and the signaling server (and the
 * SFU) on the host. The server offers all three TURN URLs with the same credentials; the
 * browser has to find the one that works.
 *
 * coturn's TLS certificate is self-signed (coturn.ts); Chromium checks TURN server
 * certificates, so each browser trusts that one key (chromium.ts `trustedSpkis`).
 */
let srv: TestServer | undefined;
let coturn: Coturn | undefined;
let net: TestNetwork | undefined;
const people: Participant[] = [];

skipWithoutNamespaces('call-no-udp');

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test.afterEach(async ({}, testInfo) => {
  if (coturn && testInfo.status !== testInfo.expectedStatus) {
    await testInfo.attach('turnserver.log', { body: readFileSync(coturn.logFile), contentType: 'text/plain' }).catch(() => undefined);
  }
  await finishCallTest(testInfo, srv, people);
  await coturn?.stop();
  await net?.destroy();
  srv = coturn = net = undefined;
});

// Busy 2-core machines: two or three Chromiums, coturn, the server and mediasoup side by side.
test.describe.configure({ timeout: 120_000 });

/** Steady test tones are exactly what noise suppression removes: switch it off, as a user can. */
const settings = { noiseSuppression: false, autoGainControl: false };

/** The relay transports a selected pair may use when UDP is out of the question. */
const TCP_OR_TLS = /^(tcp|tls)$/;

interface NetworkOptions {
  /** Offer coturn's URLs (UDP, TCP, TLS) to clients. Default true. */
  turn?: boolean;
  /** Run an SFU listening on the first host address; `enableTcp` as given. Default: no SFU. */
  sfu?: { enableTcp: boolean };
}

/**
 * A test network of `clients` namespaces, coturn with TLS on the host's veth addresses, and the
 * signaling server on every address (each namespace reaches it through its own gateway). TURN
 * URLs and the SFU use the first host address, which every namespace reaches through its gateway
 * and the host reaches locally. coturn may relay to the clients and to the host addresses (the
 * other relay, the SFU).
 */
async function network(clients: number, opts: NetworkOptions = {}) {
  net = await createTestNetwork({ clients });
  const hostIp = net.hostIps[0]!;
  coturn = await startCoturn({ listenIps: net.hostIps, relayIp: hostIp, allowedPeers: [...net.hostIps, ...net.clients.map((c) => c.ip)], tls: true });
  const turn = opts.turn === false ? {} : { turnUrls: coturn.urlsFor(hostIp), turnSecret: coturn.secret };
  const sfu = opts.sfu ? { sfu: true, sfuOptions: { listenIp: hostIp, enableTcp: opts.sfu.enableTcp } } : {};
  srv = await startTestServer({ ...sfu, config: { host: '0.0.0.0', ...turn } });
  return { net, coturn, srv };
}

/**
 * Which TURN URLs of the app's ICE configuration give this page a relay: a throwaway
 * RTCPeerConnection with the app's own servers and credentials (`getConfiguration()` of its
 * call connection) gathers relay candidates only, and each candidate names the URL it came from
 * (`RTCIceCandidate.url`). Resolves with the sorted URLs once `expected` of them arrived, or
 * gathering ended, or `timeoutMs` passed. (The call's own connection cannot tell: Chromium
 * stops gathering at the first working pair and drops relays still being allocated, and
 * Chromium 156 leaves `relayProtocol` null on a candidate relayed over UDP.)
 */
async function relayUrlsOf(page: Page, expected: number, timeoutMs = 30_000): Promise<string[]> {
  return page.evaluate(
    async ({ expected, timeoutMs }) => {
      const app = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.find((pc) => pc.connectionState !== 'closed');
      if (!app) throw new Error('no call connection on this page');
      const pc = new RTCPeerConnection({ iceServers: app.getConfiguration().iceServers ?? [], iceTransportPolicy: 'relay' });
      const urls = new Set<string>();
      try {
        await new Promise<void>((resolve) => {
          setTimeout(resolve, timeoutMs);
          pc.onicecandidate = ({ candidate }) => {
            const url = (candidate as (RTCIceCandidate & { url?: string | null }) | null)?.url;
            if (candidate && url) urls.add(url);
            if (!candidate || urls.size >= expected) resolve();
          };
          pc.createDataChannel('relay-probe');
          void pc.setLocalDescription();
        });
      } finally {
        pc.close();
      }
      return [...urls].sort();
    },
    { expected, timeoutMs },
  );
}

/** Open `name`'s app in a Chromium inside client `i`'s namespace, trusting coturn's certificate. */
async function openInNamespace(i: number, username: string, name: string, toneHz: number): Promise<Participant> {
  const origin = `http://${net!.clients[i]!.gatewayIp}:${srv!.port}`;
  const trustedSpkis = [coturn!.certificate!.spkiSha256];
  const launch = (wav: string) => launchChromiumInNamespace(net!.clients[i]!.ns, { fakeAudioFile: wav, secureOrigins: [origin], trustedSpkis });
  const person = await openParticipant(srv!, username, name, toneHz, { settings, launch, baseUrl: origin });
  people.push(person);
  return person;
}

/** Alice calls Bob, Bob accepts; resolves with both call panels once both say Connected. */
async function call(alice: Participant, bob: Participant): Promise<[Locator, Locator]> {
  await createDirect(srv!, alice, bob);
  await openConversation(alice.page, 'Bob');
  await alice.page.getByRole('button', { name: 'Call', exact: true }).click();
  await bob.page.getByRole('alertdialog', { name: 'Incoming call from Alice' }).getByRole('button', { name: 'Accept' }).click();
  const panels: [Locator, Locator] = [alice.page.getByRole('region', { name: 'Call with Bob' }), bob.page.getByRole('region', { name: 'Call with Alice' })];
  for (const panel of panels) await expect(panel.getByRole('status')).toHaveText('Connected', { timeout: 45_000 });
  return panels;
}

/** Each side hears the other's tone (FFT peak within 15 Hz). */
async function expectTones(alice: Participant, bob: Participant): Promise<void> {
  for (const [listener, speaker] of [
    [alice, bob],
    [bob, alice],
  ] as const) {
    await expect
      .poll(async () => Math.abs((await remotePeak(listener.page)).hz - speaker.toneHz), { message: `${listener.name} hears ${speaker.toneHz} Hz`, timeout: 30_000 })
      .toBeLessThan(15);
  }
}

/** How this page's end of the 1-on-1 call reaches the TURN server: its selected pair's local relay candidate. */
async function relayProtocolOf(page: Page): Promise<string> {
  const pair = (await iceSnapshot(page)).pair;
  return pair?.local.type === 'relay' ? (pair.local.relayProtocol ?? '?') : `not relayed (${JSON.stringify(pair)})`;
}

test('a client that can send no UDP at all calls through TURN over TCP or TLS, hears and is heard, and the call shows as relayed', async () => {
  const { net, coturn } = await network(2);
  // Alice's network lets only TCP out, and only to the host (signaling server, coturn).
  await net.blockAllUdp(0);
  await net.blockDirect();
  const alice = await openInNamespace(0, 'alice', 'Alice', 440);
  const bob = await openInNamespace(1, 'bob', 'Bob', 1000);
  const panels = await call(alice, bob);
  await expectTones(alice, bob);

  await expect.poll(() => relayProtocolOf(alice.page), { message: "Alice's selected pair is relayed over TCP or TLS" }).toMatch(TCP_OR_TLS);
  expect((await connectionPath(alice.page, bob.page)).path).toBe('relay');
  for (const panel of panels) await expect(panel).toContainText('Relayed (TURN)');
  await expect(panels[0]).toContainText(/Relayed \(TURN\) over (TCP|TLS)/);
  // The server offered all three ways in with one set of credentials: Bob, whose UDP is fine,
  // got a relay through each; Alice only through TCP and TLS.
  const offered = coturn.urlsFor(net.hostIps[0]!);
  expect(offered).toEqual([expect.stringMatching(/^turn:.*\?transport=udp$/), expect.stringMatching(/^turn:.*\?transport=tcp$/), expect.stringMatching(/^turns:.*\?transport=tcp$/)]);
  expect(await relayUrlsOf(bob.page, 3), 'Bob gets a relay through each offered TURN URL').toEqual([...offered].sort());
  expect(await relayUrlsOf(alice.page, 2), 'Alice gets relays through TURN over TCP and TLS').toEqual(offered.filter((u) => !u.endsWith('transport=udp')).sort());
  console.log(`[call-no-udp] one side without UDP: ${JSON.stringify((await connectionPath(alice.page, bob.page)).ends)}`);
});

test('when neither side can send UDP, both relay over TCP or TLS and the call carries audio both ways', async () => {
  const { net } = await network(2);
  await net.blockAllUdp(0);
  await net.blockAllUdp(1);
  await net.blockDirect();
  const alice = await openInNamespace(0, 'alice', 'Alice', 440);
  const bob = await openInNamespace(1, 'bob', 'Bob', 1000);
  const panels = await call(alice, bob);
  await expectTones(alice, bob);

  for (const p of [alice, bob]) await expect.poll(() => relayProtocolOf(p.page), { message: `${p.name}'s selected pair is relayed over TCP or TLS` }).toMatch(TCP_OR_TLS);
  expect((await connectionPath(alice.page, bob.page)).path).toBe('relay');
  for (const panel of panels) await expect(panel).toContainText('Relayed (TURN)');
  console.log(`[call-no-udp] neither side with UDP: ${JSON.stringify((await connectionPath(alice.page, bob.page)).ends)}`);
});

test('when only TURN over TLS gets out (no UDP, plain TURN port blocked), the call connects through turns: with audio', async () => {
  const { net, coturn } = await network(2);
  // Alice: no UDP, and coturn's plain TCP port is blocked too — only its TLS port is left.
  await net.blockAllUdp(0);
  await net.blockTcpPort(0, coturn.port);
  // Bob: no UDP either, but TURN over TCP works for him.
  await net.blockAllUdp(1);
  await net.blockDirect();
  const alice = await openInNamespace(0, 'alice', 'Alice', 440);
  const bob = await openInNamespace(1, 'bob', 'Bob', 1000);
  const panels = await call(alice, bob);
  await expectTones(alice, bob);

  await expect.poll(() => relayProtocolOf(alice.page), { message: "Alice's selected pair is relayed over TLS" }).toBe('tls');
  await expect.poll(() => relayProtocolOf(bob.page), { message: "Bob's selected pair is relayed over TCP or TLS" }).toMatch(TCP_OR_TLS);
  // The first relay Alice gets at all comes through TLS (UDP and plain TCP would answer faster if they got through).
  expect(await relayUrlsOf(alice.page, 1)).toEqual(coturn.urlsFor(net.hostIps[0]!, ['tls']));
  for (const panel of panels) await expect(panel).toContainText('Relayed (TURN)');
  // What a support agent asks about: Alice's panel says how her relay gets out.
  await expect(panels[0]).toContainText('Relayed (TURN) over TLS');
  console.log(`[call-no-udp] TLS only: ${JSON.stringify((await connectionPath(alice.page, bob.page)).ends)}`);
});

// ---------------------------------------------------------------------------------------------
// Group calls: the participant without UDP must reach the SFU too.
// ---------------------------------------------------------------------------------------------

const ALICE_HZ = 440;
const BOB_HZ = 660;
const panelOf = (page: Page): Locator => page.getByRole('region', { name: 'Voice call' });

/** Which of the two tones `p` hears now (through the SFU). */
const heard = (p: Participant) => tonesHeard(p.page, [ALICE_HZ, BOB_HZ]);

/**
 * Alice (in namespace 0, no UDP out, nothing but TCP to the host; with `onlyTls` not even to
 * coturn's plain TURN port) starts a group call and Bob (a browser on the host, nothing
 * blocked) joins; each must hear the other's tone through the SFU. Resolves with the selected
 * pairs of Alice's two mediasoup transports (send, receive).
 */
async function groupCallWithoutUdp(opts: { onlyTls?: boolean } = {}): Promise<IceSnapshot[]> {
  await net!.blockAllUdp(0);
  if (opts.onlyTls) await net!.blockTcpPort(0, coturn!.port);
  const alice = await openInNamespace(0, 'alice', 'Alice', ALICE_HZ);
  const bob = await openParticipant(srv!, 'bob', 'Bob', BOB_HZ, { settings, launch: launchChromiumOnHost });
  people.push(bob);
  await createGroup(srv!, alice, [bob], 'Team');
  for (const p of [alice, bob]) await openConversation(p.page, 'Team');

  await alice.page.getByRole('button', { name: 'Start voice call' }).click();
  await expect(panelOf(alice.page).getByRole('status')).toHaveText('Connected', { timeout: 45_000 });
  await bob.page.getByRole('main').getByRole('button', { name: 'Join call' }).click();
  await expect(panelOf(bob.page).getByRole('status')).toHaveText('Connected', { timeout: 45_000 });

  await expect.poll(() => heard(bob), { message: 'Bob hears Alice (who has no UDP)', timeout: 45_000 }).toEqual([ALICE_HZ]);
  await expect.poll(() => heard(alice), { message: 'Alice hears Bob', timeout: 45_000 }).toEqual([BOB_HZ]);
  // Both mediasoup transports (send and receive) have a selected pair.
  let snapshots: IceSnapshot[] = [];
  await expect
    .poll(
      async () => {
        snapshots = await iceSnapshots(alice.page);
        return snapshots.filter((s) => s.pair !== null).length;
      },
      { message: "both of Alice's transports selected a pair" },
    )
    .toBe(2);
  return snapshots;
}

/** Bob's browser: on the host, outside the test network (it trusts coturn's certificate all the same). */
function launchChromiumOnHost(wav: string): Promise<Browser> {
  return chromium.launch(chromiumLaunchOptions({ fakeAudioFile: wav, trustedSpkis: [coturn!.certificate!.spkiSha256] }));
}

test('group call: a participant without UDP reaches the SFU over ICE-TCP, joins and is heard', async () => {
  // No TURN offered: the only way in for Alice is mediasoup's own TCP candidates.
  await network(1, { turn: false, sfu: { enableTcp: true } });
  const pairs = await groupCallWithoutUdp();
  for (const { pair } of pairs) {
    // Alice's active TCP candidate (signalled as port 9) shows up as `prflx` once its real port is known.
    expect(pair!.local).toMatchObject({ type: expect.stringMatching(/^(host|prflx)$/), protocol: 'tcp' });
    expect(pair!.remote).toMatchObject({ type: 'host', address: net!.hostIps[0], protocol: 'tcp' });
  }
  console.log(`[call-no-udp] group, ICE-TCP to the SFU: ${JSON.stringify(pairs.map((s) => s.pair))}`);
});

for (const onlyTls of [false, true]) {
  const way = onlyTls ? 'TLS (plain TURN port blocked too)' : 'TCP';
  test(`group call: with the SFU offering UDP only, a participant without UDP joins through TURN over ${way} and is heard`, async () => {
    // The SFU has no TCP candidates: Alice's only way to it is a TURN relay (coturn → SFU over UDP).
    await network(1, { sfu: { enableTcp: false } });
    const pairs = await groupCallWithoutUdp({ onlyTls });
    for (const { pair } of pairs) {
      expect(pair!.local.type).toBe('relay');
      expect(pair!.local.relayProtocol).toMatch(onlyTls ? /^tls$/ : TCP_OR_TLS);
      expect(pair!.remote).toMatchObject({ address: net!.hostIps[0], protocol: 'udp' });
    }
    console.log(`[call-no-udp] group, TURN over ${way} to the SFU: ${JSON.stringify(pairs.map((s) => s.pair))}`);
  });
}
