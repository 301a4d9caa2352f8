import { prepare, type Db } from "./db.ts";

/** Each migration runs once, in order; applied ones are recorded in schema_migrations. */
const MIGRATIONS: { version: string; sql: string }[] = [
  {
    version: "20260101000000_create_users",
    sql: `CREATE TABLE users (
      id INTEGER PRIMARY KEY,
      login TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL,
      email TEXT,
      department TEXT,
      created_at TEXT NOT NULL DEFAULT (datetime('now'))
    )`,
  },
  {
    version: "20260102000000_add_users_source",
    sql: `ALTER TABLE users ADD COLUMN source TEXT NOT NULL DEFAULT 'manual'`,
  },
];

export function pendingMigrations(db: Db): string[] {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY)");
  const applied = new Set(prepare(db, "SELECT version FROM schema_migrations").pluck().all() as string[]);
  return MIGRATIONS.filter((m) => !applied.has(m.version)).map((m) => m.version);
}

/** Applies pending migrations; returns the versions applied. */
export function migrate(db: Db): string[] {
  const pending = new Set(pendingMigrations(db));
  const record = prepare(db, "INSERT INTO schema_migrations (version) VALUES (?)");
  for (const migration of MIGRATIONS) {
    if (!pending.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version);
    })();
  }
  return [...pending];
}

export function dropAll(db: Db): void {
  db.exec("DROP TABLE IF EXISTS users; DROP TABLE IF EXISTS schema_migrations;");
}
