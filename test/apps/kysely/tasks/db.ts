import { desc, task } from "jobs-and-tasks";

desc("Create the tables");
task("db:migrate", ["environment"], async ({ app }) => {
  await app.users.migrate();
  console.log("db:migrate: users, posts");
});
