import { desc, namespace, task } from "jobs-and-tasks";
import { mkdirSync, writeFileSync } from "node:fs";

namespace("users", () => {
  desc("List users; format is table (the default) or json");
  task("list", { deps: ["environment"], args: ["format"], defaults: { format: "table" } }, ({ app, args }) => {
    const users = app.users.all();
    if (args.format === "json") {
      console.log(JSON.stringify(users, null, 2));
      return;
    }
    if (args.format !== "table") throw new Error(`Unknown format '${args.format}': use table or json`);
    const width = Math.max(5, ...users.map((u) => u.login.length));
    console.log(`${"login".padEnd(width)}  ${"name".padEnd(16)}  source`);
    for (const user of users) console.log(`${user.login.padEnd(width)}  ${user.name.padEnd(16)}  ${user.source}`);
  });

  desc("Create (or update) one user, and enqueue their welcome mail");
  task("create", { deps: ["environment"], args: ["login", "name"] }, async ({ app, args, enqueue }) => {
    if (!args.login) throw new Error("Give a login: jt 'users:create[login,Full Name]'");
    const user = app.users.upsert({ login: args.login, name: args.name ?? args.login });
    // unique: a second create of the same login (as after fixing a failed mail) reuses the waiting job.
    const job = await enqueue("mail:welcome", { args: [user.login], unique: true });
    console.log(`users:create: ${user.login} (#${user.id}); welcome mail is job ${job.id}`);
    await enqueue("users:snapshot");
  });

  desc("Write every user to tmp/users.json (as a job it is debounced: a burst of users:create writes it once)");
  // Each enqueue within 2 s replaces the waiting job: it runs once, 2 s after the last create.
  task("snapshot", { deps: ["environment"], debounce: { wait: "2s" } }, ({ app }) => {
    const users = app.users.all();
    mkdirSync("tmp", { recursive: true });
    writeFileSync("tmp/users.json", `${JSON.stringify(users, null, 2)}\n`);
    return { users: users.length };
  });
});
