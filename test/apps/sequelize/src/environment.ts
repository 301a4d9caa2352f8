import { defineEnvironment } from "jobs-and-tasks";
import { connect } from "@/models";
import * as users from "@/users";

export default defineEnvironment({
  async setup() {
    const sequelize = connect();
    await sequelize.authenticate();
    return { sequelize, users };
  },
  async teardown({ sequelize }) {
    await sequelize.close();
  },
});
