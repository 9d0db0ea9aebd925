import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { IceConfig } from '../../../common/protocol/index.js';
import { mintIceConfig } from '../../../signaling-server/calls/TurnCredentials.js';
import { ConfigError, loadConfig } from '../../../signaling-server/config.js';
import { startCoturn, type Coturn } from '../../helpers/coturn.js';
import { startTestServer, type TestServer } from '../../helpers/testServer.js';
import { TurnClient } from '../../helpers/turnClient.js';
import { register, TestClient } from '../../helpers/wsClient.js';

const PRODUCTION_CONFIG = path.resolve(import.meta.dirname, '../../../deploy/coturn/turnserver.conf');

let coturn: Coturn | undefined;
let srv: TestServer | undefined;
const clients: TurnClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await srv?.stop();
  srv = undefined;
  await coturn?.stop();
  coturn = undefined;
});

/** The TURN entry of an ICE config as the server hands it out. */
function turnCredential(ice: IceConfig): { username: string; password: string; expiry: number; userId: string } {
  const server = ice.iceServers.find((s) => s.username !== undefined);
  if (!server?.username || !server.credential) throw new Error(`no TURN credential in ${JSON.stringify(ice)}`);
  const [expiry, userId] = server.username.split(':') as [string, string];
  return { username: server.username, password: server.credential, expiry: Number(expiry), userId };
}

/** Allocate a relay on `coturn` with these credentials; the client is closed after the test. */
async function allocate(turn: Coturn, username: string, password: string, family: 'ipv4' | 'ipv6' = 'ipv4') {
  const client = await TurnClient.open({ host: turn.listenIps[0]!, port: turn.port }, { username, password });
  clients.push(client);
  return { client, result: await client.allocate(family) };
}

describe('TURN credentials (TURN REST API, real coturn)', () => {
  it('allocates with a fresh credential from the server and refuses it after its expiry, and when its username or password is altered', async () => {
    const ttlSeconds = 600;
    coturn = await startCoturn();
    // The server's clock runs behind, so that the credentials it mints expire 4 s after they are
    // handed out, in real time (coturn's clock).
    const clock = { now: () => Date.now() - (ttlSeconds - 4) * 1000 };
    srv = await startTestServer({ clock, config: { turnUrls: coturn.urls, turnSecret: coturn.secret, turnTtlSeconds: ttlSeconds } });
    const alice = await register(srv.url, 'alice');
    const a = await TestClient.connect(srv.wsUrl, alice.token);
    const mintedAt = Math.floor(Date.now() / 1000);
    const { ice } = await a.request('diagnostics.ice', {});
    a.close();
    const credential = turnCredential(ice);
    expect(credential.userId).toBe(String(alice.user.id));
    expect(credential.expiry - mintedAt).toBeGreaterThanOrEqual(3);
    expect(credential.expiry - mintedAt).toBeLessThanOrEqual(5);
    expect(ice.expiresAt).toBe(credential.expiry * 1000);

    // Before expiry: coturn grants a relay.
    const fresh = await allocate(coturn, credential.username, credential.password);
    expect(fresh.result).toMatchObject({ ok: true, value: { relayed: { family: 'ipv4', address: coturn.relayIp } } });

    // Altered: a later expiry, another user, or a password not made with the shared secret.
    const later = `${credential.expiry + 86_400}:${credential.userId}`;
    const otherUser = `${credential.expiry}:${alice.user.id + 1}`;
    const wrongSecret = createHmac('sha1', `${coturn.secret}x`).update(credential.username).digest('base64');
    for (const [username, password] of [
      [later, credential.password],
      [otherUser, credential.password],
      [credential.username, wrongSecret],
    ] as const) {
      expect((await allocate(coturn, username, password)).result, `${username} / ${password}`).toEqual({ ok: false, code: 401, reason: 'Unauthorized' });
    }

    // After expiry: the very same credential no longer gets a relay.
    while (Date.now() / 1000 <= credential.expiry + 1) await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await allocate(coturn, credential.username, credential.password)).result).toEqual({ ok: false, code: 401, reason: 'Unauthorized' });
    // A relay granted before the expiry lives on (coturn checks the timestamp when a relay is
    // allocated, not on each later request); only new relays are refused.
    expect(await fresh.client.createPermission(coturn.relayIp)).toEqual({ ok: true, value: undefined });
  });

  it('never hands out a credential that lives longer than the configured lifetime, nor longer than an hour', async () => {
    const startedAt = Date.now();
    let now = startedAt;
    for (const ttlSeconds of [60, 600, 3600]) {
      srv = await startTestServer({ clock: { now: () => now }, config: { turnUrls: ['turn:127.0.0.1:3478'], turnSecret: 'secret', turnTtlSeconds: ttlSeconds } });
      const alice = await register(srv.url, 'alice');
      const bob = await register(srv.url, 'bob');
      const a = await TestClient.connect(srv.wsUrl, alice.token);
      const b = await TestClient.connect(srv.wsUrl, bob.token);
      // Every way a client gets credentials: the connection test, placing and accepting a call.
      const { conversation } = await a.request('conversations.createDirect', { userId: bob.user.id });
      now += 12_345;
      const issued = [(await a.request('diagnostics.ice', {})).ice];
      const placed = await a.request('call.place', { conversationId: conversation.id });
      issued.push(placed.ice);
      await b.waitFor('call.incoming');
      issued.push((await b.request('call.accept', { callId: placed.call.callId })).ice);
      for (const ice of issued) {
        const { expiry } = turnCredential(ice);
        expect(expiry - Math.floor(now / 1000)).toBe(ttlSeconds);
        expect(ice.expiresAt).toBe(expiry * 1000);
      }
      a.close();
      b.close();
      await srv.stop();
      srv = undefined;
    }
    // Longer lifetimes are refused at start, and the minting caps them even if asked directly.
    expect(() => loadConfig({ EARSHOT_TURN_TTL_SECONDS: '3601' })).toThrow(ConfigError);
    const ice = mintIceConfig({ stunUrls: [], turnUrls: ['turn:x'], turnSecret: 's', ttlSeconds: 86_400, iceTransportPolicy: 'all' }, 1, startedAt);
    expect(turnCredential(ice).expiry - Math.floor(startedAt / 1000)).toBe(3600);
  });
});

