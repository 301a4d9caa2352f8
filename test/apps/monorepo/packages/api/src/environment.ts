import { connect, Users } from "@mono/db";
import { defineEnvironment } from "jobs-and-tasks";

export default defineEnvironment({
  async setup() {
    const pool = connect();
    return { pool, users: new Users(pool) };
  },
  async teardown({ pool }) {
    await pool.end();
  },
});
