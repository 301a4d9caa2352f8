import { defineEnvironment } from "jobs-and-tasks";
import { connect } from "./db.js";
import { Users } from "./users.js";

export default defineEnvironment({
  async setup() {
    const db = connect();
    return { db, users: new Users(db) };
  },
  async teardown({ db }) {
    await db.destroy();
  },
});
