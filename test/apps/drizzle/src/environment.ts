import { defineEnvironment } from "jobs-and-tasks";
import { connect } from "@/db/client";
import { Users } from "@/users";

export default defineEnvironment({
  async setup() {
    const { pool, db } = connect();
    return { pool, db, users: new Users(db) };
  },
  async teardown({ pool }) {
    await pool.end();
  },
});
