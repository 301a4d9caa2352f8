import { desc, task } from "jobs-and-tasks";

desc("Create the tables");
task("db:migrate", ["environment"], async ({ app }) => {
  await app.sequelize.createSchema(process.env.APP_SCHEMA ?? "public", {}).catch(() => {});
  await app.sequelize.sync();
  console.log("db:migrate: users, posts");
});
