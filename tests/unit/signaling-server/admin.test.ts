import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EarshotError } from '../../../common/errors.js';
import { verifyPassword } from '../../../signaling-server/auth/passwords.js';
import { runAdmin } from '../../../signaling-server/admin.js';
import { SqliteStore } from '../../../signaling-server/store/SqliteStore.js';

describe('runAdmin', () => {
  let store: SqliteStore;
  let lines: string[];
  const admin = (...argv: string[]) => runAdmin(argv, store, (line) => lines.push(line));
  const addUserDirectly = (username: string, role = 'member') =>
    store.createUser({ username, displayName: username, passwordHash: 'x', role, createdAt: 1 });

  beforeEach(() => {
    store = SqliteStore.open(':memory:');
    lines = [];
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await store.close();
  });

  describe('add-user', () => {
    it('creates the user with the password from EARSHOT_ADMIN_PASSWORD', async () => {
      vi.stubEnv('EARSHOT_ADMIN_PASSWORD', 'admin-chosen-secret');
      await admin('add-user', 'alice', 'Alice', 'Liddell', '--role', 'admin');
      const user = await store.getUserByUsername('alice');
      expect(user).toMatchObject({ displayName: 'Alice Liddell', role: 'admin' });
      expect(await verifyPassword('admin-chosen-secret', user!.passwordHash)).toBe(true);
      expect(lines).toStrictEqual([`added alice (id ${user!.id}, role admin)`]);
    });

    it('uses the username as display name and member as role by default', async () => {
      vi.stubEnv('EARSHOT_ADMIN_PASSWORD', 'admin-chosen-secret');
      await admin('add-user', 'bob');
      expect(await store.getUserByUsername('bob')).toMatchObject({ displayName: 'bob', role: 'member' });
    });

    it('rejects an invalid username and creates nothing', async () => {
      vi.stubEnv('EARSHOT_ADMIN_PASSWORD', 'admin-chosen-secret');
      await expect(admin('add-user', 'Not Valid')).rejects.toThrow(/invalid username/);
      expect(await store.listUsers()).toStrictEqual([]);
    });

    it('rejects a short password', async () => {
      vi.stubEnv('EARSHOT_ADMIN_PASSWORD', 'short');
      await expect(admin('add-user', 'alice')).rejects.toThrow(/invalid password/);
    });

    it('rejects an undefined role with NOT_FOUND', async () => {
      vi.stubEnv('EARSHOT_ADMIN_PASSWORD', 'admin-chosen-secret');
      await expect(admin('add-user', 'alice', '--role', 'wizard')).rejects.toSatisfy(
        (e: unknown) => e instanceof EarshotError && e.code === 'NOT_FOUND',
      );
      expect(await store.listUsers()).toStrictEqual([]);
    });

    it('rejects a taken username with CONFLICT', async () => {
      vi.stubEnv('EARSHOT_ADMIN_PASSWORD', 'admin-chosen-secret');
      await addUserDirectly('alice');
      await expect(admin('add-user', 'alice')).rejects.toSatisfy((e: unknown) => e instanceof EarshotError && e.code === 'CONFLICT');
    });

    // Test workers have no terminal on stdin; skip rather than hang on a prompt if one ever does.
    it.skipIf(Boolean(process.stdin.isTTY))('asks for EARSHOT_ADMIN_PASSWORD when there is no terminal to prompt on', async () => {
      vi.stubEnv('EARSHOT_ADMIN_PASSWORD', '');
      await expect(admin('add-user', 'alice')).rejects.toThrow(/EARSHOT_ADMIN_PASSWORD/);
    });
  });

  describe('set-role', () => {
    it("changes the user's role", async () => {
      const user = await addUserDirectly('alice');
      await admin('set-role', 'alice', 'guest');
      expect((await store.getUserById(user.id))?.role).toBe('guest');
      expect(lines).toStrictEqual(['alice is now guest']);
    });

    it('fails for an undefined role and changes nothing', async () => {
      const user = await addUserDirectly('alice');
      await expect(admin('set-role', 'alice', 'wizard')).rejects.toThrow(/no role "wizard"/);
      expect((await store.getUserById(user.id))?.role).toBe('member');
    });

    it('fails for an unknown user', async () => {
      await expect(admin('set-role', 'nobody', 'guest')).rejects.toThrow(/no user "nobody"/);
    });
  });

  describe('define-role', () => {
    it('creates a role with the listed permissions', async () => {
      await admin('define-role', 'caller', 'call.place, call.join');
      expect(await store.getRole('caller')).toStrictEqual({ name: 'caller', permissions: ['call.place', 'call.join'], builtin: false });
      expect(lines).toStrictEqual(['role caller: call.place, call.join']);
    });

    it('replaces the permissions of an existing role', async () => {
      await admin('define-role', 'member', 'message.send');
      expect((await store.getRole('member'))?.permissions).toStrictEqual(['message.send']);
    });

    it('defines a role with no permissions', async () => {
      await admin('define-role', 'muted');
      expect((await store.getRole('muted'))?.permissions).toStrictEqual([]);
      expect(lines).toStrictEqual(['role muted: (no permissions)']);
    });

    it('fails for an unknown permission and changes nothing', async () => {
      await expect(admin('define-role', 'member', 'call.place,teleport')).rejects.toThrow(/permission "teleport"/);
      await expect(admin('define-role', 'newrole', 'teleport')).rejects.toThrow(/teleport/);
      expect((await store.getRole('member'))?.permissions).toContain('message.send');
      expect(await store.getRole('newrole')).toBeUndefined();
    });

    it('fails for an invalid role name', async () => {
      await expect(admin('define-role', 'Bad Role', 'admin')).rejects.toThrow(/invalid role/);
      expect((await store.listRoles()).map((r) => r.name)).toStrictEqual(['admin', 'guest', 'member']);
    });
  });

  describe('list-roles', () => {
    it('prints every role, marking built-ins', async () => {
      await store.upsertRole('ops', ['admin']);
      await admin('list-roles');
      expect(lines).toHaveLength(4);
      expect(lines[0]).toMatch(/^admin \(built-in\)\t/);
      expect(lines[1]).toBe('guest (built-in)\tgroupcall.join');
      expect(lines[3]).toBe('ops\tadmin');
    });
  });

  describe('list-users', () => {
    it('prints id, username, role and display name', async () => {
      const user = await addUserDirectly('alice', 'admin');
      await admin('list-users');
      expect(lines).toStrictEqual([`${user.id}\talice\tadmin\talice`]);
    });
  });

  describe('revoke-sessions', () => {
    it("revokes every live session of the user and says how many", async () => {
      const user = await addUserDirectly('alice');
      const other = await addUserDirectly('bob');
      for (const hash of ['h1', 'h2']) await store.createSession({ tokenHash: hash, userId: user.id, createdAt: 1, expiresAt: Date.now() + 60_000 });
      await store.createSession({ tokenHash: 'hb', userId: other.id, createdAt: 1, expiresAt: Date.now() + 60_000 });
      await admin('revoke-sessions', 'alice');
      expect(lines).toStrictEqual(['revoked 2 session(s) of alice']);
      expect((await store.getSessionByTokenHash('h1'))?.revokedAt).not.toBeNull();
      expect((await store.getSessionByTokenHash('h2'))?.revokedAt).not.toBeNull();
      expect((await store.getSessionByTokenHash('hb'))?.revokedAt).toBeNull();
    });

    it('fails for an unknown user', async () => {
      await expect(admin('revoke-sessions', 'nobody')).rejects.toThrow(/no user/);
    });
  });

  it('fails for an unknown command', async () => {
    await expect(admin('drop-database')).rejects.toThrow(/unknown command "drop-database"/);
  });

  it('fails when no command is given', async () => {
    await expect(admin()).rejects.toThrow(/no command given/);
  });
});
