import { defineEnvironment } from "jobs-and-tasks";
import { connect } from "./db.js";
import { Users } from "./users.js";

export default defineEnvironment({
  async setup() {
    const pool = connect();
    return { pool, users: new Users(pool) };
  },
  async teardown({ pool }) {
    await pool.end();
  },
});
