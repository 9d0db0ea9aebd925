/**
 * Authorization matrix: every request method against every relation, on a real server.
 *
 * Each row of the table (authorization/*Rows.ts) is one method in one scene, with the answer
 * for each relation of the sender to the scene:
 *   member             the relation that makes the request legitimate (the row says which:
 *                      a member of the room, the callee, the host, a participant…)
 *   non-member         an account outside the conversation or call
 *   guest of the room  a guest session (POST /api/guest) for the scene's room
 *   guest of another room
 *   row-specific ones  caller/callee, host/non-host, another device of a participant, a member
 *                      of the room not in its call, a participant naming someone else's ids,
 *                      a participant muted by the host, someone joining a full call…
 *   roles              the base actor with the built-in admin role, with the built-in guest
 *                      role, and with a role holding every permission but one (for each one)
 *   tokens             the base actor after `admin revoke-sessions` (socket still open), and
 *                      after its session expired (the server's clock moved past the TTL)
 * Allowed requests must succeed with a response that parses. Refused ones must get the expected
 * code, leave the database rows and in-memory call state of everyone in the scene as they were,
 * and send nobody a notification.
 *
 * The server's rule, which the expectations follow:
 *   - UNAUTHENTICATED: the token is expired or revoked. Checked before every request, first;
 *     the socket is then closed with 4001.
 *   - FORBIDDEN: a guest session sending anything but sync.state, session.refresh and the
 *     in-call group.* requests (it may join only its own room's call); a role without the
 *     permission the method needs (checked before the relation); a relation that is visible but
 *     does not allow the act: host actions by a non-host, accepting one's own call, SDP/ICE from
 *     a device not bound to the call, unmuting while muted by the host, leaving a direct
 *     conversation, plain RTP where the server does not allow it.
 *   - NOT_FOUND: a conversation the sender is not a member of (no existence oracle), a guest
 *     joining another room's call, a guest account as a chat partner, another participant's
 *     transport or consumer, a participant of another call.
 *   - CALL_NOT_FOUND: a call the sender is not in (1-on-1 calls by user, group calls by socket).
 *   - Deliberate others: CONFLICT for declining/cancelling from the wrong side of a ringing call
 *     (the server answers "wrong side or wrong state" alike); BAD_REQUEST for producing on any
 *     transport but one's own send transport; ROOM_FULL for joining a call at its cap.
 *   - Permissions gate the entry points (placing, answering, starting, joining); requests inside
 *     a call are bound to the participant and need none, so a role change takes effect at the
 *     next join.
 * The group call rows run on the SFU in authorizationGroupCalls.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../../common/errors.js';
import { REQUEST_METHODS } from '../../../common/protocol/index.js';
import { postJson, register, TestClient } from '../../helpers/wsClient.js';
import { CALL_ROWS } from './authorization/callRows.js';
import { CHAT_ROWS } from './authorization/chatRows.js';
import { GROUP_CALL_ROWS, FULL_CALL_ROWS } from './authorization/groupCallRows.js';
import {
  CORE_WHO,
  defineMatrix,
  GUEST_ROLE_PERMISSIONS,
  relationsOf,
  ROLE_RELATIONS,
  rowTitle,
  TOKEN_RELATIONS,
  World,
} from './authorization/matrix.js';

const ALL_ROWS = [...CHAT_ROWS, ...CALL_ROWS, ...GROUP_CALL_ROWS, ...FULL_CALL_ROWS];

describe('the authorization matrix', () => {
  it('has a main row for every request method the protocol knows, and none for unknown ones', () => {
    const main = ALL_ROWS.filter((r) => !r.variant).map((r) => r.method);
    expect([...main].sort()).toEqual([...REQUEST_METHODS].sort());
    expect(new Set(main).size, 'one main row per method').toBe(main.length);
  });

  it('runs every main row as every core relation, every role and both kinds of dead token', () => {
    for (const r of ALL_ROWS.filter((x) => !x.variant)) {
      const relations = relationsOf(r);
      for (const relation of [...CORE_WHO, ...ROLE_RELATIONS, ...TOKEN_RELATIONS]) {
        expect(relations, `${rowTitle(r)} covers ${relation}`).toContain(relation);
      }
    }
  });
});

describe('authorization: sessions, accounts, chat and 1-on-1 calls', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(() => world.stop());

  it("the built-in guest role has the permissions the expectations assume", async () => {
    expect((await world.srv.server.store.getRole('guest'))?.permissions).toEqual(GUEST_ROLE_PERMISSIONS);
  });

  defineMatrix([...CHAT_ROWS, ...CALL_ROWS], () => world);

  it('signing out (/api/logout) closes the live sockets of that session at once, and the token is refused at the next upgrade', async () => {
    const session = await register(world.url, world.username('leaver'));
    const client = await TestClient.connect(world.wsUrl, session.token);
    await client.request('sync.state', {});
    const res = await postJson(world.url, '/api/logout', {}, { Authorization: `Bearer ${session.token}` });
    expect(res.status).toBe(204);
    expect((await client.closed()).code).toBe(CLOSE_CODES.SESSION_REVOKED);
    const again = await TestClient.connect(world.wsUrl, session.token);
    expect((await again.closed()).code).toBe(CLOSE_CODES.UNAUTHENTICATED);
  });
});
