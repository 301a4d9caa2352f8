import { desc, namespace, task } from "jobs-and-tasks";

namespace("mail", () => {
  desc("Prepare the mail templates");
  task("templates", () => {
    console.log("templates ready");
  });

  desc("Send a welcome mail (a job: queue mail, 3 attempts)");
  task("welcome", { args: ["login"], deps: ["environment", "templates"], queue: "mail", retry: { attempts: 3 } }, ({ app, args }) => {
    if (args.login === "nobody") throw new Error("no such user: nobody");
    app.outbox.push(args.login);
    console.log(`welcome sent to ${args.login}`);
    return { sent: app.outbox.length };
  });

  desc("Nightly digest, 02:00 UTC");
  task("digest", { cron: "0 2 * * *" }, () => {
    console.log("digest sent");
  });
});
