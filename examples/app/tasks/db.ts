import { desc, namespace, task } from "jobs-and-tasks";
import { dropAll, migrate, pendingMigrations } from "../app/migrations.ts";

namespace("db", () => {
  desc("Run pending migrations");
  task("migrate", ["environment"], ({ app }) => {
    const applied = migrate(app.db);
    console.log(applied.length === 0 ? "db:migrate: up to date" : `db:migrate: applied ${applied.join(", ")}`);
  });

  desc("Show migrations not yet applied");
  task("pending", ["environment"], ({ app }) => {
    const pending = pendingMigrations(app.db);
    console.log(pending.length === 0 ? "no pending migrations" : pending.join("\n"));
  });

  desc("Load the seed users (safe to run again)");
  task("seed", ["migrate"], ({ app }) => {
    app.users.upsert({ login: "admin", name: "Site Admin", email: "admin@example.com", source: "seed" });
    console.log(`db:seed: ${app.users.count()} users`);
  });

  desc("Drop every table, then migrate and seed");
  task("reset", { deps: ["environment"], confirm: "Drop every table and reload the seed data?" }, async ({ app, invoke }) => {
    dropAll(app.db);
    console.log("db:reset: dropped all tables");
    await invoke("db:seed");
  });
});
