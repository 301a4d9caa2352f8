import { desc, task } from "jobs-and-tasks";

desc("Create a user (and enqueue their welcome mail)");
task("users:create", { args: ["login", "name"], deps: ["environment"] }, async ({ args, app }) => {
  const job = await app.users.create(args.login, args.name, `${args.login}@example.com`);
  console.log(`users:create: ${args.login} (welcome mail is job ${job})`);
});

desc("Show a user and their posts");
task("users:show", { args: ["login"], deps: ["environment"] }, async ({ args, app }) => {
  const user = await app.users.find(args.login);
  console.log(`${user.login}: ${user.name}; posts: ${user.posts.join(" | ") || "none"}`);
});

desc("Welcome a user (a background job)");
task("mail:welcome", { args: ["login"], deps: ["environment"] }, async ({ args, app }) => {
  await app.users.welcome(args.login);
  console.log(`mail:welcome: ${args.login}`);
});
