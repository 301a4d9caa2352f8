import { desc, task } from "jobs-and-tasks";

desc("Create the tables");
task("db:migrate", ["environment"], async ({ app }) => {
  await app.pool.query(`CREATE SCHEMA IF NOT EXISTS "${process.env.APP_SCHEMA ?? "public"}"`);
  await app.pool.query("CREATE TABLE IF NOT EXISTS users (id SERIAL PRIMARY KEY, login TEXT NOT NULL UNIQUE, name TEXT NOT NULL)");
  await app.pool.query("CREATE TABLE IF NOT EXISTS posts (id SERIAL PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), title TEXT NOT NULL)");
  await app.pool.query("CREATE TABLE IF NOT EXISTS emails (user_id INTEGER NOT NULL REFERENCES users(id), address TEXT NOT NULL UNIQUE)");
  console.log("db:migrate: users, posts");
});
