/**
 * Reading a SQLite file from a test, the way jt's store holds its handles: the connection and
 * statements are kept until the test process exits, never garbage-collected, because on Node 24.19
 * and later collecting a better-sqlite3 object can abort the process (see src/jobs/store/sqlite.ts).
 */
import Database from "better-sqlite3";

const kept: object[] = [];

/** Opens `file` read-only, runs `read` with a `query(sql)` that prepares statements, closes it. */
export function readSqlite<T>(file: string, read: (query: (sql: string) => Database.Statement) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  kept.push(db);
  try {
    return read((sql) => {
      const statement = db.prepare(sql);
      kept.push(statement);
      return statement;
    });
  } finally {
    db.close();
  }
}
