import { desc, task } from "jobs-and-tasks";
import { createUser, findUser, welcome } from "@/users";

desc("Create a user (and enqueue their welcome mail)");
task("users:create", { args: ["login", "name"], deps: ["environment"] }, async ({ args }) => {
  const job = await createUser(args.login, args.name);
  console.log(`users:create: ${args.login} (welcome mail is job ${job})`);
});

desc("Show a user and their posts");
task("users:show", { args: ["login"], deps: ["environment"] }, async ({ args }) => {
  const user = await findUser(args.login);
  console.log(`${user.login}: ${user.name}; posts: ${user.posts.join(" | ") || "none"}`);
});

desc("Welcome a user (a background job)");
task("mail:welcome", { args: ["login"], deps: ["environment"] }, async ({ args }) => {
  await welcome(args.login);
  console.log(`mail:welcome: ${args.login}`);
});
