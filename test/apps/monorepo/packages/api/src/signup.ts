import type { Users } from "@mono/db";
import { enqueue } from "jobs-and-tasks";

/** The API's sign-up: creates the user and enqueues their welcome mail (app code, not a task). */
export async function signUp(users: Users, login: string, name: string): Promise<number> {
  await users.insert(login, name);
  const job = await enqueue("mail:welcome", { args: [login] });
  return job.id;
}

export async function welcome(users: Users, login: string): Promise<void> {
  const user = await users.find(login);
  await users.addPost(user.id, `Welcome, ${user.name}!`);
}
