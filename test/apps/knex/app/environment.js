const { defineEnvironment } = require("jobs-and-tasks");
const { connect } = require("./db");
const { Users } = require("./users");

module.exports = defineEnvironment({
  async setup() {
    const db = connect();
    return { db, users: new Users(db) };
  },
  async teardown({ db }) {
    await db.destroy();
  },
});
