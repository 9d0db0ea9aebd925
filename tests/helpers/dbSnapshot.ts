import Database from 'better-sqlite3';
import path from 'node:path';

/** Every row of every table (sqlite_sequence included) and the schema version of `<dataDir>/earshot.db`. */
export type DbSnapshot = Record<string, unknown[]>;

/**
 * Read the whole database through a second, read-only connection (WAL lets it read while the
 * server has it open). "The stored data did not change" means two snapshots are equal.
 */
export function dbSnapshot(dataDir: string): DbSnapshot {
  const db = new Database(path.join(dataDir, 'earshot.db'), { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    const out: DbSnapshot = { '(user_version)': [db.pragma('user_version', { simple: true })] };
    for (const { name } of tables) {
      const columns = (db.prepare(`PRAGMA table_info("${name}")`).all() as { name: string }[]).map((c) => `"${c.name}"`);
      out[name] = db.prepare(`SELECT * FROM "${name}" ORDER BY ${columns.join(', ')}`).all();
    }
    return out;
  } finally {
    db.close();
  }
}
