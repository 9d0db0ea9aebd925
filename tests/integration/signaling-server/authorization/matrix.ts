/**
 * The machinery of the authorization matrix (see ../authorization.test.ts for the rules it
 * checks): relations, rows, the scene each row plays in, and the runner that sends one request
 * per (row, relation) against a real server and checks that refused requests change nothing.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES, type ErrorCode } from '../../../../common/errors.js';
import {
  parseResponse,
  PERMISSIONS,
  type NotificationName,
  type Permission,
  type RequestData,
  type RequestMethod,
  type ResponseData,
  type SessionResponse,
} from '../../../../common/protocol/index.js';
import { runAdmin } from '../../../../signaling-server/admin.js';
import type { ServerConfigInput } from '../../../../signaling-server/config.js';
import { startTestServer, type TestServer } from '../../../helpers/testServer.js';
import { postJson, register, RequestFailed, TestClient } from '../../../helpers/wsClient.js';

/**
 * Who sends the request, relative to the scene. `member` is the relation that makes the request
 * legitimate (a member of the conversation, a participant of the call, the host, the callee…;
 * each row says which in `memberIs`); the others are the ways of standing outside it.
 */
export const WHO = [
  'member',
  'nonMember',
  'guestOfRoom',
  'guestOfOtherRoom',
  /** 1-on-1 calls: the other side of the call than `member`. */
  'caller',
  'callee',
  /** Group calls: a participant who is not the host. */
  'nonHost',
  /** A second connection of a participant, not the one bound to the call. */
  'otherDevice',
  /** A member of the room who has not joined its call. */
  'memberNotInCall',
  /** A participant naming another participant's transport, consumer, or a participant of another call. */
  'foreignIds',
  /** A participant muted by the host who tries to unmute. */
  'mutedByHost',
  /** A participant joining the call again (reconnect, second device). */
  'alreadyIn',
] as const;
export type Who = (typeof WHO)[number];

/** The four relations every main row must answer for (the rest are row-specific). */
export const CORE_WHO: readonly Who[] = ['member', 'nonMember', 'guestOfRoom', 'guestOfOtherRoom'];

/** The base actor (see `Row.base`) with a role: the built-in admin and guest roles, or every permission but one. */
export type RoleRelation = 'role:admin' | 'role:guest' | `without:${Permission}`;
export const ROLE_RELATIONS: readonly RoleRelation[] = ['role:admin', 'role:guest', ...PERMISSIONS.map((p) => `without:${p}` as const)];

/** The base actor with a token revoked by the admin tool (socket still open) or expired. */
export type TokenRelation = 'revokedToken' | 'expiredToken';
export const TOKEN_RELATIONS: readonly TokenRelation[] = ['revokedToken', 'expiredToken'];

export type Relation = Who | RoleRelation | TokenRelation;

/** Permissions of the built-in `guest` role (pinned here; the coverage test checks the server agrees). */
export const GUEST_ROLE_PERMISSIONS: readonly Permission[] = ['groupcall.join'];

export type Outcome = 'ok' | ErrorCode;

/** A connected client standing in some relation to a scene. */
export interface Actor {
  session: SessionResponse;
  client: TestClient;
  /** Part of the scene's standing cast: kept open between cases, its role restored after each. */
  fixed: boolean;
  /** The actor's `group.join` answer, when it is in a group call. */
  joined?: ResponseData<'group.join'>;
  /** A consumer the actor holds in its group call. */
  consumerId?: string;
}

export interface Scene<M extends RequestMethod = RequestMethod> {
  cast: Cast;
  /** A connected actor standing as `who` toward the scene (a fresh account unless the relation names a cast member). */
  actor(who: Who): Promise<Actor>;
  /** What `actor`, standing as `who`, sends. Outsiders name the insiders' ids: that is the attack. */
  data(actor: Actor, who: Who): RequestData<M>;
}

