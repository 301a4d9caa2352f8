import { desc, namespace, task } from "jobs-and-tasks";
import { appendFileSync, mkdirSync } from "node:fs";

namespace("mail", () => {
  desc("Send the welcome mail to a user (a background job: jt users:create enqueues it)");
  // The mail provider allows 5 sends a second, whichever worker sends them.
  task(
    "welcome",
    { args: ["login"], deps: ["environment"], queue: "mail", retry: { attempts: 3 }, rateLimit: { max: 5, per: "1s" } },
    ({ app, args }) => {
      const user = app.users.all().find((u) => u.login === args.login);
      if (!user) throw new Error(`No user '${args.login}' to welcome`);
      // A real app would call its mailer; this one writes the mail to a file.
      mkdirSync("tmp", { recursive: true });
      appendFileSync("tmp/outbox.txt", `To: ${user.email ?? user.login}\nSubject: Welcome, ${user.name}!\n\n`);
      console.log(`mail:welcome: sent to ${user.login}`);
    },
  );
});
