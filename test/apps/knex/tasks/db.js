const { desc, task } = require("jobs-and-tasks");

desc("Create the tables");
task("db:migrate", ["environment"], async ({ app }) => {
  const { db } = app;
  await db.raw(`CREATE SCHEMA IF NOT EXISTS "${process.env.APP_SCHEMA || "public"}"`);
  if (!(await db.schema.hasTable("users"))) {
    await db.schema.createTable("users", (t) => {
      t.increments("id");
      t.text("login").notNullable().unique();
      t.text("name").notNullable();
    });
  }
  if (!(await db.schema.hasTable("posts"))) {
    await db.schema.createTable("posts", (t) => {
      t.increments("id");
      t.integer("user_id").notNullable().references("users.id");
      t.text("title").notNullable();
    });
  }
  console.log("db:migrate: users, posts");
});