export interface Row<M extends RequestMethod = RequestMethod> {
  method: M;
  /** Tells extra rows of one method apart ("ICE candidate", "the call is full"); main rows have none. */
  variant?: string;
  /** Who `member` is in this row, for the test names: "a member of the room", "the host"… */
  memberIs: string;
  /** Permissions the request needs: `without:<P>` is FORBIDDEN exactly for these. */
  needs: readonly Permission[];
  /** The answer for each relation the row covers. */
  expect: Partial<Record<Who, Outcome>> & { member: Outcome };
  /** The actor the role and token relations change. Default `member`. */
  base?: Who;
  /** Run the role and token relations. Default: main rows yes, variants no. */
  rolesAndTokens?: boolean;
  /** An allowed request leaves the scene fit for the next case; otherwise the scene is rebuilt after one. */
  repeatable: boolean;
  scene(world: World): Promise<Scene<M>>;
}

/** Keeps the generic row typed at its definition and lets rows of different methods share a table. */
export function row<M extends RequestMethod>(r: Row<M>): Row {
  return r as unknown as Row;
}

export function rowTitle(r: Row): string {
  return r.variant ? `${r.method} (${r.variant})` : r.method;
}

const WHO_LABELS: Record<Who, string> = {
  member: 'member',
  nonMember: 'non-member',
  guestOfRoom: 'guest of the room',
  guestOfOtherRoom: 'guest of another room',
  caller: 'the caller',
  callee: 'the callee',
  nonHost: 'a participant who is not the host',
  otherDevice: 'a second device of a participant, not in the call',
  memberNotInCall: 'a member of the room not in the call',
  foreignIds: "a participant naming another participant's ids",
  mutedByHost: 'a participant muted by the host, unmuting',
  alreadyIn: 'a participant joining again',
};

export function roleName(relation: RoleRelation): string {
  if (relation === 'role:admin') return 'admin';
  if (relation === 'role:guest') return 'guest';
  return `no-${relation.slice('without:'.length).replace('.', '-')}`;
}

function isWho(relation: Relation): relation is Who {
  return (WHO as readonly string[]).includes(relation);
}

function isRole(relation: Relation): relation is RoleRelation {
  return (ROLE_RELATIONS as readonly string[]).includes(relation);
}

/** Every relation a row runs. */
export function relationsOf(r: Row): Relation[] {
  const who = WHO.filter((w) => r.expect[w] !== undefined);
  return (r.rolesAndTokens ?? !r.variant) ? [...who, ...ROLE_RELATIONS, ...TOKEN_RELATIONS] : who;
}

/**
 * The expected answer. Tokens are checked before anything else, then a guest session's scope,
 * then the role's permission, then the relation; so a role without a needed permission is
 * FORBIDDEN and a role with every needed permission gets what the base actor gets.
 */
export function expectedOutcome(r: Row, relation: Relation): Outcome {
  if (relation === 'revokedToken' || relation === 'expiredToken') return 'UNAUTHENTICATED';
  if (isWho(relation)) return r.expect[relation]!;
  const base = r.expect[r.base ?? 'member']!;
  if (relation === 'role:admin') return base;
  if (relation === 'role:guest') return r.needs.every((p) => GUEST_ROLE_PERMISSIONS.includes(p)) ? base : 'FORBIDDEN';
  return r.needs.includes(relation.slice('without:'.length) as Permission) ? 'FORBIDDEN' : base;
}

function relationTitle(r: Row, relation: Relation): string {
  const base = r.base ?? 'member';
  const baseLabel = base === 'member' ? `member (${r.memberIs})` : WHO_LABELS[base];
  if (isWho(relation)) return relation === 'member' ? baseLabel : WHO_LABELS[relation];
  if (relation === 'revokedToken') return `${baseLabel}, token revoked`;
  if (relation === 'expiredToken') return `${baseLabel}, token expired`;
  if (relation === 'role:admin') return `${baseLabel}, role admin`;
  if (relation === 'role:guest') return `${baseLabel}, built-in guest role (an account, not a guest session)`;
  return `${baseLabel}, role without ${relation.slice('without:'.length)}`;
}

