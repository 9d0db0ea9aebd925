import Database from 'better-sqlite3';
import path from 'node:path';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../../common/errors.js';
import { PROTOCOL_NAME, TOKEN_PROTOCOL_PREFIX, type SessionResponse } from '../../../common/protocol/index.js';
import { startTestServer, type TestServer } from '../../helpers/testServer.js';
import { postJson, register, TestClient } from '../../helpers/wsClient.js';

let srv: TestServer;
let alice: SessionResponse;
let bob: SessionResponse;
let conversationId: number;
let a: TestClient;

/** Every row of every table: "stored data is unchanged" means this is equal before and after. */
function snapshot(): Record<string, unknown[]> {
  const db = new Database(path.join(srv.dataDir, 'earshot.db'), { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
    return Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY 1, 2`).all()]));
  } finally {
    db.close();
  }
}

beforeEach(async () => {
  srv = await startTestServer({ config: { maxPayloadBytes: 8 * 1024 } });
  alice = await register(srv.url, 'alice', 'Alice');
  bob = await register(srv.url, 'bob', 'Bob');
  a = await TestClient.connect(srv.wsUrl, alice.token);
  conversationId = (await a.request('conversations.createDirect', { userId: bob.user.id })).conversation.id;
  await a.request('messages.send', { conversationId, clientId: 'before-0001', body: 'before' });
});
afterEach(async () => {
  a.close();
  await srv.stop();
});

/** After each hostile input: the others are still served and nothing was stored. */
async function expectServerHealthyAndUnchanged(before: Record<string, unknown[]>): Promise<void> {
  const b = await TestClient.connect(srv.wsUrl, bob.token);
  const history = await b.request('messages.history', { conversationId });
  expect(history.messages.map((m) => m.body)).toEqual(['before']);
  b.close();
  await b.closed();
  // Sessions and presence are the only things allowed to differ: compare everything else.
  const after = snapshot();
  for (const table of Object.keys(before)) if (table !== 'sessions') expect(after[table], table).toEqual(before[table]);
}

describe('hostile input on the socket', () => {
  const cases: Array<{ name: string; frame: string; code: string; id: number | null }> = [
    { name: 'malformed JSON', frame: '{"id": 1, "method": ', code: 'BAD_REQUEST', id: null },
    { name: 'a JSON array', frame: '[1,2,3]', code: 'BAD_REQUEST', id: null },
    { name: 'missing method', frame: '{"id": 7}', code: 'BAD_REQUEST', id: 7 },
    { name: 'unknown method', frame: '{"id": 8, "method": "admin.dropTables", "data": {}}', code: 'UNKNOWN_METHOD', id: 8 },
    { name: 'prototype key as method', frame: '{"id": 9, "method": "__proto__", "data": {}}', code: 'UNKNOWN_METHOD', id: 9 },
    {
      name: 'wrong type in data',
      frame: JSON.stringify({ id: 10, method: 'messages.send', data: { conversationId: '1', clientId: 'abcdefgh', body: 'x' } }),
      code: 'BAD_REQUEST',
      id: 10,
    },
    {
      name: 'extra keys in data',
      frame: JSON.stringify({ id: 11, method: 'messages.send', data: { conversationId: 1, clientId: 'abcdefgh', body: 'x', senderId: 2 } }),
      code: 'BAD_REQUEST',
      id: 11,
    },
    {
      name: 'empty message body',
      frame: JSON.stringify({ id: 12, method: 'messages.send', data: { conversationId: 1, clientId: 'abcdefgh', body: '   ' } }),
      code: 'BAD_REQUEST',
      id: 12,
    },
    { name: 'negative id', frame: '{"id": -4, "method": "sync.state", "data": {}}', code: 'BAD_REQUEST', id: null },
    {
      name: 'body over 4000 characters',
      frame: JSON.stringify({ id: 13, method: 'messages.send', data: { conversationId: 1, clientId: 'abcdefgh', body: 'x'.repeat(4001) } }),
      code: 'BAD_REQUEST',
      id: 13,
    },
  ];

  for (const c of cases) {
    it(`answers ${c.name} with ${c.code} and changes nothing`, async () => {
      const before = snapshot();
      a.sendRaw(c.frame);
      const frame =
        c.id === null
          ? await a.nextFrame((f) => f.event === 'protocol.error')
          : await a.nextFrame((f) => f.id === c.id && f.error !== undefined);
      const error = c.id === null ? (frame.data as { code: string }) : frame.error!;
      expect(error.code).toBe(c.code);
      // The offending socket stays usable for valid requests.
      await expect(a.request('sync.state', {})).resolves.toBeTruthy();
      await expectServerHealthyAndUnchanged(before);
    });
  }

  it('closes the socket with 1009 on an oversized frame and keeps serving others', async () => {
    const before = snapshot();
    a.sendRaw(JSON.stringify({ id: 20, method: 'users.search', data: { query: 'x'.repeat(10_000) } }));
    expect((await a.closed()).code).toBe(CLOSE_CODES.TOO_BIG);
    await expectServerHealthyAndUnchanged(before);
  });

  it('closes the socket on binary frames', async () => {
    const before = snapshot();
    a.sendRaw(Buffer.from([0, 1, 2, 3]));
    expect((await a.closed()).code).toBe(CLOSE_CODES.PROTOCOL_ERROR);
    await expectServerHealthyAndUnchanged(before);
  });

  it('answers RATE_LIMITED past the per-connection budget, then closes a client that keeps hammering', async () => {
    await srv.stop();
    srv = await startTestServer({ dataDir: srv.dataDir, config: { rateLimitPerSecond: 1, rateLimitBurst: 5 } });
    const c = await TestClient.connect(srv.wsUrl, alice.token);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => c.request('sync.state', {})));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual([
      'RATE_LIMITED',
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
    for (let i = 0; i < 60; i++) c.sendRaw(JSON.stringify({ id: 100 + i, method: 'sync.state', data: {} }));
    expect((await c.closed()).code).toBe(CLOSE_CODES.RATE_LIMITED);
  });
});

describe('authentication at the upgrade', () => {
  const closeCodeFor = async (protocols: string[]) => {
    const socket = new WebSocket(srv.wsUrl, protocols);
    socket.on('error', () => undefined);
    return new Promise<{ code: number; reason: string }>((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  };

  it('closes with 4001 and a reason for a missing, malformed or unknown token', async () => {
    for (const protocols of [[PROTOCOL_NAME], [PROTOCOL_NAME, `${TOKEN_PROTOCOL_PREFIX}garbage`], [PROTOCOL_NAME, `${TOKEN_PROTOCOL_PREFIX}${'A'.repeat(43)}`]]) {
      const { code, reason } = await closeCodeFor(protocols);
      expect(code).toBe(CLOSE_CODES.UNAUTHENTICATED);
      expect(reason).toMatch(/^UNAUTHENTICATED/);
    }
  });

  it('refuses a handshake without the earshot subprotocol', async () => {
    const socket = new WebSocket(srv.wsUrl);
    const error = await new Promise<Error>((resolve) => socket.on('error', resolve));
    expect(error.message).toMatch(/400/);
  });

  it('refuses a revoked token and closes the live sockets of a session that signs out', async () => {
    const res = await postJson(srv.url, '/api/logout', {}, { Authorization: `Bearer ${alice.token}` });
    expect(res.status).toBe(204);
    expect((await a.closed()).code).toBe(CLOSE_CODES.SESSION_REVOKED);
    const { code } = await closeCodeFor([PROTOCOL_NAME, TOKEN_PROTOCOL_PREFIX + alice.token]);
    expect(code).toBe(CLOSE_CODES.UNAUTHENTICATED);
  });
});
