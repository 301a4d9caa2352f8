import { desc, namespace, task } from "jobs-and-tasks";

namespace("reports", () => {
  desc("Nightly users report (a cron schedule: every day at 03:00, Paris time)");
  task("daily", { deps: ["environment"], cron: "0 3 * * *", tz: "Europe/Paris" }, ({ app }) => {
    console.log(`reports:daily: ${app.users.count()} users`);
  });
});