/** Server settings for the matrix: nothing times out during a run, and nobody is rate limited. */
const MATRIX_CONFIG: ServerConfigInput = {
  logLevel: 'info',
  sessionTtlSeconds: 3600,
  ringTimeoutMs: 300_000,
  reconnectGraceMs: 300_000,
  authAttemptsPerMinute: 1_000_000,
  rateLimitPerSecond: 100_000,
  rateLimitBurst: 100_000,
  sfuProbesPerMinute: 100_000,
};

export interface Scope {
  userIds: number[];
  conversationIds: number[];
}

/**
 * One real server for a set of rows, its clock (moved forward to expire sessions), a read-only
 * connection to its database for snapshots, and the `no-<permission>` roles.
 */
export class World {
  private serial = 0;

  private constructor(
    readonly srv: TestServer,
    private readonly db: Database.Database,
    private readonly skew: { ms: number },
    private readonly ttlMs: number,
  ) {}

  static async start(options: { sfu?: boolean; config?: ServerConfigInput } = {}): Promise<World> {
    const skew = { ms: 0 };
    const config = { ...MATRIX_CONFIG, ...options.config };
    const srv = await startTestServer({ sfu: options.sfu ?? false, clock: { now: () => Date.now() + skew.ms }, config });
    // Roles are defined and assigned with the admin tool, as an operator would.
    for (const permission of PERMISSIONS) {
      const rest = PERMISSIONS.filter((p) => p !== permission);
      await runAdmin(['define-role', roleName(`without:${permission}`), rest.join(',')], srv.server.store, () => undefined);
    }
    const db = new Database(path.join(srv.dataDir, 'earshot.db'), { readonly: true, fileMustExist: true });
    return new World(srv, db, skew, srv.server.config.sessionTtlSeconds * 1000);
  }

  get url(): string {
    return this.srv.url;
  }

  get wsUrl(): string {
    return this.srv.wsUrl;
  }

  /** A username never used before on this server. */
  username(prefix: string): string {
    return `${prefix}-${++this.serial}`;
  }

  /** A fresh id for messages.send (idempotency key). */
  clientId(): string {
    return `authz-${++this.serial}-${Date.now()}`;
  }

  cast(): Cast {
    return new Cast(this);
  }

  async setRole(username: string, role: string): Promise<void> {
    await runAdmin(['set-role', username, role], this.srv.server.store, () => undefined);
  }

  /** `npm run admin -- revoke-sessions`: from another process, so live sockets stay open. */
  async revokeSessions(username: string): Promise<void> {
    await runAdmin(['revoke-sessions', username], this.srv.server.store, () => undefined);
  }

  /** Move the clock past the lifetime of every session issued so far. */
  expireSessions(): void {
    this.skew.ms += this.ttlMs + 1000;
  }

  /**
   * Everything a request could change for these users and conversations: their rows in every
   * table (read straight from the database file) and the in-memory call state. `presenceOf`
   * lists whose presence to include (a socket the server closes goes offline, which is no change
   * made by the request).
   */
  snapshot(scope: Scope, presenceOf: number[]) {
    const u = JSON.stringify(scope.userIds);
    const c = JSON.stringify(scope.conversationIds);
    const all = (sql: string, ...params: string[]) => this.db.prepare(sql).all(...params);
    const inU = 'IN (SELECT value FROM json_each(?))';
    const { server } = this.srv;
    return {
      users: all(`SELECT * FROM users WHERE id ${inU} ORDER BY id`, u),
      roles: all('SELECT * FROM roles ORDER BY name'),
      sessions: all(`SELECT * FROM sessions WHERE user_id ${inU} ORDER BY id`, u),
      conversations: all(`SELECT * FROM conversations WHERE id ${inU} OR created_by ${inU} ORDER BY id`, c, u),
      members: all(`SELECT * FROM members WHERE conversation_id ${inU} OR user_id ${inU} ORDER BY conversation_id, user_id`, c, u),
      messages: all(`SELECT * FROM messages WHERE conversation_id ${inU} OR sender_id ${inU} ORDER BY id`, c, u),
      calls: all(
        `SELECT * FROM calls WHERE conversation_id ${inU} OR caller_id ${inU}
         OR id IN (SELECT call_id FROM call_participants WHERE user_id ${inU}) ORDER BY id`,
        c,
        u,
        u,
      ),
      callParticipants: all(
        `SELECT rowid, * FROM call_participants WHERE user_id ${inU}
         OR call_id IN (SELECT id FROM calls WHERE conversation_id ${inU}) ORDER BY rowid`,
        u,
        c,
      ),
      groupCalls: server.groups.ongoing(scope.conversationIds),
      inCall: scope.userIds.map((id) => server.calls.isInCall(id)),
      presence: presenceOf.map((id) => server.hub.presenceOf(id)),
    };
  }

