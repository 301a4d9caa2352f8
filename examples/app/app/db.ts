import Database, { type Statement } from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

export type Db = Database.Database;

/**
 * Every connection and statement this app opens, kept until the process exits. On Node 24.19 and
 * later, garbage-collecting a better-sqlite3 object can abort the process (`Assertion failed:
 * (env) != nullptr`, a Node bug; see jt's README), so none is ever left to the collector. That is
 * also why pragmas go through exec(): db.pragma() prepares a new statement on every call.
 */
const keptUntilExit = new Set<object>();
const preparedBy = new Map<Db, Map<string, Statement>>();

export function openDatabase(path: string): Db {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  keptUntilExit.add(db);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA busy_timeout = 5000");
  return db;
}

/** The statement for `sql` on `db`, prepared once and kept (see keptUntilExit). */
export function prepare(db: Db, sql: string): Statement {
  let statements = preparedBy.get(db);
  if (!statements) {
    statements = new Map();
    preparedBy.set(db, statements);
  }
  let statement = statements.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    statements.set(sql, statement);
    keptUntilExit.add(statement);
  }
  return statement;
}
