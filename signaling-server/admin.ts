import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { EarshotError } from '../common/errors.js';
import { DisplayName, Password, Permission, PERMISSIONS, RoleName, Username } from '../common/protocol/index.js';
import { AuthService } from './auth/AuthService.js';
import { systemClock } from './Clock.js';
import { loadConfig } from './config.js';
import { SqliteStore } from './store/SqliteStore.js';
import type { Store } from './store/Store.js';

const USAGE = `Earshot admin — works on the server's database (EARSHOT_DATA_DIR, default ./data)

  npm run admin -- add-user <username> <display name> [--role <role>]   password from EARSHOT_ADMIN_PASSWORD or prompted
  npm run admin -- set-role <username> <role>
  npm run admin -- define-role <role> <permission,permission,...>        creates or replaces
  npm run admin -- list-users
  npm run admin -- list-roles
  npm run admin -- revoke-sessions <username>                            signs the user out everywhere

Permissions: ${PERMISSIONS.join(', ')}`;

/** Thrown for a usage mistake: printed with the usage text, exit code 2. */
class UsageError extends Error {}

function check<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UsageError(`invalid ${what}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data;
}

async function readPassword(): Promise<string> {
  if (process.env.EARSHOT_ADMIN_PASSWORD) return process.env.EARSHOT_ADMIN_PASSWORD;
  if (!process.stdin.isTTY) throw new UsageError('set EARSHOT_ADMIN_PASSWORD (no terminal to prompt on)');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question('Password: ');
  } finally {
    rl.close();
  }
}

async function requireUser(store: Store, username: string) {
  const user = await store.getUserByUsername(username);
  if (!user) throw new UsageError(`no user "${username}"`);
  return user;
}

/** Run one admin command; returns the lines to print. Exported for tests. */
export async function runAdmin(argv: string[], store: Store, out: (line: string) => void): Promise<void> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { role: { type: 'string' } } });
  const [command, ...args] = positionals;
  const auth = new AuthService({ store, clock: systemClock, sessionTtlSeconds: 3600, registrationOpen: false });
  switch (command) {
    case 'add-user': {
      const [username, ...name] = args;
      const user = await auth.createUser({
        username: check(Username, username, 'username'),
        displayName: check(DisplayName, name.join(' ') || username, 'display name'),
        password: check(Password, await readPassword(), 'password (8–256 characters)'),
        role: check(RoleName, values.role ?? 'member', 'role'),
      });
      out(`added ${user.username} (id ${user.id}, role ${user.role})`);
      return;
    }
    case 'set-role': {
      const [username, role] = args;
      const user = await requireUser(store, check(Username, username, 'username'));
      if (!(await store.getRole(check(RoleName, role, 'role')))) throw new UsageError(`no role "${role}"; define it first`);
      await store.setUserRole(user.id, role!);
      out(`${user.username} is now ${role}`);
      return;
    }
    case 'define-role': {
      const [role, list] = args;
      const permissions = (list ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p) => check(Permission, p, `permission "${p}"`));
      await store.upsertRole(check(RoleName, role, 'role'), permissions);
      out(`role ${role}: ${permissions.join(', ') || '(no permissions)'}`);
      return;
    }
    case 'list-users':
      for (const user of await store.listUsers()) out(`${user.id}\t${user.username}\t${user.role}\t${user.displayName}`);
      return;
    case 'list-roles':
      for (const role of await store.listRoles()) out(`${role.name}${role.builtin ? ' (built-in)' : ''}\t${role.permissions.join(', ')}`);
      return;
    case 'revoke-sessions': {
      const user = await requireUser(store, check(Username, args[0], 'username'));
      const ids = await store.revokeUserSessions(user.id, Date.now());
      out(`revoked ${ids.length} session(s) of ${user.username}`);
      return;
    }
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const store = SqliteStore.open(loadConfig().dataDir);
  runAdmin(process.argv.slice(2), store, (line) => console.log(line))
    .then(
      () => 0,
      (error: unknown) => {
        if (error instanceof UsageError) console.error(`error: ${error.message}\n\n${USAGE}`);
        else if (error instanceof EarshotError) console.error(`error (${error.code}): ${error.message}`);
        else console.error(error);
        return error instanceof UsageError ? 2 : 1;
      },
    )
    .then(async (code) => {
      await store.close();
      process.exitCode = code;
    });
}