  async stop(): Promise<void> {
    this.db.close();
    await this.srv.stop();
  }
}

/** The people of one scene: who they are, their sockets, and what the snapshots cover. */
export class Cast {
  private readonly userIds = new Set<number>();
  private readonly conversationIds = new Set<number>();
  private readonly standing: Actor[] = [];
  private readonly clients: TestClient[] = [];

  constructor(readonly world: World) {}

  /** A new account (built-in member role), connected. */
  async member(prefix: string, fixed = false): Promise<Actor> {
    return this.enlist(await register(this.world.url, this.world.username(prefix), prefix), fixed);
  }

  /** A guest of a room (POST /api/guest), connected. */
  async guest(conversationId: number, fixed = false): Promise<Actor> {
    const res = await postJson(this.world.url, '/api/guest', { conversationId, displayName: 'Visitor' });
    if (res.status !== 201) throw new Error(`guest for ${conversationId}: ${res.status} ${JSON.stringify(res.body)}`);
    return this.enlist(res.body as unknown as SessionResponse, fixed);
  }

  /** Another device of `of`: the same token on a new socket. */
  async device(of: Actor, fixed = false): Promise<Actor> {
    return this.enlist(of.session, fixed);
  }

  /** Conversations whose rows the snapshots cover. */
  track(...conversationIds: number[]): void {
    for (const id of conversationIds) this.conversationIds.add(id);
  }

  /** The standing cast's sockets: they must hear nothing of a refused request. */
  get observers(): TestClient[] {
    return this.standing.map((a) => a.client);
  }

  get standingUserIds(): number[] {
    return [...new Set(this.standing.map((a) => a.session.user.id))];
  }

  scope(): Scope {
    return { userIds: [...this.userIds], conversationIds: [...this.conversationIds] };
  }

  close(): void {
    for (const client of this.clients) client.close();
  }

  private async enlist(session: SessionResponse, fixed: boolean): Promise<Actor> {
    const client = await TestClient.connect(this.world.wsUrl, session.token);
    this.clients.push(client);
    this.userIds.add(session.user.id);
    const actor: Actor = { session, client, fixed };
    if (fixed) this.standing.push(actor);
    return actor;
  }
}

/** Resolve once the server has answered a ping: every frame it sent this client before is in. */
function pingPong(client: TestClient): Promise<void> {
  const ws = client.socket;
  if (ws.readyState !== ws.OPEN) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      ws.off('pong', done);
      ws.off('close', done);
      resolve();
    };
    ws.on('pong', done);
    ws.on('close', done);
    ws.ping();
  });
}

async function settle(clients: TestClient[]): Promise<void> {
  await Promise.all(clients.map(pingPong));
}

/**
 * Notifications that say nothing about the request: presence follows sockets opening and closing
 * (earlier cases' actors), and speaking levels come from the media path. A socket the server
 * closes for an invalid token tells the other side of its call that it dropped (`call.peer`).
 */
function incidental(event: string, outcome: Outcome): boolean {
  const always: string[] = ['presence.changed', 'group.speakers'] satisfies NotificationName[];
  return always.includes(event) || (outcome === 'UNAUTHENTICATED' && event === 'call.peer');
}

