// Booted by jt's `environment` task for every task that depends on it, and closed after the run.
import { defineEnvironment } from "jobs-and-tasks";
import { openDatabase, type Db } from "./db.ts";
import { Users } from "./users.ts";

declare module "jobs-and-tasks" {
  interface App {
    db: Db;
    users: Users;
  }
}

export default defineEnvironment({
  setup() {
    const db = openDatabase(process.env.DATABASE_PATH ?? "db/development.sqlite3");
    return { db, users: new Users(db) };
  },
  teardown(app) {
    app.db.close();
  },
});
