import type { Database } from 'better-sqlite3';
import { PERMISSIONS, type Permission } from '../../common/protocol/index.js';

/** Built-in roles and their initial permissions. Admins can change them with `npm run admin`. */
export const BUILTIN_ROLES: Record<'admin' | 'member' | 'guest', Permission[]> = {
  admin: [...PERMISSIONS],
  member: ['call.place', 'call.join', 'groupcall.start', 'groupcall.join', 'conversation.create', 'room.create', 'room.join', 'message.send'],
  guest: ['groupcall.join'],
};

/**
 * Schema migrations, applied in order inside one transaction each; `PRAGMA user_version`
 * records the last one applied. Never edit a released migration: add a new one.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; up: (db: Database) => void }> = [
  {
    version: 1,
    name: 'accounts, conversations, messages',
    up: (db) => {
      db.exec(`
        CREATE TABLE roles (
          name        TEXT PRIMARY KEY,
          permissions TEXT NOT NULL,           -- JSON array of Permission
          builtin     INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE users (
          id            INTEGER PRIMARY KEY,
          username      TEXT NOT NULL UNIQUE,
          display_name  TEXT NOT NULL,
          password_hash TEXT NOT NULL,
          role          TEXT NOT NULL REFERENCES roles(name) ON UPDATE CASCADE,
          status        TEXT NOT NULL DEFAULT 'online' CHECK (status IN ('online', 'dnd')),
          created_at    INTEGER NOT NULL
        );
        CREATE TABLE sessions (
          id          INTEGER PRIMARY KEY,
          token_hash  TEXT NOT NULL UNIQUE,
          user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
          created_at  INTEGER NOT NULL,
          expires_at  INTEGER NOT NULL,
          revoked_at  INTEGER
        );
        CREATE INDEX sessions_user ON sessions(user_id);
        CREATE TABLE conversations (
          id           INTEGER PRIMARY KEY,
          kind         TEXT NOT NULL CHECK (kind IN ('direct', 'group', 'room')),
          title        TEXT,
          guest_access INTEGER NOT NULL DEFAULT 0,
          direct_key   TEXT UNIQUE,
          created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
          created_at   INTEGER NOT NULL
        );
        CREATE TABLE members (
          conversation_id      INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
          user_id              INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
          joined_at            INTEGER NOT NULL,
          last_read_message_id INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (conversation_id, user_id)
        ) WITHOUT ROWID;
        CREATE INDEX members_user ON members(user_id, conversation_id);
        CREATE TABLE messages (
          id              INTEGER PRIMARY KEY AUTOINCREMENT,
          conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
          sender_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
          kind            TEXT NOT NULL CHECK (kind IN ('text', 'system')),
          body            TEXT NOT NULL,
          client_id       TEXT,
          created_at      INTEGER NOT NULL
        );
        CREATE INDEX messages_conversation ON messages(conversation_id, id);
        CREATE UNIQUE INDEX messages_client_id ON messages(sender_id, client_id) WHERE client_id IS NOT NULL;
      `);
      const insert = db.prepare('INSERT INTO roles (name, permissions, builtin) VALUES (?, ?, 1)');
      for (const [name, permissions] of Object.entries(BUILTIN_ROLES)) insert.run(name, JSON.stringify(permissions));
    },
  },
  {
    version: 2,
    name: 'call history',
    up: (db) => {
      db.exec(`
        CREATE TABLE calls (
          id              TEXT PRIMARY KEY,
          conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
          kind            TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
          caller_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
          started_at      INTEGER NOT NULL,
          answered_at     INTEGER,
          ended_at        INTEGER,
          outcome         TEXT NOT NULL,
          duration_ms     INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX calls_conversation ON calls(conversation_id, started_at);
        CREATE TABLE call_participants (
          call_id      TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
          user_id      INTEGER REFERENCES users(id) ON DELETE SET NULL,
          display_name TEXT NOT NULL,
          joined_at    INTEGER,
          left_at      INTEGER
        );
        CREATE INDEX call_participants_call ON call_participants(call_id);
        CREATE INDEX call_participants_user ON call_participants(user_id, call_id);
      `);
    },
  },
  {
    version: 3,
    name: 'guests: guest users and room-scoped sessions',
    up: (db) => {
      db.exec(`
        ALTER TABLE users ADD COLUMN guest INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sessions ADD COLUMN scope_conversation_id INTEGER REFERENCES conversations(id) ON DELETE CASCADE;
      `);
    },
  },
];

/** Apply every migration newer than the database's user_version. Returns the versions applied. */
export function migrate(db: Database): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
    applied.push(migration.version);
  }
  return applied;
}
