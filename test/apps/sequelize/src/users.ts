import { enqueue } from "jobs-and-tasks";
import { Post, User } from "@/models";

/** Creates the user and enqueues their welcome mail: app code, not a task, enqueues the job. */
export async function createUser(login: string, name: string): Promise<number> {
  await User.create({ login, name });
  return (await enqueue("mail:welcome", { args: [login] })).id;
}

export async function findUser(login: string): Promise<{ login: string; name: string; posts: string[] }> {
  const user = await User.findOne({ where: { login }, include: [{ model: Post, as: "posts" }], order: [[{ model: Post, as: "posts" }, "id", "ASC"]] });
  if (!user) throw new Error(`No user '${login}'`);
  const posts = (user.get("posts") as Post[]).map((post) => post.title);
  return { login: user.login, name: user.name, posts };
}

export async function welcome(login: string): Promise<void> {
  const user = await User.findOne({ where: { login } });
  if (!user) throw new Error(`No user '${login}'`);
  await Post.create({ userId: user.id, title: `Welcome, ${user.name}!` });
}