async function attempt(client: TestClient, method: RequestMethod, data: unknown): Promise<{ outcome: Outcome; message: string }> {
  try {
    parseResponse(method, await client.request(method, data as RequestData<RequestMethod>));
    return { outcome: 'ok', message: '' };
  } catch (error) {
    if (error instanceof RequestFailed) return { outcome: error.code, message: error.message };
    throw error;
  }
}

/**
 * One case: put the actor in its relation, snapshot, send, and check the answer; a refused
 * request must leave the snapshot as it was and send nobody anything. Returns whether the scene
 * is spent (it must be rebuilt before the next case).
 */
async function runCase(world: World, r: Row, scene: Scene, relation: Relation): Promise<boolean> {
  const expected = expectedOutcome(r, relation);
  // Role and token relations change the base actor.
  const who = isWho(relation) ? relation : (r.base ?? 'member');
  const actor = await scene.actor(who);
  const role = isRole(relation) ? roleName(relation) : undefined;
  if (role) await world.setRole(actor.session.user.username, role);
  if (relation === 'revokedToken') await world.revokeSessions(actor.session.user.username);
  const data = scene.data(actor, who);

  const listeners = [...new Set([...scene.cast.observers, actor.client])];
  await settle(listeners);
  for (const client of listeners) client.frames.length = 0;
  const scope = scene.cast.scope();
  const actorId = actor.session.user.id;
  // The server closes the socket of an invalid token, and the actor goes offline: not the request's doing.
  const presenceOf = [...new Set([...scene.cast.standingUserIds, actorId])].filter((id) => expected !== 'UNAUTHENTICATED' || id !== actorId);
  const before = world.snapshot(scope, presenceOf);
  if (relation === 'expiredToken') world.expireSessions();

  const { outcome, message } = await attempt(actor.client, r.method, data);
  expect(outcome, `${rowTitle(r)} as ${relation}: ${message || 'succeeded'}`).toBe(expected);
  if (expected !== 'ok') {
    await settle(listeners);
    const heard = listeners.flatMap((c) => c.frames.flatMap((f) => (f.event && !incidental(f.event, expected) ? [f.event] : [])));
    expect(heard, 'notifications sent because of a refused request').toEqual([]);
    expect(world.snapshot(scope, presenceOf), 'state changed by a refused request').toEqual(before);
    if (expected === 'UNAUTHENTICATED') expect((await actor.client.closed()).code).toBe(CLOSE_CODES.UNAUTHENTICATED);
  }

  if (role && actor.fixed) await world.setRole(actor.session.user.username, 'member');
  if (!actor.fixed) actor.client.close();
  return relation === 'expiredToken' || (relation === 'revokedToken' && actor.fixed) || (expected === 'ok' && !r.repeatable);
}

/**
 * Order the cases of a row so one scene serves as many as it can: refusals change nothing, so
 * they go first on the same scene; then the allowed ones; then the token relations, which spend
 * the actor's session (an expired clock spends every session, so it goes last).
 */
function ordered(r: Row): Relation[] {
  const relations = relationsOf(r);
  const rank = (rel: Relation) =>
    rel === 'expiredToken' ? 3 : rel === 'revokedToken' ? 2 : expectedOutcome(r, rel) === 'ok' ? 1 : 0;
  return relations.map((rel, i) => ({ rel, i })).sort((a, b) => rank(a.rel) - rank(b.rel) || a.i - b.i).map((x) => x.rel);
}

/** Declare one `describe` per row and one `it` per relation. `world` is read when the cases run. */
export function defineMatrix(rows: readonly Row[], world: () => World): void {
  for (const r of rows) {
    describe(rowTitle(r), () => {
      let scene: Scene | undefined;
      let spent = true;
      afterAll(() => scene?.cast.close());
      for (const relation of ordered(r)) {
        const expected = expectedOutcome(r, relation);
        it(`${relationTitle(r, relation)} → ${expected === 'ok' ? 'allowed' : expected}`, async () => {
          if (spent || !scene) {
            scene?.cast.close();
            scene = await r.scene(world());
            spent = false;
          }
          try {
            spent = await runCase(world(), r, scene, relation);
          } catch (error) {
            spent = true;
            throw error;
          }
        });
      }
    });
  }
}
