import { EarshotError } from '../../common/errors.js';
import type { LoginRequest, Permission, RegisterRequest, User } from '../../common/protocol/index.js';
import type { Clock } from '../Clock.js';
import type { SessionRecord, Store, UserRecord } from '../store/Store.js';
import { DEFAULT_SCRYPT, getDummyHash, hashPassword, verifyPassword, type ScryptParams } from './passwords.js';
import { randomBytes } from 'node:crypto';
import { hashToken, isWellFormedToken, newToken } from './tokens.js';

export interface AuthServiceOptions {
  store: Store;
  clock: Clock;
  /** Session lifetime in seconds. */
  sessionTtlSeconds: number;
  registrationOpen: boolean;
  /** Role given to self-registered accounts. Default `member`. */
  defaultRole?: string;
  scrypt?: ScryptParams;
}

export interface IssuedSession {
  token: string;
  expiresAt: number;
  session: SessionRecord;
  user: UserRecord;
}

/** An authenticated principal: the user, their session and their role's permissions. */
export interface Principal {
  user: UserRecord;
  session: SessionRecord;
  permissions: ReadonlySet<Permission>;
}

export function toPublicUser(user: UserRecord): User {
  return { id: user.id, username: user.username, displayName: user.displayName, role: user.role };
}

/** Accounts, passwords and session tokens. Throws EarshotError with stable codes. */
export class AuthService {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly options: Required<Omit<AuthServiceOptions, 'store' | 'clock'>>;

  constructor(options: AuthServiceOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.options = { defaultRole: 'member', scrypt: DEFAULT_SCRYPT, ...options };
  }

  get registrationOpen(): boolean {
    return this.options.registrationOpen;
  }

  /** Self-registration (when open). Creates the account and signs it in. */
  async register(request: RegisterRequest): Promise<IssuedSession> {
    if (!this.options.registrationOpen) throw new EarshotError('REGISTRATION_CLOSED', 'registration is closed on this server');
    const user = await this.createUser({ ...request, role: this.options.defaultRole });
    return this.issue(user);
  }

  /** Create an account directly (admin tools, tests). CONFLICT when the username is taken. */
  async createUser(input: { username: string; displayName: string; password: string; role: string }): Promise<UserRecord> {
    if (!(await this.store.getRole(input.role))) throw new EarshotError('NOT_FOUND', `no role "${input.role}"`);
    if (await this.store.getUserByUsername(input.username)) throw new EarshotError('CONFLICT', 'that username is taken');
    const passwordHash = await hashPassword(input.password, this.options.scrypt);
    try {
      return await this.store.createUser({
        username: input.username,
        displayName: input.displayName,
        passwordHash,
        role: input.role,
        createdAt: this.clock.now(),
      });
    } catch (error) {
      // Two registrations of one name racing: the UNIQUE constraint decides.
      if (error instanceof EarshotError && error.code === 'CONFLICT') throw new EarshotError('CONFLICT', 'that username is taken');
      throw error;
    }
  }

  async login(request: LoginRequest): Promise<IssuedSession> {
    const user = await this.store.getUserByUsername(request.username.toLowerCase());
    // Verify against a dummy hash for unknown users so response time does not reveal who exists.
    const ok = await verifyPassword(request.password, user?.passwordHash ?? (await getDummyHash(this.options.scrypt)));
    if (!user || !ok) throw new EarshotError('INVALID_CREDENTIALS', 'wrong username or password');
    return this.issue(user);
  }

  /** The id of the account named `username` (any case), or undefined when there is none. */
  async accountId(username: string): Promise<number | undefined> {
    return (await this.store.getUserByUsername(username.toLowerCase()))?.id;
  }

  /** Resolve a token to a principal; UNAUTHENTICATED when missing, unknown, expired or revoked. */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token || !isWellFormedToken(token)) throw new EarshotError('UNAUTHENTICATED', 'missing or malformed token');
    return this.check(await this.store.getSessionByTokenHash(hashToken(token)));
  }

  /**
   * Re-check a principal's session and reload its user and permissions. Run before every
   * request so revocation, expiry and role changes (made by an admin, possibly from another
   * process) take effect at once, not at the next reconnect.
   */
  async authenticateSession(principal: Principal): Promise<Principal> {
    return this.check(await this.store.getSessionByTokenHash(principal.session.tokenHash));
  }

  private async check(session: SessionRecord | undefined): Promise<Principal> {
    if (!session) throw new EarshotError('UNAUTHENTICATED', 'unknown token');
    if (session.revokedAt !== null) throw new EarshotError('UNAUTHENTICATED', 'session revoked');
    if (session.expiresAt <= this.clock.now()) throw new EarshotError('UNAUTHENTICATED', 'session expired');
    const user = await this.store.getUserById(session.userId);
    if (!user) throw new EarshotError('UNAUTHENTICATED', 'account no longer exists');
    return { user, session, permissions: await this.permissionsOf(user.role) };
  }

  async permissionsOf(role: string): Promise<ReadonlySet<Permission>> {
    return new Set((await this.store.getRole(role))?.permissions ?? []);
  }

  /**
   * A guest for a room that allows guests: a user row marked guest (no password, `guest` role)
   * and a session scoped to that room, valid for at most `ttlSeconds`.
   */
  async createGuest(conversationId: number, displayName: string, ttlSeconds = 4 * 3600): Promise<IssuedSession> {
    const room = await this.store.getConversation(conversationId);
    if (!room || room.kind !== 'room' || !room.guestAccess) throw new EarshotError('NOT_FOUND', 'no room with guest access here');
    const user = await this.store.createUser({
      username: `guest-${randomBytes(6).toString('hex')}`,
      displayName,
      // Not a scrypt hash: verifyPassword never matches it, so nobody can sign in as a guest.
      passwordHash: 'guest-no-password',
      role: 'guest',
      createdAt: this.clock.now(),
      guest: true,
    });
    return this.issue(user, { scopeConversationId: conversationId, ttlSeconds: Math.min(ttlSeconds, this.options.sessionTtlSeconds) });
  }

  /**
   * Swap a live session for a fresh one; the old token stops working at once. A guest's new
   * token ends when the old one would have: refreshing never stretches a guest's visit.
   */
  async refresh(principal: Principal): Promise<IssuedSession> {
    const remainingSeconds = Math.max(0, (principal.session.expiresAt - this.clock.now()) / 1000);
    const issued = await this.issue(principal.user, {
      scopeConversationId: principal.session.scopeConversationId,
      ttlSeconds: principal.user.guest ? remainingSeconds : this.options.sessionTtlSeconds,
    });
    await this.store.revokeSession(principal.session.id, this.clock.now());
    return issued;
  }

  async logout(token: string | undefined): Promise<SessionRecord> {
    const { session } = await this.authenticate(token);
    await this.store.revokeSession(session.id, this.clock.now());
    return session;
  }

  private async issue(
    user: UserRecord,
    opts: { scopeConversationId: number | null; ttlSeconds: number } = { scopeConversationId: null, ttlSeconds: this.options.sessionTtlSeconds },
  ): Promise<IssuedSession> {
    const token = newToken();
    const now = this.clock.now();
    const expiresAt = now + opts.ttlSeconds * 1000;
    const session = await this.store.createSession({
      tokenHash: hashToken(token),
      userId: user.id,
      createdAt: now,
      expiresAt,
      scopeConversationId: opts.scopeConversationId,
    });
    return { token, expiresAt, session, user };
  }
}