/** `denied-peer-ip` lines of a coturn config: each range's first and last address, or the single address. */
function deniedAddresses(configText: string): string[] {
  return configText
    .split('\n')
    .filter((line) => line.startsWith('denied-peer-ip='))
    .flatMap((line) => line.slice('denied-peer-ip='.length).trim().split('-'));
}

describe('coturn production config (deploy/coturn/turnserver.conf)', () => {
  it('refuses to relay to loopback, private, CGNAT, link-local and the other denied ranges, and relays to public addresses', async () => {
    const text = readFileSync(PRODUCTION_CONFIG, 'utf8');
    const active = text.split('\n').filter((line) => line.trim() && !line.trim().startsWith('#'));
    // Loopback is only relayed with this flag, and an allowed-peer-ip line would punch a hole.
    expect(active.filter((line) => /^(allow-loopback-peers|allowed-peer-ip)\b/.test(line))).toEqual([]);
    expect(active).toContain('no-multicast-peers');

    // coturn on that file: only ports, secret, realm, certificate and log are the test's own.
    coturn = await startCoturn({ configFile: PRODUCTION_CONFIG, extraRelayIps: ['::1'] });
    const credential = turnCredential(mintIceConfig({ stunUrls: [], turnUrls: coturn.urls, turnSecret: coturn.secret, ttlSeconds: 600, iceTransportPolicy: 'all' }, 1, Date.now()));
    const v4 = await allocate(coturn, credential.username, credential.password, 'ipv4');
    const v6 = await allocate(coturn, credential.username, credential.password, 'ipv6');
    expect(v4.result).toMatchObject({ ok: true, value: { relayed: { family: 'ipv4' } } });
    expect(v6.result).toMatchObject({ ok: true, value: { relayed: { family: 'ipv6' } } });
    const permit = (peer: string) => (isIPv4(peer) ? v4 : v6).client.createPermission(peer);

    // What must never be reachable through the relay, whatever the file's ranges say, plus both
    // ends of every range the file denies.
    const mustRefuse = [
      '127.0.0.1', '127.255.255.254', '0.0.0.0', '10.0.0.1', '10.200.3.4', '172.16.0.1', '172.31.255.254', '192.168.1.1',
      '169.254.169.254', '100.64.0.1', '100.127.255.254', '198.18.0.1', '224.0.0.1', '255.255.255.255',
      '::1', '::', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '64:ff9b::a00:1', 'fe80::1', 'fd00::1', 'fc00::1', 'ff02::1',
    ];
    const refused: string[] = [];
    const granted: string[] = [];
    for (const peer of [...new Set([...mustRefuse, ...deniedAddresses(text)])]) {
      const answer = await permit(peer);
      if (answer.ok) granted.push(peer);
      else {
        expect(answer, peer).toEqual({ ok: false, code: 403, reason: 'Forbidden IP' });
        refused.push(peer);
      }
    }
    expect(granted).toEqual([]);
    console.log(`coturn on the production config refused CreatePermission to ${refused.length} addresses`);

    // The control: public unicast addresses get their permission, so refusals are the policy at work.
    for (const peer of ['9.9.9.9', '1.0.0.1', '2606:4700:4700::1111', '2a00:1450:4001::1']) {
      expect(await permit(peer), peer).toEqual({ ok: true, value: undefined });
    }
  });
});
