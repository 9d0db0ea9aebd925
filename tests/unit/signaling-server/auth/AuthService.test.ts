import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EarshotError, type ErrorCode } from '../../../../common/errors.js';
import { AuthService, toPublicUser } from '../../../../signaling-server/auth/AuthService.js';
import { hashToken } from '../../../../signaling-server/auth/tokens.js';
import { SqliteStore } from '../../../../signaling-server/store/SqliteStore.js';
import { TEST_SCRYPT, fakeClock, type FakeClock } from '../fakes.js';

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EarshotError);
  expect((error as EarshotError).code).toBe(code);
}

const TTL_SECONDS = 3600;

describe('AuthService', () => {
  let store: SqliteStore;
  let clock: FakeClock;
  let auth: AuthService;

  const makeAuth = (registrationOpen: boolean) =>
    new AuthService({ store, clock, sessionTtlSeconds: TTL_SECONDS, registrationOpen, scrypt: TEST_SCRYPT });

  beforeEach(() => {
    store = SqliteStore.open(':memory:');
    clock = fakeClock();
    auth = makeAuth(true);
  });
  afterEach(async () => {
    await store.close();
  });

  const alice = { username: 'alice', displayName: 'Alice', password: 'alice-password' };

  describe('#register', () => {
    it('creates a member account and signs it in', async () => {
      const issued = await auth.register(alice);
      expect(issued.user).toMatchObject({ username: 'alice', displayName: 'Alice', role: 'member', createdAt: clock.now() });
      expect(issued.user.passwordHash).not.toContain('alice-password');
      expect(issued.expiresAt).toBe(clock.now() + TTL_SECONDS * 1000);
      expect(issued.session).toMatchObject({ userId: issued.user.id, tokenHash: hashToken(issued.token), revokedAt: null });
    });

    it('gives self-registered accounts the configured default role', async () => {
      const guestAuth = new AuthService({ store, clock, sessionTtlSeconds: 60, registrationOpen: true, defaultRole: 'guest', scrypt: TEST_SCRYPT });
      expect((await guestAuth.register(alice)).user.role).toBe('guest');
    });

    it('rejects with REGISTRATION_CLOSED when registration is closed, creating nothing', async () => {
      const closed = makeAuth(false);
      expect(closed.registrationOpen).toBe(false);
      await rejectsWith(closed.register(alice), 'REGISTRATION_CLOSED');
      expect(await store.listUsers()).toStrictEqual([]);
    });

    it('rejects a taken username with CONFLICT', async () => {
      await auth.register(alice);
      await rejectsWith(auth.register({ ...alice, displayName: 'Impostor' }), 'CONFLICT');
    });
  });

  describe('#createUser', () => {
    it('rejects an undefined role with NOT_FOUND', async () => {
      await rejectsWith(auth.createUser({ ...alice, role: 'wizard' }), 'NOT_FOUND');
      expect(await store.listUsers()).toStrictEqual([]);
    });

    it('creates a user with the given role', async () => {
      expect((await auth.createUser({ ...alice, role: 'admin' })).role).toBe('admin');
    });
  });

  describe('#login', () => {
    beforeEach(async () => {
      await auth.register(alice);
    });

    it('issues a new session for the right password', async () => {
      const issued = await auth.login({ username: 'alice', password: 'alice-password' });
      expect(issued.user.username).toBe('alice');
      expect((await auth.authenticate(issued.token)).user.id).toBe(issued.user.id);
    });

    it('accepts the username in any case', async () => {
      expect((await auth.login({ username: 'ALICE', password: 'alice-password' })).user.username).toBe('alice');
    });

    it('rejects a wrong password with INVALID_CREDENTIALS', async () => {
      await rejectsWith(auth.login({ username: 'alice', password: 'wrong-password' }), 'INVALID_CREDENTIALS');
    });

    it('rejects an unknown user with INVALID_CREDENTIALS', async () => {
      await rejectsWith(auth.login({ username: 'mallory', password: 'alice-password' }), 'INVALID_CREDENTIALS');
    });
  });

  describe('#authenticate', () => {
    it('resolves a live token to the user, session and role permissions', async () => {
      const issued = await auth.register(alice);
      const principal = await auth.authenticate(issued.token);
      expect(principal.user).toStrictEqual(issued.user);
      expect(principal.session).toStrictEqual(issued.session);
      expect(principal.permissions.has('message.send')).toBe(true);
      expect(principal.permissions.has('admin')).toBe(false);
    });

    it('rejects a missing token with UNAUTHENTICATED', async () => {
      await rejectsWith(auth.authenticate(undefined), 'UNAUTHENTICATED');
      await rejectsWith(auth.authenticate(''), 'UNAUTHENTICATED');
    });

    it('rejects a malformed token with UNAUTHENTICATED', async () => {
      await rejectsWith(auth.authenticate('not a token'), 'UNAUTHENTICATED');
    });

    it('rejects a well-formed but unknown token with UNAUTHENTICATED', async () => {
      await rejectsWith(auth.authenticate('A'.repeat(43)), 'UNAUTHENTICATED');
    });

    it('accepts a token until its expiry and rejects it from then on', async () => {
      const issued = await auth.register(alice);
      clock.advance(TTL_SECONDS * 1000 - 1);
      await expect(auth.authenticate(issued.token)).resolves.toBeDefined();
      clock.advance(1);
      await rejectsWith(auth.authenticate(issued.token), 'UNAUTHENTICATED');
    });

    it('rejects a revoked token with UNAUTHENTICATED', async () => {
      const issued = await auth.register(alice);
      await store.revokeSession(issued.session.id, clock.now());
      await rejectsWith(auth.authenticate(issued.token), 'UNAUTHENTICATED');
    });
  });

  describe('#refresh', () => {
    it('issues a working token and revokes the old one', async () => {
      const issued = await auth.register(alice);
      const principal = await auth.authenticate(issued.token);
      clock.advance(1000);
      const fresh = await auth.refresh(principal);
      expect(fresh.token).not.toBe(issued.token);
      expect(fresh.expiresAt).toBe(clock.now() + TTL_SECONDS * 1000);
      await expect(auth.authenticate(fresh.token)).resolves.toBeDefined();
      await rejectsWith(auth.authenticate(issued.token), 'UNAUTHENTICATED');
      expect((await store.getSessionByTokenHash(hashToken(issued.token)))?.revokedAt).toBe(clock.now());
    });
  });

  describe('#logout', () => {
    it('revokes the session of the token', async () => {
      const issued = await auth.register(alice);
      expect((await auth.logout(issued.token)).id).toBe(issued.session.id);
      await rejectsWith(auth.authenticate(issued.token), 'UNAUTHENTICATED');
    });

    it('rejects an unknown token with UNAUTHENTICATED', async () => {
      await rejectsWith(auth.logout('B'.repeat(43)), 'UNAUTHENTICATED');
    });
  });

  describe('#authenticateSession', () => {
    it("reloads the role's permissions after the user's role changes", async () => {
      const issued = await auth.register(alice);
      const principal = await auth.authenticate(issued.token);
      await store.setUserRole(issued.user.id, 'guest');
      const reloaded = await auth.authenticateSession(principal);
      expect(reloaded.user.role).toBe('guest');
      expect([...reloaded.permissions]).toStrictEqual(['groupcall.join']);
    });

    it("reloads the role's permissions after the role is redefined", async () => {
      const issued = await auth.register(alice);
      const principal = await auth.authenticate(issued.token);
      await store.upsertRole('member', ['call.place']);
      expect([...(await auth.authenticateSession(principal)).permissions]).toStrictEqual(['call.place']);
    });

    it('rejects a session revoked since it was authenticated', async () => {
      const issued = await auth.register(alice);
      const principal = await auth.authenticate(issued.token);
      await store.revokeUserSessions(issued.user.id, clock.now());
      await rejectsWith(auth.authenticateSession(principal), 'UNAUTHENTICATED');
    });

    it('rejects a session that expired since it was authenticated', async () => {
      const issued = await auth.register(alice);
      const principal = await auth.authenticate(issued.token);
      clock.advance(TTL_SECONDS * 1000);
      await rejectsWith(auth.authenticateSession(principal), 'UNAUTHENTICATED');
    });
  });

  describe('#permissionsOf', () => {
    it('is empty for an unknown role', async () => {
      expect((await auth.permissionsOf('nope')).size).toBe(0);
    });
  });
});

describe('toPublicUser', () => {
  it('drops the password hash, status and creation time', () => {
    expect(
      toPublicUser({ id: 1, username: 'alice', displayName: 'Alice', passwordHash: 'scrypt$…', role: 'member', status: 'dnd', createdAt: 5, guest: false }),
    ).toStrictEqual({ id: 1, username: 'alice', displayName: 'Alice', role: 'member' });
  });
});
