import { defineEnvironment } from "jobs-and-tasks";
import { dataSource } from "./data-source";
import { Users } from "./users";

export default defineEnvironment({
  async setup() {
    const db = await dataSource().initialize();
    return { db, users: new Users(db) };
  },
  async teardown({ db }) {
    await db.destroy();
  },
});
