import { desc, task } from "jobs-and-tasks";

desc("Create the tables");
task("db:migrate", ["environment"], async ({ app }) => {
  await app.db.query(`CREATE SCHEMA IF NOT EXISTS "${process.env.APP_SCHEMA ?? "public"}"`);
  await app.db.synchronize();
  console.log("db:migrate: users, posts");
});
