import { desc, namespace, task } from "jobs-and-tasks";
import { mkdirSync, writeFileSync } from "node:fs";

namespace("reports", () => {
  desc("Nightly users report (a cron schedule: every day at 03:00, Paris time)");
  task("daily", { deps: ["environment"], cron: "0 3 * * *", tz: "Europe/Paris" }, ({ app }) => {
    console.log(`reports:daily: ${app.users.count()} users`);
  });

  desc("Export every user to tmp/users.csv, slowly (it reports its progress; as a job, its result is the row count)");
  // One export at a time (they write the same file), however many workers there are.
  task(
    "export",
    { deps: ["environment"], args: ["delayMs"], defaults: { delayMs: "300" }, concurrency: { limit: 1 } },
    async ({ app, args, progress, signal }) => {
      const users = app.users.all();
      const rows = ["login,name,source"];
      for (const [i, user] of users.entries()) {
        rows.push([user.login, user.name, user.source].map((cell) => `"${cell.replaceAll('"', '""')}"`).join(","));
        progress(i + 1, users.length, user.login);
        await new Promise((resolve) => setTimeout(resolve, Number(args.delayMs)));
        signal.throwIfAborted();
      }
      mkdirSync("tmp", { recursive: true });
      writeFileSync("tmp/users.csv", `${rows.join("\n")}\n`);
      return { rows: users.length, file: "tmp/users.csv" };
    },
  );
});
